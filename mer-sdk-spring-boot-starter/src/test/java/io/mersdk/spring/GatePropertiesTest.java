package io.mersdk.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mersdk.SpeechGateSettings;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;

/** {@code mer.gate.*} become the recogniser's {@link SpeechGateSettings}; unset ones keep Silero's defaults. */
class GatePropertiesTest {
  @Test
  void unsetPropertiesKeepTheDefaults() {
    assertThat(RecognizerFactory.gateSettings(new MerProperties.Gate()))
        .isEqualTo(SpeechGateSettings.defaults());
  }

  @Test
  void eachPropertyMapsToItsSetting() {
    MerProperties.Gate g = new MerProperties.Gate();
    g.setThreshold(0.7);
    g.setMinSpeech(Duration.ofMillis(300));
    g.setMinSilence(Duration.ofMillis(150));
    g.setPadding(Duration.ofMillis(50));
    SpeechGateSettings s = RecognizerFactory.gateSettings(g);
    assertThat(s.threshold()).isEqualTo(0.7);
    assertThat(s.minSpeech()).isEqualTo(Duration.ofMillis(300));
    assertThat(s.minSilence()).isEqualTo(Duration.ofMillis(150));
    assertThat(s.padding()).isEqualTo(Duration.ofMillis(50));
  }

  @Test
  void aBadValueNamesTheProperty() {
    MerProperties.Gate g = new MerProperties.Gate();
    g.setThreshold(1.5);
    assertThatThrownBy(() -> RecognizerFactory.gateSettings(g))
        .isInstanceOf(InvalidConfigurationPropertyValueException.class)
        .hasMessageContaining("mer.gate.threshold");
  }
}

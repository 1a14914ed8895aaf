package io.mersdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mersdk.source.AudioSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class DeviceAndSourceTest {

  @Test
  void parsesTheDeviceNamesOfCommandLinesAndConfigFiles() {
    assertThat(Device.parse("auto")).isEqualTo(Device.AUTO);
    assertThat(Device.parse(" CPU ")).isEqualTo(Device.CPU);
    assertThat(Device.parse("cuda")).isEqualTo(Device.cuda(0));
    assertThat(Device.parse("gpu")).isEqualTo(Device.cuda(0));
    assertThat(Device.parse("cuda:3")).isEqualTo(Device.cuda(3));
    assertThat(Device.parse("CUDA:1").toString()).isEqualTo("cuda:1");
    assertThat(Device.CPU.toString()).isEqualTo("cpu");
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "tpu", "cuda:", "cuda:x", "cuda:-1", "cuda:1.5", "cuda:99999999999"})
  void refusesBadDeviceNamesSayingWhatIsAccepted(String text) {
    assertThatThrownBy(() -> Device.parse(text)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(text.isEmpty() ? "unknown device" : text);
  }

  @Test
  void refusesNullAndNegativeIndices() {
    assertThatThrownBy(() -> Device.parse(null)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Device.cuda(-1)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("-1");
  }

  @Test
  void aSampleSourceAtAnotherRateSaysBothRatesAndTheFix() {
    AudioSource s = AudioSource.ofSamples(new float[800], 8000, "phone.raw");
    assertThat(s.readMono(8000)).hasSize(800);
    assertThatThrownBy(() -> s.readMono(16000)).isInstanceOf(AudioException.class)
        .hasMessageContaining("phone.raw").hasMessageContaining("8000 Hz")
        .hasMessageContaining("16000 Hz").hasMessageContaining("AudioSources.of");
    assertThatThrownBy(() -> AudioSource.ofSamples(null, 16000, "x"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> AudioSource.ofSamples(new float[1], 0, "x"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("sampleRate");
  }
}

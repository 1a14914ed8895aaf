package io.mersdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mersdk.StageTimings.Stage;
import io.mersdk.spi.SpeechActivity;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The small value types: each accessor returns its own stage, equality follows every field. */
class ValueTypesTest {
  @Test
  void everyStageAccessorReadsItsOwnStage() {
    StageTimings.Builder b = StageTimings.builder();
    for (Stage s : Stage.values()) {
      b.set(s, Duration.ofMillis(10 + s.ordinal()));
    }
    StageTimings t = b.build();
    assertThat(t.speechGate()).isEqualTo(t.get(Stage.SPEECH_GATE));
    assertThat(t.features()).isEqualTo(t.get(Stage.FEATURES));
    assertThat(t.asrEncode()).isEqualTo(t.get(Stage.ASR_ENCODE));
    assertThat(t.asrDecode()).isEqualTo(t.get(Stage.ASR_DECODE));
    assertThat(t.speechEncoder()).isEqualTo(t.get(Stage.SPEECH_ENCODER));
    assertThat(t.textEncoder()).isEqualTo(t.get(Stage.TEXT_ENCODER));
    assertThat(t.head()).isEqualTo(t.get(Stage.HEAD));
    assertThat(t.total()).isEqualTo(t.get(Stage.TOTAL));
    assertThat(Stage.values()).extracting(t::get).doesNotHaveDuplicates();
    assertThat(t.toString()).contains(Stage.HEAD.key() + "=" + String.format(java.util.Locale.ROOT, "%.1f ms",
        (10 + Stage.HEAD.ordinal()) * 1.0));
  }

  @Test
  void stageTimingsAreEqualWhenEveryStageIs() {
    StageTimings a = StageTimings.builder().set(Stage.HEAD, Duration.ofMillis(3)).build();
    StageTimings same = StageTimings.builder().set(Stage.HEAD, Duration.ofMillis(3)).build();
    StageTimings other = StageTimings.builder().set(Stage.HEAD, Duration.ofMillis(4)).build();
    assertThat(a).isEqualTo(same).hasSameHashCodeAs(same).isNotEqualTo(other).isNotEqualTo("head");
    assertThat(a.hashCode()).isNotEqualTo(other.hashCode());
  }

  @Test
  void speechActivityEqualityToStringAndValidation() {
    SpeechActivity a = SpeechActivity.of(true, Duration.ofMillis(250));
    assertThat(a).isEqualTo(SpeechActivity.of(true, Duration.ofMillis(250)))
        .hasSameHashCodeAs(SpeechActivity.of(true, Duration.ofMillis(250)))
        .isNotEqualTo(SpeechActivity.of(false, Duration.ofMillis(250)))
        .isNotEqualTo(SpeechActivity.of(true, Duration.ofMillis(251)))
        .isNotEqualTo("speech");
    assertThat(a.hashCode()).isNotEqualTo(SpeechActivity.of(false, Duration.ofMillis(250)).hashCode());
    assertThat(a).hasToString("speech 250 ms");
    assertThat(SpeechActivity.of(false, Duration.ZERO)).hasToString("no speech 0 ms");
    assertThatThrownBy(() -> SpeechActivity.of(true, Duration.ofMillis(-1)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("speechDuration");
  }

  @Test
  void speechThresholdsWithersChangeOneThresholdOnly() {
    SpeechThresholds t = new SpeechThresholds(0.6, -1.0, 2.4);
    assertThat(t.withLogProb(-2.0)).isEqualTo(new SpeechThresholds(0.6, -2.0, 2.4));
    assertThat(t.withCompressionRatio(3.0)).isEqualTo(new SpeechThresholds(0.6, -1.0, 3.0));
    assertThat(t.withNoSpeech(0.5)).isEqualTo(new SpeechThresholds(0.5, -1.0, 2.4));
    // the edges of each range are valid, one ulp outside is not
    assertThat(new SpeechThresholds(0.0, 0.0, Double.MIN_VALUE).noSpeech()).isZero();
    assertThat(new SpeechThresholds(1.0, -1.0, 2.4).noSpeech()).isEqualTo(1.0);
    assertThatThrownBy(() -> new SpeechThresholds(Math.nextUp(1.0), -1.0, 2.4))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("noSpeechThreshold");
    assertThatThrownBy(() -> new SpeechThresholds(-Double.MIN_VALUE, -1.0, 2.4))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new SpeechThresholds(0.6, Double.MIN_VALUE, 2.4))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("logProbThreshold");
    assertThatThrownBy(() -> new SpeechThresholds(0.6, -1.0, 0.0))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("compressionRatioThreshold");
  }
}

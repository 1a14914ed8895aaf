package io.mersdk;

import static io.mersdk.RecognizerTestSupport.builder;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mersdk.testkit.FakeBackend;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** build() checks each setting once and names the bad one. */
class BuilderValidationTest {

  @Test
  void namesTheMissingOrBadSetting() {
    assertThatThrownBy(() -> EmotionRecognizer.builder().build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("bundle");
    assertThatThrownBy(() -> builder().threads(0).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("threads");
    assertThatThrownBy(() -> builder().concurrentCalls(0).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("concurrentCalls");
    assertThatThrownBy(() -> builder().noSpeechThreshold(1.5).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("noSpeechThreshold");
    assertThatThrownBy(() -> builder().logProbThreshold(0.1).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("logProbThreshold");
    assertThatThrownBy(() -> builder().compressionRatioThreshold(-2).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("compressionRatioThreshold");
    assertThat(FakeBackend.CONFIGS).as("no backend opened for a bad setting").isEmpty();
  }

  @Test
  void theDefaultThreadsShareTheCoresBetweenConcurrentCallsAndParallelEncoders() {
    int cores = Runtime.getRuntime().availableProcessors();
    try (EmotionRecognizer r = builder().build()) {
      assertThat(FakeBackend.CONFIGS.get(0).threads()).as("encoders in turn: every core").isEqualTo(cores);
      assertThat(FakeBackend.CONFIGS.get(0).parallelEncoders()).isFalse();
      assertThat(FakeBackend.CONFIGS.get(0).prepackWeights()).as("unset: per graph").isEmpty();
    }
    FakeBackend.CONFIGS.clear();
    try (EmotionRecognizer r = builder().parallelEncoders(true).prepackWeights(true).build()) {
      assertThat(FakeBackend.CONFIGS.get(0).threads()).as("two sessions at once: half the cores")
          .isEqualTo(Math.max(1, cores / 2));
      assertThat(FakeBackend.CONFIGS.get(0).parallelEncoders()).isTrue();
      assertThat(FakeBackend.CONFIGS.get(0).prepackWeights()).hasValue(true);
    }
    FakeBackend.CONFIGS.clear();
    try (EmotionRecognizer r = builder().concurrentCalls(4).build()) {
      assertThat(FakeBackend.CONFIGS.get(0).threads()).isEqualTo(EmotionRecognizer.Builder.threadsFor(cores, 4));
    }
    try (EmotionRecognizer r = builder().concurrentCalls(4).threads(3).build()) {
      assertThat(FakeBackend.CONFIGS.get(0).threads()).as("an explicit setting wins").isEqualTo(3);
    }
  }

  @Test
  void threadsForSharesTheCoresBetweenCallsAndBetweenParallelEncoders() {
    assertThat(EmotionRecognizer.Builder.threadsFor(16, 1)).isEqualTo(16);
    assertThat(EmotionRecognizer.Builder.threadsFor(16, 4)).isEqualTo(4);
    assertThat(EmotionRecognizer.Builder.threadsFor(16, 3)).isEqualTo(5);
    assertThat(EmotionRecognizer.Builder.threadsFor(2, 1)).isEqualTo(2);
    assertThat(EmotionRecognizer.Builder.threadsFor(8, 64)).isEqualTo(1);
    assertThat(EmotionRecognizer.Builder.threadsFor(16, 1, true)).isEqualTo(8);
    assertThat(EmotionRecognizer.Builder.threadsFor(16, 4, true)).isEqualTo(2);
    assertThat(EmotionRecognizer.Builder.threadsFor(16, 3, true)).isEqualTo(2);
    assertThat(EmotionRecognizer.Builder.threadsFor(2, 1, true)).isEqualTo(1);
    assertThat(EmotionRecognizer.Builder.threadsFor(1, 1, true)).isEqualTo(1);
    assertThatThrownBy(() -> EmotionRecognizer.Builder.threadsFor(0, 1))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("cores");
  }

  @Test
  void thresholdOverridesReplaceTheBundlesAndDefaultToThem() {
    try (EmotionRecognizer r = builder().noSpeechThreshold(0.8).build()) {
      assertThat(r.bundle().speechThresholds()).isEqualTo(SpeechThresholds.WHISPER_DEFAULTS);
      assertThat(r.speechThresholds()).isEqualTo(new SpeechThresholds(0.8, -1.0, 2.4));
    }
    try (EmotionRecognizer r = builder().build()) {
      assertThat(r.speechThresholds()).isEqualTo(r.bundle().speechThresholds());
    }
  }

  @Test
  void aMissingRequiredModalityFailsTheBuildAndClosesTheBackend() {
    EmotionRecognizer.Builder b = builder().requireModalities(Modality.CONTEXT);
    FakeBackend.modalities = Set.of(Modality.SPEECH);
    assertThatThrownBy(b::build).isInstanceOf(BundleException.class)
        .hasMessageContaining("CONTEXT").hasMessageContaining("variant.modalities");
    assertThat(FakeBackend.CLOSED).hasValue(1);
  }

  @Test
  void theDefaultDetectorIsFoundOnTheClassPath() {
    try (EmotionRecognizer r = builder().build()) {
      assertThat(r.speechGate()).isTrue();
      assertThat(r.recognize(new float[8000]).isNoSpeech()).isTrue();
    }
  }
}

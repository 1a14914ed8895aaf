package io.mersdk.onnx;

import static org.assertj.core.api.Assertions.assertThat;

import io.mersdk.BundleInfo;
import io.mersdk.Device;
import io.mersdk.EmotionRecognizer;
import io.mersdk.EmotionResult;
import io.mersdk.SpeechDecision;
import io.mersdk.SpeechThresholds;
import io.mersdk.onnx.testing.TestData;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * A bundle of format version 1 (testdata/compat/format-1/tiny-b, kept byte for byte as mer-train
 * wrote it before format 2) still loads and runs: openai-whisper's default thresholds, no no-speech
 * token, so the model reports its avg_logprob and compression ratio but does not decide. Its
 * fixtures are checked stage by stage in {@link ParityTest}.
 */
class Format1CompatibilityTest {
  @Test
  void aFormat1BundleLoadsAndRecognises() {
    Path bundle = TestData.compatFormat1Bundle().orElseThrow(() -> new AssertionError(
        "testdata/compat/format-1/tiny-b is missing"));
    TestData.Case c = TestData.compatFormat1Fixtures().orElseThrow().cases().get(0);
    try (EmotionRecognizer r = EmotionRecognizer.builder().bundle(bundle).device(Device.CPU)
        .threads(1).speechGate(false).build()) {
      BundleInfo info = r.bundle();
      assertThat(info.formatVersion()).isEqualTo(1);
      assertThat(info.speechThresholds()).isEqualTo(SpeechThresholds.WHISPER_DEFAULTS);
      assertThat(info.modelSpeechEvidence()).isFalse();

      EmotionResult result = r.recognize(c.waveform());
      assertThat(result.isEmotion()).isTrue();
      assertThat(result.label()).isEqualTo(c.label());
      assertThat(result.asrTokenIds()).isEqualTo(c.ints("asr_tokens"));
      assertThat(result.speech().basis()).isEqualTo(SpeechDecision.Basis.NOT_CHECKED);
      assertThat(result.speech().noSpeechProbability()).as("no no-speech token in format 1").isEmpty();
      assertThat(result.speech().avgLogProbability()).isPresent();
      assertThat(result.speech().compressionRatio()).isPresent();
    }
  }
}

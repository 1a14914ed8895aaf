package io.mersdk.onnx;

import static org.assertj.core.api.Assertions.assertThat;

import io.mersdk.AudioException;
import io.mersdk.Device;
import io.mersdk.EmotionRecognizer;
import io.mersdk.EmotionResult;
import io.mersdk.Outcome;
import io.mersdk.SpeechDecision;
import io.mersdk.StageTimings.Stage;
import io.mersdk.Utterance;
import io.mersdk.onnx.testing.LevelDetector;
import io.mersdk.onnx.testing.TestData;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * One batch, four items, four outcomes: too short and non-finite items fail with their own typed
 * exception, digital silence is stopped by the acoustic gate, and the speech item gets what a
 * single call on it gets. On every bundle in testdata/bundles.
 */
class PerItemOutcomeTest {
  static List<Path> bundles() {
    return TestData.bundles();
  }

  @ParameterizedTest
  @MethodSource("bundles")
  void eachItemOfABatchGetsItsOwnOutcome(Path bundle) {
    float[] speech = TestData.fixtures(bundle.getFileName().toString()).orElseThrow().cases().get(0).waveform();
    float[] nonFinite = speech.clone();
    nonFinite[100] = Float.NaN;
    float[] tooShort = java.util.Arrays.copyOf(speech, 10); // loud enough for the gate
    java.util.Arrays.fill(tooShort, 0.3f);
    float[] silence = new float[16000 * 2];

    try (EmotionRecognizer r = EmotionRecognizer.builder().bundle(bundle).device(Device.CPU).threads(1)
        .speechDetector(new LevelDetector(1e-3)).build()) {
      List<EmotionResult> out = r.recognizeBatch(List.of(Utterance.of(tooShort),
          Utterance.of(nonFinite), Utterance.of(silence), Utterance.of(speech)));

      assertThat(out).extracting(EmotionResult::outcome).startsWith(Outcome.FAILED, Outcome.FAILED,
          Outcome.NO_SPEECH);
      assertThat(out.get(0).error()).isInstanceOf(AudioException.class)
          .hasMessageContaining("utterance 0 of the batch has 10 samples")
          .hasMessageContaining("audio.min_samples");
      assertThat(out.get(1).error()).isInstanceOf(AudioException.class)
          .hasMessageContaining("utterance 1 of the batch: sample 100 is NaN");
      assertThat(out.get(2).speech().basis()).isEqualTo(SpeechDecision.Basis.ACOUSTIC_GATE);
      assertThat(out.get(2).timings().get(Stage.HEAD)).as("no model ran for silence").isZero();
      for (EmotionResult x : out) {
        assertThat(x.bundleId()).isEqualTo(r.bundle().bundleId());
        assertThat(x.device()).isEqualTo(Device.CPU);
      }

      EmotionResult single = r.recognize(speech);
      assertThat(out.get(3).outcome()).isIn(Outcome.EMOTION, Outcome.NO_SPEECH)
          .isEqualTo(single.outcome());
      BatchAndThreadsTest.assertSame(out.get(3), single, 1e-5, "the speech item");
      assertThat(out.get(3).speech().speechDuration()).as("the gate's evidence is kept").isPresent();
      // The model's evidence decides where the bundle has it; otherwise the gate alone did.
      assertThat(out.get(3).speech().basis()).isEqualTo(r.bundle().modelSpeechEvidence()
          ? SpeechDecision.Basis.MODEL : SpeechDecision.Basis.ACOUSTIC_GATE_ONLY);
    }
  }
}

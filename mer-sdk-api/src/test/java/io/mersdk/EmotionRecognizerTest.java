package io.mersdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mersdk.spi.SpeechActivity;
import io.mersdk.spi.SpeechDetector;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What the recogniser itself owns, over a fake backend: the acoustic gate, per-item outcomes (and
 * the item-by-item retry of a batch the backend fails as a whole), the threshold overrides, the
 * required modalities and the lifecycle.
 */
class EmotionRecognizerTest {
  /** Speech when the first sample is not zero; the speech duration is the whole utterance. */
  static final SpeechDetector FIRST_SAMPLE = (samples, rate) -> {
    boolean speech = samples.length > 0 && samples[0] != 0;
    return SpeechActivity.of(speech, speech ? Duration.ofMillis(samples.length * 1000L / rate) : Duration.ZERO);
  };

  @BeforeEach
  void reset() {
    FakeBackend.reset();
  }

  private static EmotionRecognizer.Builder builder() {
    return EmotionRecognizer.builder().bundle(Path.of("fake"));
  }

  private static float[] first(float v) {
    float[] x = new float[1600];
    x[0] = v;
    return x;
  }

  @Test
  void theGateStopsSilenceBeforeTheBackendAndKeepsItsEvidence() {
    try (EmotionRecognizer r = builder().speechDetector(FIRST_SAMPLE).build()) {
      List<EmotionResult> out = r.recognizeBatch(List.of(Utterance.of(first(0)), Utterance.of(first(0.5f))));

      assertThat(FakeBackend.BATCHES).as("only the speech item reached the backend").containsExactly(1);
      assertThat(out.get(0).outcome()).isEqualTo(Outcome.NO_SPEECH);
      assertThat(out.get(0).speech().basis()).isEqualTo(SpeechDecision.Basis.ACOUSTIC_GATE);
      assertThat(out.get(0).speech().speechDuration()).hasValue(Duration.ZERO);
      assertThat(out.get(0).bundleId()).isEqualTo("fake");
      assertThatThrownBy(() -> out.get(0).label()).isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("NO_SPEECH");
      // the fake decides nothing on the model side: the gate alone did
      assertThat(out.get(1).outcome()).isEqualTo(Outcome.EMOTION);
      assertThat(out.get(1).speech().basis()).isEqualTo(SpeechDecision.Basis.ACOUSTIC_GATE_ONLY);
      assertThat(out.get(1).speech().speechDuration()).hasValue(Duration.ofMillis(100));
      assertThat(out.get(1).probability("upset")).isEqualTo(0.5);
      assertThat(out.get(1).timings().get(StageTimings.Stage.TOTAL)).isPositive();
    }
  }

  @Test
  void withoutTheGateNothingIsCheckedAndTheModelsSayIsKept() {
    try (EmotionRecognizer r = builder().speechGate(false).build()) {
      assertThat(r.speechGate()).isFalse();
      assertThat(r.recognize(first(0)).speech().basis()).isEqualTo(SpeechDecision.Basis.NOT_CHECKED);
      EmotionResult quiet = r.recognize(first(FakeBackend.QUIET));
      assertThat(quiet.outcome()).isEqualTo(Outcome.NO_SPEECH);
      assertThat(quiet.speech().basis()).isEqualTo(SpeechDecision.Basis.MODEL);
      assertThat(quiet.speech().noSpeechProbability()).hasValue(0.9);
    }
  }

  @Test
  void aBatchTheBackendFailsIsRetriedItemByItemSoOnlyTheCulpritFails() {
    try (EmotionRecognizer r = builder().speechGate(false).build()) {
      List<EmotionResult> out = r.recognizeBatch(List.of(Utterance.of(first(0.1f)),
          Utterance.of(first(FakeBackend.POISON)), Utterance.of(first(0.3f))));

      assertThat(out).extracting(EmotionResult::outcome)
          .containsExactly(Outcome.EMOTION, Outcome.FAILED, Outcome.EMOTION);
      assertThat(out.get(1).error()).isInstanceOf(InferenceException.class)
          .hasMessageContaining("native failure on the whole batch");
      assertThat(out.get(0).probability("upset")).isCloseTo(0.1, org.assertj.core.data.Offset.offset(1e-7));
      assertThat(FakeBackend.BATCHES).containsExactly(3, 1, 1, 1);
      // a single call throws the item's exception
      assertThatThrownBy(() -> r.recognize(first(FakeBackend.POISON)))
          .isInstanceOf(InferenceException.class);
    }
  }

  @Test
  void nonFiniteSamplesFailTheirItemBeforeTheGate() {
    float[] bad = first(0.5f);
    bad[7] = Float.POSITIVE_INFINITY;
    try (EmotionRecognizer r = builder().speechDetector(FIRST_SAMPLE).build()) {
      List<EmotionResult> out = r.recognizeBatch(List.of(Utterance.of(bad), Utterance.of(first(0.5f))));
      assertThat(out.get(0).error()).isInstanceOf(AudioException.class)
          .hasMessage("utterance 0 of the batch: sample 7 is Infinity; audio must be finite"
              + " (check the decoder or resampler that produced it)");
      assertThat(out.get(1).isEmotion()).isTrue();
    }
  }

  @Test
  void thresholdOverridesAreCheckedByNameAndHandedToTheBackend() {
    assertThatThrownBy(() -> builder().speechGate(false).noSpeechThreshold(1.5).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("noSpeechThreshold:");
    assertThatThrownBy(() -> builder().speechGate(false).logProbThreshold(0.5).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("logProbThreshold:");
    assertThatThrownBy(() -> builder().speechGate(false).compressionRatioThreshold(0).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("compressionRatioThreshold:");
    try (EmotionRecognizer r = builder().speechGate(false).build()) {
      assertThat(FakeBackend.lastConfig.speechThresholds()).isEmpty();
    }
    try (EmotionRecognizer r = builder().speechGate(false).logProbThreshold(-0.5).build()) {
      SpeechThresholds applied = FakeBackend.lastConfig.speechThresholds().orElseThrow()
          .applyTo(SpeechThresholds.WHISPER_DEFAULTS);
      assertThat(applied).isEqualTo(new SpeechThresholds(0.6, -0.5, 2.4));
    }
  }

  @Test
  void aMissingModalityFailsBuildAndClosesTheBackend() {
    assertThatThrownBy(() -> builder().speechGate(false).requireModalities(Modality.TEXT).build())
        .isInstanceOf(BundleException.class).hasMessageContaining("TEXT");
    assertThat(FakeBackend.CLOSED.get()).isEqualTo(1);
  }

  @Test
  void closeClosesTheBackendOnceAndLaterCallsThrow() {
    EmotionRecognizer r = builder().speechGate(false).build();
    r.close();
    assertThatCode(r::close).doesNotThrowAnyException();
    assertThat(FakeBackend.CLOSED.get()).isEqualTo(1);
    assertThat(r.isClosed()).isTrue();
    assertThatThrownBy(() -> r.recognize(first(0.5f))).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("closed");
  }

  @Test
  void emptyAndNullBatches() {
    try (EmotionRecognizer r = builder().speechGate(false).build()) {
      assertThat(r.recognizeBatch(List.of())).isEmpty();
      assertThatThrownBy(() -> r.recognizeBatch(java.util.Arrays.asList(Utterance.of(first(1)), null)))
          .isInstanceOf(IllegalArgumentException.class).hasMessage("utterance 1 of the batch is null");
      assertThat(FakeBackend.BATCHES).isEmpty();
    }
  }
}

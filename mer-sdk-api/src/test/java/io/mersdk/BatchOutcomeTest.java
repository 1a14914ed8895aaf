package io.mersdk;

import static io.mersdk.RecognizerTestSupport.builder;
import static io.mersdk.RecognizerTestSupport.silence;
import static io.mersdk.RecognizerTestSupport.speech;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mersdk.testkit.FakeBackend;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** recognizeBatch: every item its own outcome; one bad item never fails the others. */
class BatchOutcomeTest {

  @Test
  void eachItemGetsItsOwnOutcomeAndOnlySpeechReachesTheBackend() {
    try (EmotionRecognizer r = builder().build()) {
      float[] nan = speech(0.4f);
      nan[100] = Float.NaN;
      List<EmotionResult> out = r.recognizeBatch(List.of(
          Utterance.of(speech(0.4f)), Utterance.of(silence()), Utterance.of(nan),
          Utterance.of(speech(-0.4f))));

      assertThat(out).extracting(EmotionResult::outcome).containsExactly(
          Outcome.EMOTION, Outcome.NO_SPEECH, Outcome.FAILED, Outcome.EMOTION);
      assertThat(out.get(0).label()).isEqualTo("happy");
      assertThat(out.get(3).label()).isEqualTo("neutral");
      assertThat(out.get(1).speech().basis()).isEqualTo(SpeechDecision.Basis.ACOUSTIC_GATE);
      assertThat(out.get(2).error()).isInstanceOf(AudioException.class)
          .hasMessageContaining("utterance 2 of the batch").hasMessageContaining("sample 100");
      // the silent and the non-finite item never reached the backend: one batch of the two others
      assertThat(FakeBackend.BATCHES).hasSize(1);
      assertThat(FakeBackend.BATCHES.get(0)).hasSize(2);
      // the fake has no model evidence of its own: the gate decided alone
      assertThat(out.get(0).speech().basis()).isEqualTo(SpeechDecision.Basis.ACOUSTIC_GATE_ONLY);
      assertThat(out.get(0).speech().speechDuration()).isPresent();
      assertThat(out).allSatisfy(x -> assertThat(x.timings().total()).isPositive());
    }
  }

  @Test
  void theRecogniserAdmitsItemsByTheBundlesLimitsBeforeAnyBackendRuns() {
    try (EmotionRecognizer r = builder().build()) {
      float[] longer = Arrays.copyOf(speech(0.4f), 16000 * 8 + 1); // the fake's ASR window is 8 s
      for (int i = 8000; i < longer.length; i++) {
        longer[i] = (float) (0.3 * Math.sin(i * 0.05));
      }
      List<EmotionResult> out = r.recognizeBatch(List.of(Utterance.of(longer),
          Utterance.of(longer, "a supplied transcript"), Utterance.of(speech(-0.4f))));

      assertThat(out).extracting(EmotionResult::outcome)
          .containsExactly(Outcome.FAILED, Outcome.EMOTION, Outcome.EMOTION);
      assertThat(out.get(0).error()).isInstanceOf(AudioException.class)
          .hasMessageContaining("utterance 0 of the batch is 8.000 s long (128001 samples at 16000 Hz)")
          .hasMessageContaining("(audio.n_samples = 128000)");
      assertThat(out.get(0).speech().basis()).as("the gate had passed it")
          .isEqualTo(SpeechDecision.Basis.ACOUSTIC_GATE_ONLY);
      assertThat(FakeBackend.BATCHES).hasSize(1);
      assertThat(FakeBackend.BATCHES.get(0)).as("a supplied transcript: Whisper does not read it")
          .hasSize(2);
    }
  }

  @Test
  void aBatchThatFailsAsAWholeIsRetriedItemByItemSoOnlyTheCulpritFails() {
    try (EmotionRecognizer r = builder().build()) {
      List<EmotionResult> out = r.recognizeBatch(List.of(
          Utterance.of(speech(0.4f)), Utterance.of(speech(FakeBackend.POISON)),
          Utterance.of(speech(-0.4f))));

      assertThat(out).extracting(EmotionResult::outcome)
          .containsExactly(Outcome.EMOTION, Outcome.FAILED, Outcome.EMOTION);
      assertThat(out.get(1).error()).isInstanceOf(InferenceException.class)
          .hasMessageContaining("poisoned");
      assertThat(out.get(0).label()).isEqualTo("happy");
      // one batch of three, then three single retries
      assertThat(FakeBackend.BATCHES).extracting(List::size).containsExactly(3, 1, 1, 1);
    }
  }

  @Test
  void aSingleCallThrowsTheItemsTypedException() {
    try (EmotionRecognizer r = builder().build()) {
      float[] inf = speech(0.1f);
      inf[7] = Float.POSITIVE_INFINITY;
      assertThatThrownBy(() -> r.recognize(inf))
          .isInstanceOf(AudioException.class).hasMessageContaining("sample 7");
      assertThatThrownBy(() -> r.recognize(speech(FakeBackend.POISON)))
          .isInstanceOf(InferenceException.class);
    }
  }

  @Test
  void batchResultsEqualSingleCalls() {
    try (EmotionRecognizer r = builder().build()) {
      List<Utterance> items = new ArrayList<>();
      for (float f : new float[] {0.3f, -0.2f, 0.1f}) {
        items.add(Utterance.of(speech(f)));
      }
      List<EmotionResult> batch = r.recognizeBatch(items);
      for (int i = 0; i < items.size(); i++) {
        assertThat(batch.get(i).probabilities())
            .isEqualTo(r.recognize(items.get(i)).probabilities());
      }
    }
  }

  @Test
  void nullListOrItemIsAProgrammingErrorNamedInTheMessage() {
    try (EmotionRecognizer r = builder().build()) {
      assertThatThrownBy(() -> r.recognizeBatch(null))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("utterances");
      List<Utterance> withNull = Arrays.asList(Utterance.of(speech(0.1f)), null);
      assertThatThrownBy(() -> r.recognizeBatch(withNull))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("utterance 1");
      assertThatThrownBy(() -> r.recognize((Utterance) null))
          .isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> r.recognize((io.mersdk.source.AudioSource) null))
          .isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> Utterance.of(null)).isInstanceOf(IllegalArgumentException.class);
    }
  }

  @Test
  void emptyBatchAndEmptyItem() {
    try (EmotionRecognizer r = builder().build()) {
      assertThat(r.recognizeBatch(List.of())).isEmpty();
      assertThat(FakeBackend.BATCHES).isEmpty();
      // no samples: nothing to hear; the gate says no speech and no model runs
      EmotionResult empty = r.recognize(new float[0]);
      assertThat(empty.outcome()).isEqualTo(Outcome.NO_SPEECH);
      assertThat(FakeBackend.BATCHES).isEmpty();
    }
  }

  @Test
  void withTheGateOffEverythingReachesTheBackendUnchecked() {
    try (EmotionRecognizer r = builder().speechGate(false).build()) {
      assertThat(r.speechGate()).isFalse();
      EmotionResult out = r.recognize(silence());
      assertThat(out.outcome()).isEqualTo(Outcome.EMOTION);
      assertThat(out.speech().basis()).isEqualTo(SpeechDecision.Basis.NOT_CHECKED);
      assertThat(out.timings().speechGate()).isZero();
    }
  }

  @Test
  void theModelsNoSpeechIsKeptAndTheGatesEvidenceAdded() {
    try (EmotionRecognizer r = builder().build()) {
      FakeBackend.scorer = (u, bundle) -> io.mersdk.spi.ItemEvidence.computed(
              java.util.Map.of("neutral", 0.5, "happy", 0.5))
          .decoding(new io.mersdk.spi.ItemEvidence.Decoding(java.util.OptionalDouble.of(0.9), -2, 1.0))
          .build();
      EmotionResult out = r.recognize(speech(0.4f));
      assertThat(out.outcome()).isEqualTo(Outcome.NO_SPEECH);
      assertThat(out.speech().basis()).isEqualTo(SpeechDecision.Basis.MODEL);
      assertThat(out.speech().noSpeechProbability()).hasValue(0.9);
      assertThat(out.speech().speechDuration()).as("the gate's evidence, added").isPresent();
    }
  }

  @Test
  void aDetectorSetOnTheBuilderReplacesTheDefault() {
    try (EmotionRecognizer r = builder()
        .speechDetector((samples, rate) -> io.mersdk.spi.SpeechActivity.of(false, java.time.Duration.ZERO))
        .build()) {
      assertThat(r.recognize(speech(0.4f)).outcome()).isEqualTo(Outcome.NO_SPEECH);
      assertThat(FakeBackend.BATCHES).isEmpty();
    }
  }

  @Test
  void aDetectorThatThrowsFailsTheCallWithAMessageNamingIt() {
    try (EmotionRecognizer r = builder().speechDetector((samples, rate) -> {
      throw new IllegalStateException("broken detector");
    }).build()) {
      assertThatThrownBy(() -> r.recognize(speech(0.4f)))
          .isInstanceOf(MerException.class).hasMessageContaining("speech detector")
          .hasMessageContaining("broken detector");
    }
  }
}

package io.mersdk.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.mersdk.Device;
import io.mersdk.EmotionRecognizer;
import io.mersdk.EmotionResult;
import io.mersdk.Utterance;
import io.mersdk.onnx.testing.TestData;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalDouble;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Padding and concurrency do not change results: a batch of N equals N single calls, 8 threads
 * sharing one recogniser get what one thread gets, and how the sessions run (encoders in turn or in
 * parallel, weights pre-packed or not, 1 or 2 intra-op threads) changes no answer.
 */
class BatchAndThreadsTest {
  /** Batched matmuls may round differently from single ones; far below any decision threshold. */
  private static final double BATCH_TOLERANCE = 1e-5;

  /** The committed bundles, and the rewritten ones (cross-attention K/V per decoder layer). */
  static List<Path> bundles() {
    List<Path> all = new ArrayList<>(TestData.bundles());
    all.addAll(TestData.rewrittenBundles());
    return all;
  }

  /** Utterances of different lengths, one with a caller-supplied transcript. */
  private static List<Utterance> utterances(Path bundle) {
    List<TestData.Case> cases =
        TestData.fixtures(bundle.getFileName().toString()).orElseThrow().cases();
    List<Utterance> out = new ArrayList<>();
    for (TestData.Case c : cases) {
      out.add(Utterance.of(c.waveform()));
    }
    out.add(Utterance.of(cases.get(0).waveform(), cases.get(0).sentence()));
    float[] tone = new float[16000 * 3 / 2];
    for (int i = 0; i < tone.length; i++) {
      tone[i] = (float) (0.3 * Math.sin(2 * Math.PI * 220 * i / 16000.0));
    }
    out.add(Utterance.of(tone));
    return out;
  }

  private static EmotionRecognizer open(Path bundle) {
    return EmotionRecognizer.builder().speechGate(false).bundle(bundle).device(Device.CPU).threads(1).build();
  }

  @ParameterizedTest
  @MethodSource("bundles")
  void aBatchOfNEqualsNSingleCalls(Path bundle) {
    List<Utterance> utterances = utterances(bundle);
    try (EmotionRecognizer recognizer = open(bundle)) {
      List<EmotionResult> batch = recognizer.recognizeBatch(utterances);
      assertThat(batch).hasSize(utterances.size());
      for (int i = 0; i < utterances.size(); i++) {
        EmotionResult single = recognizer.recognize(utterances.get(i));
        assertSame(batch.get(i), single, BATCH_TOLERANCE, "item " + i);
      }
    }
  }

  @ParameterizedTest
  @MethodSource("bundles")
  void eightThreadsOnOneRecogniserEqualOneThread(Path bundle) throws Exception {
    List<Utterance> utterances = utterances(bundle);
    try (EmotionRecognizer recognizer = open(bundle)) {
      List<EmotionResult> expected = new ArrayList<>();
      for (Utterance u : utterances) {
        expected.add(recognizer.recognize(u));
      }
      ExecutorService pool = Executors.newFixedThreadPool(8);
      try {
        List<Future<List<EmotionResult>>> futures = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
          int shift = t;
          Callable<List<EmotionResult>> work = () -> {
            // Each thread goes through the utterances in its own order, so calls overlap differently.
            EmotionResult[] got = new EmotionResult[utterances.size()];
            for (int k = 0; k < utterances.size(); k++) {
              int i = (k + shift) % utterances.size();
              got[i] = recognizer.recognize(utterances.get(i));
            }
            return List.of(got);
          };
          futures.add(pool.submit(work));
        }
        for (Future<List<EmotionResult>> f : futures) {
          List<EmotionResult> got = f.get();
          for (int i = 0; i < expected.size(); i++) {
            assertSame(got.get(i), expected.get(i), 0.0, "item " + i);
          }
        }
      } finally {
        pool.shutdownNow();
      }
    }
  }

  @ParameterizedTest
  @MethodSource("bundles")
  void parallelEncodersAndPrepackedWeightsGiveTheDefaultsAnswers(Path bundle) {
    List<Utterance> utterances = utterances(bundle);
    try (EmotionRecognizer defaults = open(bundle);
        EmotionRecognizer other = EmotionRecognizer.builder().speechGate(false).bundle(bundle)
            .device(Device.CPU).threads(2).parallelEncoders(true).prepackWeights(true).build()) {
      for (int i = 0; i < utterances.size(); i++) {
        EmotionResult expected = defaults.recognize(utterances.get(i));
        assertSame(other.recognize(utterances.get(i)), expected, BATCH_TOLERANCE, "item " + i);
        // and a second call on the same sessions, after the arenas gave their memory back
        assertSame(defaults.recognize(utterances.get(i)), expected, 0.0, "item " + i + " again");
      }
      List<EmotionResult> batch = other.recognizeBatch(utterances);
      for (int i = 0; i < utterances.size(); i++) {
        assertSame(batch.get(i), defaults.recognize(utterances.get(i)), BATCH_TOLERANCE, "batch item " + i);
      }
    }
  }

  static void assertSame(EmotionResult actual, EmotionResult expected, double tolerance, String what) {
    assertThat(actual.outcome()).as(what + " outcome").isEqualTo(expected.outcome());
    assertThat(actual.speech().basis()).as(what + " basis").isEqualTo(expected.speech().basis());
    assertClose(actual.speech().noSpeechProbability(), expected.speech().noSpeechProbability(),
        tolerance, what + " no_speech_prob");
    assertClose(actual.speech().avgLogProbability(), expected.speech().avgLogProbability(),
        tolerance, what + " avg_logprob");
    assertThat(actual.speech().compressionRatio()).as(what + " compression ratio")
        .isEqualTo(expected.speech().compressionRatio());
    assertThat(actual.asrTokenIds()).as(what + " ASR tokens").isEqualTo(expected.asrTokenIds());
    assertThat(actual.transcriptSupplied()).isEqualTo(expected.transcriptSupplied());
    if (!expected.isEmotion()) {
      return;
    }
    assertThat(actual.transcript()).as(what + " transcript").isEqualTo(expected.transcript());
    assertThat(actual.textTokenIds()).as(what + " text ids").isEqualTo(expected.textTokenIds());
    assertThat(actual.label()).as(what + " label").isEqualTo(expected.label());
    assertThat(actual.probabilities().keySet()).containsExactlyElementsOf(expected.probabilities().keySet());
    expected.probabilities().forEach((label, p) ->
        assertThat(actual.probability(label)).as(what + " P(" + label + ")").isCloseTo(p, within(tolerance)));
  }

  private static void assertClose(OptionalDouble actual, OptionalDouble expected, double tolerance,
      String what) {
    assertThat(actual.isPresent()).as(what + " present").isEqualTo(expected.isPresent());
    if (expected.isPresent()) {
      assertThat(actual.getAsDouble()).as(what).isCloseTo(expected.getAsDouble(), within(tolerance));
    }
  }
}

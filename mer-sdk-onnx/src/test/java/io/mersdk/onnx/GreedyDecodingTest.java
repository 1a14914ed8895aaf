package io.mersdk.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mersdk.EmotionResult;
import io.mersdk.Utterance;
import io.mersdk.onnx.testing.Backends;
import io.mersdk.onnx.testing.Manifests;
import io.mersdk.onnx.testing.TestData;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The loop stops where the manifest says. The fixtures' utterances run to max_new_tokens (random
 * weights rarely pick the end token), so these tests move the end token and the limit in a copy of
 * the manifest: greedy decoding is deterministic, so the expected tokens are a prefix of the
 * fixture's.
 */
class GreedyDecodingTest {
  @TempDir Path temp;

  /** The bundles that decode (text modality); the others have no decoder to test. */
  static List<Path> bundles() {
    return TestData.bundles().stream()
        .filter(b -> Manifests.read(b).get("variant").get("modalities").toString().contains("\"text\""))
        .toList();
  }

  private static List<TestData.Case> cases(Path bundle) {
    return TestData.fixtures(bundle.getFileName().toString()).orElseThrow().cases();
  }

  /** The model's speech rule off, so that every item reports its tokens. */
  private static Backends.TestBackend open(Path bundle) {
    return Backends.cpuWithoutSpeechRule(bundle);
  }

  private static EmotionResult one(Backends.TestBackend b, float[] wave) {
    return b.recognize(List.of(Utterance.of(wave))).get(0);
  }

  @ParameterizedTest
  @MethodSource("bundles")
  void decodingStopsAtMaxNewTokens(Path bundle) {
    Path copy = TestData.copyBundle(bundle, temp.resolve("b"));
    TestData.Case c = cases(bundle).get(0);
    List<Integer> tokens = c.ints("asr_tokens");
    assumeTrue(tokens.size() >= 2, "the fixture decodes fewer than 2 tokens");
    int limit = Math.min(5, tokens.size() - 1);
    Manifests.edit(copy, m -> decoding(m).put("max_new_tokens", limit));
    try (Backends.TestBackend r = open(copy)) {
      assertThat(one(r, c.waveform()).asrTokenIds()).isEqualTo(tokens.subList(0, limit));
    }
  }

  /**
   * Makes the fixture's k-th token of case 0 the end token: decoding must stop there and drop it,
   * while the other case (which never produces it) runs on in the same batch.
   */
  @ParameterizedTest
  @MethodSource("bundles")
  void decodingStopsAtTheEndTokenAndFinishedItemsRideAlong(Path bundle) {
    List<TestData.Case> cases = cases(bundle);
    List<Integer> first = cases.get(0).ints("asr_tokens");
    List<Integer> second = cases.get(1).ints("asr_tokens");
    int k = 1;
    while (k < first.size() && (first.subList(0, k).contains(first.get(k)) || second.contains(first.get(k)))) {
      k++;
    }
    assumeTrue(k < first.size(), "case 0 has no token that is new and absent from case 1");
    int end = first.get(k);
    Path copy = TestData.copyBundle(bundle, temp.resolve("b"));
    Manifests.edit(copy, m -> decoding(m).put("end_token", end));

    try (Backends.TestBackend r = open(copy)) {
      List<EmotionResult> batch = r.recognize(List.of(
          Utterance.of(cases.get(0).waveform()), Utterance.of(cases.get(1).waveform())));
      assertThat(batch.get(0).asrTokenIds()).isEqualTo(first.subList(0, k));
      assertThat(batch.get(1).asrTokenIds()).isEqualTo(second);
      assertThat(one(r, cases.get(0).waveform()).asrTokenIds()).isEqualTo(first.subList(0, k));
    }
  }

  /**
   * The end token among suppress_tokens (how benchmark bundles fix the work): decoding runs exactly
   * max_new_tokens steps even where the end token would win, and never emits it.
   */
  @ParameterizedTest
  @MethodSource("bundles")
  void aSuppressedEndTokenMeansFixedLengthDecoding(Path bundle) {
    List<Integer> tokens = cases(bundle).get(0).ints("asr_tokens");
    // the first token (after the second) not seen before: suppressing it keeps the prefix
    int k = 2;
    while (k < tokens.size() && tokens.subList(0, k).contains(tokens.get(k))) {
      k++;
    }
    assumeTrue(k < tokens.size(), "the fixture decodes no new token after the second");
    int end = tokens.get(k);
    List<Integer> prefix = tokens.subList(0, k);
    Path copy = TestData.copyBundle(bundle, temp.resolve("b"));
    Manifests.edit(copy, m -> {
      decoding(m).put("end_token", end);
      ((com.fasterxml.jackson.databind.node.ArrayNode) decoding(m).get("suppress_tokens")).add(end);
    });
    try (Backends.TestBackend r = open(copy)) {
      List<Integer> got = one(r, cases(bundle).get(0).waveform()).asrTokenIds();
      assertThat(got).hasSize(decoding(Manifests.read(copy)).get("max_new_tokens").asInt())
          .doesNotContain(end).startsWith(prefix.toArray(Integer[]::new));
    }
  }

  private static ObjectNode decoding(ObjectNode manifest) {
    return (ObjectNode) manifest.get("whisper").get("decoding");
  }
}

package io.mersdk.onnx;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mersdk.Device;
import io.mersdk.EmotionRecognizer;
import io.mersdk.EmotionResult;
import io.mersdk.Utterance;
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

  static List<Path> bundles() {
    return TestData.bundles();
  }

  private static List<TestData.Case> cases(Path bundle) {
    return TestData.fixtures(bundle.getFileName().toString()).orElseThrow().cases();
  }

  private static EmotionRecognizer open(Path bundle) {
    return EmotionRecognizer.builder().bundle(bundle).device(Device.CPU).threads(1).build();
  }

  @ParameterizedTest
  @MethodSource("bundles")
  void decodingStopsAtMaxNewTokens(Path bundle) {
    Path copy = TestData.copyBundle(bundle, temp.resolve("b"));
    Manifests.edit(copy, m -> decoding(m).put("max_new_tokens", 5));
    TestData.Case c = cases(bundle).get(0);
    try (EmotionRecognizer r = open(copy)) {
      assertThat(r.recognize(c.waveform()).asrTokenIds()).isEqualTo(c.ints("asr_tokens").subList(0, 5));
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
    while (first.subList(0, k).contains(first.get(k)) || second.contains(first.get(k))) {
      k++;
    }
    int end = first.get(k);
    Path copy = TestData.copyBundle(bundle, temp.resolve("b"));
    Manifests.edit(copy, m -> decoding(m).put("end_token", end));

    try (EmotionRecognizer r = open(copy)) {
      List<EmotionResult> batch = r.recognizeBatch(List.of(
          Utterance.of(cases.get(0).waveform()), Utterance.of(cases.get(1).waveform())));
      assertThat(batch.get(0).asrTokenIds()).isEqualTo(first.subList(0, k));
      assertThat(batch.get(1).asrTokenIds()).isEqualTo(second);
      assertThat(r.recognize(cases.get(0).waveform()).asrTokenIds()).isEqualTo(first.subList(0, k));
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
    int end = tokens.get(2);
    Path copy = TestData.copyBundle(bundle, temp.resolve("b"));
    Manifests.edit(copy, m -> {
      decoding(m).put("end_token", end);
      ((com.fasterxml.jackson.databind.node.ArrayNode) decoding(m).get("suppress_tokens")).add(end);
    });
    try (EmotionRecognizer r = open(copy)) {
      List<Integer> got = r.recognize(cases(bundle).get(0).waveform()).asrTokenIds();
      assertThat(got).hasSize(decoding(Manifests.read(copy)).get("max_new_tokens").asInt())
          .doesNotContain(end).startsWith(tokens.subList(0, 2).toArray(Integer[]::new));
    }
  }

  private static ObjectNode decoding(ObjectNode manifest) {
    return (ObjectNode) manifest.get("whisper").get("decoding");
  }
}

package io.mersdk.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mersdk.Device;
import io.mersdk.EmotionRecognizer;
import io.mersdk.EmotionResult;
import io.mersdk.audio.AudioSources;
import io.mersdk.json.ResultJson;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code mer recognize} on tiny-a (4 labels) and tiny-b (6 labels): every output format. */
class RecognizeCommandTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir static Path dir;
  static Path low;
  static Path mid;
  static Path high;

  @BeforeAll
  static void recordings() throws IOException {
    low = TestAudio.writeWav(dir.resolve("low.wav"), TestAudio.voiced(1.2, 110, 1));
    mid = TestAudio.writeWav(dir.resolve("mid.wav"), TestAudio.voiced(0.8, 180, 2));
    high = TestAudio.writeWav(dir.resolve("high.wav"), TestAudio.voiced(1.5, 260, 3));
  }

  static String[] args(String bundle, String... rest) {
    return Stream.concat(Stream.of("recognize", "--bundle", TestAudio.bundle(bundle).toString(),
        "--device", "cpu", "--threads", "2"), Arrays.stream(rest)).toArray(String[]::new);
  }

  static EmotionRecognizer direct(String bundle) {
    return EmotionRecognizer.builder().bundle(TestAudio.bundle(bundle)).device(Device.CPU)
        .threads(2).build();
  }

  /**
   * CLI options under which Whisper's evidence can never say "no speech" (no probability exceeds 1,
   * no ratio 1e300): for tests whose point is the emotion, on random-weight bundles whose garbage
   * transcripts the model rule may rightly call no speech. The acoustic gate still runs.
   */
  static final List<String> WITHOUT_MODEL_RULE =
      List.of("--no-speech-threshold", "1", "--compression-ratio-threshold", "1e300");

  /** {@link #direct} with the same thresholds as {@link #WITHOUT_MODEL_RULE}. */
  static EmotionRecognizer directWithoutModelRule(String bundle) {
    return EmotionRecognizer.builder().bundle(TestAudio.bundle(bundle)).device(Device.CPU)
        .threads(2).noSpeechThreshold(1.0).compressionRatioThreshold(1e300).build();
  }

  @ParameterizedTest
  @ValueSource(strings = {"tiny-a", "tiny-b"})
  void jsonlEqualsDirectCalls(String bundle) throws IOException {
    Cli.Run run = Cli.run(args(bundle, "--format", "jsonl", low.toString(), mid.toString(),
        high.toString()));

    assertThat(run.exitCode()).as(run.err()).isZero();
    List<String> lines = run.outLines();
    assertThat(lines).hasSize(3);
    int emotions = 0;
    try (EmotionRecognizer rec = direct(bundle)) {
      Path[] files = {low, mid, high};
      for (int i = 0; i < files.length; i++) {
        JsonNode row = JSON.readTree(lines.get(i));
        EmotionResult expected = rec.recognize(AudioSources.of(files[i]));
        assertThat(row.get("file").asText()).isEqualTo(files[i].toString());
        assertThat(row.get("bundle_id").asText()).isEqualTo(bundle);
        assertThat(row.get("device").asText()).isEqualTo("cpu");
        assertThat(fieldNames(row.get("timings_ms"))).containsExactly("speech_gate", "features",
            "asr_encode", "asr_decode", "speech_encoder", "text_encoder", "head", "total");
        assertThat(row.get("timings_ms").get("total").asDouble()).isPositive();
        assertThat(row.get("outcome").asText()).isEqualTo(ResultJson.name(expected.outcome()));
        JsonNode speech = row.get("speech");
        assertThat(speech.get("speech").asBoolean()).isEqualTo(expected.speech().isSpeech());
        assertThat(speech.get("basis").asText()).isEqualTo(ResultJson.name(expected.speech().basis()));
        assertThat(speech.has("avg_logprob")).isEqualTo(expected.speech().avgLogProbability().isPresent());
        if (!expected.isEmotion()) {
          assertThat(row.has("label")).isFalse();
          continue;
        }
        emotions++;
        assertThat(row.get("label").asText()).isEqualTo(expected.label());
        assertThat(row.get("transcript").asText()).isEqualTo(expected.transcript());
        JsonNode p = row.get("probabilities");
        assertThat(fieldNames(p)).containsExactlyElementsOf(rec.labels());
        double sum = 0;
        for (String l : rec.labels()) {
          assertThat(p.get(l).asDouble()).as(l).isCloseTo(expected.probability(l), within(1e-6));
          sum += p.get(l).asDouble();
        }
        assertThat(sum).isCloseTo(1.0, within(1e-5));
        assertThat(row.get("confidence").asDouble()).isEqualTo(p.get(expected.label()).asDouble());
      }
    }
    // the numeric checks above ran on at least one row: a CLI that printed "no speech" for every
    // file would otherwise pass
    assertThat(emotions).as("rows with an emotion").isPositive();
  }

  @ParameterizedTest
  @ValueSource(strings = {"tiny-a", "tiny-b"})
  void tableHasEveryLabelAndOneRowPerFile(String bundle) {
    // the point is the emotion columns: without the model rule, which may call a random-weight
    // bundle's transcripts no speech (then no row would have numbers to check)
    List<String> a = new ArrayList<>(WITHOUT_MODEL_RULE);
    a.addAll(List.of(low.toString(), high.toString()));
    Cli.Run run = Cli.run(args(bundle, a.toArray(String[]::new)));

    assertThat(run.exitCode()).as(run.err()).isZero();
    List<String> lines = run.outLines();
    assertThat(lines).hasSize(3);
    List<String> labels = labels(bundle);
    List<String> header = Arrays.asList(lines.get(0).trim().split("\\s+"));
    List<String> expectedHeader = new ArrayList<>(List.of("file", "label", "conf"));
    expectedHeader.addAll(labels);
    expectedHeader.addAll(List.of("speech_gate_ms", "features_ms", "asr_encode_ms", "asr_decode_ms",
        "speech_encoder_ms", "text_encoder_ms", "head_ms", "total_ms", "device", "transcript"));
    assertThat(header).containsExactlyElementsOf(expectedHeader);
    int emotions = 0;
    for (int r = 1; r < 3; r++) {
      String[] cells = lines.get(r).trim().split("\\s+");
      assertThat(cells[0]).isEqualTo((r == 1 ? low : high).toString());
      if (lines.get(r).contains(" no speech ")) {
        continue; // the model's rule said so (a bundle with that evidence): no numbers to check
      }
      emotions++;
      assertThat(labels).contains(cells[1]);
      double sum = 0;
      for (int k = 0; k < labels.size(); k++) {
        sum += Double.parseDouble(cells[3 + k]);
      }
      // printed to 4 decimals
      assertThat(sum).isCloseTo(1.0, within(labels.size() * 5e-5));
      assertThat(Double.parseDouble(cells[2]))
          .isEqualTo(Double.parseDouble(cells[3 + labels.indexOf(cells[1])]));
      assertThat(cells[3 + labels.size() + 8]).isEqualTo("cpu");
    }
    assertThat(emotions).as("rows with an emotion").isPositive();
  }

  @ParameterizedTest
  @ValueSource(strings = {"tiny-a", "tiny-b"})
  void csvParsesWithEveryLabel(String bundle) {
    Cli.Run run = Cli.run(args(bundle, "--format", "csv", low.toString(), mid.toString()));

    assertThat(run.exitCode()).as(run.err()).isZero();
    List<List<String>> rows = Csv.parse(run.out());
    assertThat(rows).hasSize(3);
    List<String> header = rows.get(0);
    List<String> labels = labels(bundle);
    for (String l : labels) {
      assertThat(header).contains("p_" + l);
    }
    assertThat(header).startsWith("file", "label", "confidence").endsWith("device", "transcript")
        .contains("speech_basis", "no_speech_prob", "avg_logprob", "speech_gate_ms");
    int emotions = 0;
    for (List<String> row : rows.subList(1, 3)) {
      assertThat(row).hasSameSizeAs(header);
      if (row.get(header.indexOf("label")).equals("no speech")) {
        continue;
      }
      emotions++;
      double sum = 0;
      for (String l : labels) {
        sum += Double.parseDouble(row.get(header.indexOf("p_" + l)));
      }
      assertThat(sum).isCloseTo(1.0, within(1e-5));
      assertThat(labels).contains(row.get(header.indexOf("label")));
    }
    assertThat(emotions).as("rows with an emotion").isPositive();
    assertThat(rows.get(1).get(0)).isEqualTo(low.toString());
    // every number is the API's, to the last digit (CSV prints doubles in full)
    try (EmotionRecognizer rec = direct(bundle)) {
      Path[] files = {low, mid};
      for (int i = 0; i < files.length; i++) {
        List<String> row = rows.get(i + 1);
        EmotionResult expected = rec.recognize(AudioSources.of(files[i]));
        assertThat(row.get(header.indexOf("speech_basis")))
            .isEqualTo(ResultJson.name(expected.speech().basis()));
        if (!expected.isEmotion()) {
          assertThat(row.get(header.indexOf("label"))).isEqualTo("no speech");
          continue;
        }
        assertThat(row.get(header.indexOf("label"))).isEqualTo(expected.label());
        for (String l : labels) {
          assertThat(Double.parseDouble(row.get(header.indexOf("p_" + l)))).as(l)
              .isCloseTo(expected.probability(l), within(1e-6));
        }
      }
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"tiny-a", "tiny-b"})
  void badFileIsNamedAndOthersAreProcessed(String bundle) throws IOException {
    Path bad = Files.writeString(dir.resolve("notes-" + bundle + ".wav"), "this is not audio");

    Cli.Run run = Cli.run(args(bundle, "--format", "jsonl", low.toString(), bad.toString(),
        high.toString()));

    assertThat(run.exitCode()).isEqualTo(Mer.INPUTS_FAILED);
    assertThat(run.outLines()).hasSize(2);
    assertThat(run.outLines().get(0)).contains(low.toString());
    assertThat(run.outLines().get(1)).contains(high.toString());
    assertThat(run.errLines()).hasSize(1);
    assertThat(run.errLines().get(0)).startsWith("mer: ").contains(bad.toString())
        .contains("not audio");
  }

  @ParameterizedTest
  @ValueSource(strings = {"tiny-a", "tiny-b"})
  void batchGivesTheSameAsOneByOne(String bundle) throws IOException {
    Cli.Run single = Cli.run(args(bundle, "--format", "jsonl", low.toString(), mid.toString(),
        high.toString()));
    Cli.Run batched = Cli.run(args(bundle, "--format", "jsonl", "--batch", "2", low.toString(),
        mid.toString(), high.toString()));

    assertThat(batched.exitCode()).as(batched.err()).isZero();
    assertThat(batched.outLines()).hasSize(3);
    for (int i = 0; i < 3; i++) {
      JsonNode a = JSON.readTree(single.outLines().get(i));
      JsonNode b = JSON.readTree(batched.outLines().get(i));
      assertThat(b.get("file")).isEqualTo(a.get("file"));
      assertThat(b.get("outcome")).isEqualTo(a.get("outcome"));
      assertThat(b.get("label")).isEqualTo(a.get("label"));
      if (!a.get("outcome").asText().equals("emotion")) {
        continue;
      }
      for (String l : labels(bundle)) {
        assertThat(b.get("probabilities").get(l).asDouble())
            .isCloseTo(a.get("probabilities").get(l).asDouble(), within(1e-4));
      }
    }
  }

  static List<String> labels(String bundle) {
    return bundle.equals("tiny-a") ? List.of("neutral", "happy", "sad", "angry")
        : List.of("neutral", "happy", "sad", "angry", "fearful", "surprised");
  }

  static List<String> fieldNames(JsonNode node) {
    List<String> names = new ArrayList<>();
    node.fieldNames().forEachRemaining(names::add);
    return names;
  }
}

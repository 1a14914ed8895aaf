package io.mersdk.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mersdk.Device;
import io.mersdk.EmotionRecognizer;
import io.mersdk.EmotionResult;
import io.mersdk.audio.AudioSources;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The embedded demo bundle, read from the class path as users read it, gives the PyTorch
 * reference's labels, transcripts, probabilities and speech evidence (no_speech_prob, avg_logprob,
 * compression ratio) on held-out synthetic utterances and non-speech clips (fixtures written by
 * {@code python -m mer_train make-demo-bundle}: FLAC audio, lossless, so the samples are those
 * PyTorch saw). Parity runs with the acoustic gate off and Whisper's speech rule unable to say no
 * speech, so that every stage runs on every clip; a second recogniser with the bundle's thresholds
 * checks the rule on the same evidence.
 */
class DemoBundleParityTest {
  static final String BUNDLE = "io/mersdk/demo/bundle";
  static final Path FIXTURES = fixtures();
  /** The documented tolerance of the evidence (docs/model-bundle.md). */
  static final double EVIDENCE = 1e-4;
  static EmotionRecognizer recognizer;
  static EmotionRecognizer withRule;
  static final java.util.Map<String, Double> REPORT = new java.util.TreeMap<>();

  @BeforeAll
  static void open() {
    recognizer = EmotionRecognizer.builder().bundleResource(BUNDLE).device(Device.CPU).threads(2)
        .speechGate(false).noSpeechThreshold(1.0).compressionRatioThreshold(Double.MAX_VALUE).build();
    withRule = EmotionRecognizer.builder().bundleResource(BUNDLE).device(Device.CPU).threads(2)
        .speechGate(false).build();
  }

  @AfterAll
  static void close() throws IOException {
    recognizer.close();
    withRule.close();
    StringBuilder sb = new StringBuilder("# demo bundle: max |java - python| of the speech evidence per case\n");
    synchronized (REPORT) {
      REPORT.forEach((k, v) -> sb.append(k).append('\t').append(String.format("%.3e", v)).append('\n'));
    }
    java.nio.file.Files.createDirectories(Path.of("target"));
    java.nio.file.Files.writeString(Path.of("target", "demo-parity-report.txt"), sb.toString());
  }

  static JsonNode doc() {
    try {
      return new ObjectMapper().readTree(FIXTURES.resolve("fixtures.json").toFile());
    } catch (IOException e) {
      throw new AssertionError("cannot read the demo fixtures", e);
    }
  }

  static List<JsonNode> cases() {
    return StreamSupport.stream(doc().get("cases").spliterator(), false).toList();
  }

  @Test
  void theBundleIsTheOneTheFixturesWereMadeFrom() {
    JsonNode doc = doc();
    assertThat(recognizer.bundle().bundleId()).isEqualTo(doc.get("bundle_id").asText());
    List<String> labels = new ArrayList<>();
    doc.get("labels").forEach(l -> labels.add(l.asText()));
    assertThat(recognizer.labels()).containsExactlyElementsOf(labels);
    // every label is represented among the held-out cases
    assertThat(cases()).filteredOn(c -> c.has("true_label"))
        .extracting(c -> c.get("true_label").asText()).containsAll(labels);
  }

  @ParameterizedTest(name = "{index}: {0}")
  @MethodSource("cases")
  void sameLabelTranscriptAndProbabilitiesAsPyTorch(JsonNode c) {
    double tol = doc().get("tolerances").get("probabilities").asDouble();
    assertThat(tol).as("fixture tolerance, at most the documented 1e-4").isLessThanOrEqualTo(1e-4);
    EmotionResult r = recognizer.recognize(AudioSources.of(FIXTURES.resolve(c.get("audio").asText())));
    assertThat(r.isEmotion()).as("with the speech rule off").isTrue();
    assertEvidence(c, r);

    List<Integer> tokens = new ArrayList<>();
    c.get("asr_tokens").forEach(t -> tokens.add(t.asInt()));
    assertThat(r.asrTokenIds()).as("Whisper greedy tokens").containsExactlyElementsOf(tokens);
    assertThat(r.transcript()).isEqualTo(c.get("transcript").asText());
    List<Integer> ids = new ArrayList<>();
    c.get("text_ids").forEach(t -> ids.add(t.asInt()));
    assertThat(r.textTokenIds()).as("RoBERTa ids").containsExactlyElementsOf(ids);

    assertThat(r.label()).isEqualTo(c.get("label").asText());
    List<String> labels = recognizer.labels();
    for (int i = 0; i < labels.size(); i++) {
      assertThat(r.probability(labels.get(i))).as(labels.get(i))
          .isCloseTo(c.get("probabilities").get(i).asDouble(), within(tol));
      bounds(c.get("audio").asText() + " probabilities",
          Math.abs(r.probability(labels.get(i)) - c.get("probabilities").get(i).asDouble()), tol);
    }
  }

  /**
   * One JSON line per comparison in target/bounds-java.jsonl (scripts/test-portability.sh reads
   * them): the largest difference seen against its bound. The bounds are ParityTest's (derived there).
   */
  private static synchronized void bounds(String what, double diff, double bound) {
    try {
      java.nio.file.Files.createDirectories(Path.of("target"));
      java.nio.file.Files.writeString(Path.of("target", "bounds-java.jsonl"), String.format(java.util.Locale.ROOT,
          "{\"suite\":\"java\",\"setting\":\"%s\",\"test\":\"DemoBundleParityTest\",\"what\":\"%s\","
              + "\"diff\":%.6e,\"bound\":%.6e}%n", System.getenv().getOrDefault("MER_BOUNDS_SETTING", ""),
          what, diff, bound), java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** With the bundle's thresholds the outcome is openai-whisper's rule on the same evidence. */
  @ParameterizedTest(name = "{index}: {0}")
  @MethodSource("cases")
  void theOutcomeFollowsTheBundlesRule(JsonNode c) {
    float[] samples = AudioSources.of(FIXTURES.resolve(c.get("audio").asText()))
        .readMono(recognizer.bundle().sampleRate());
    io.mersdk.SpeechDecision evidence = recognizer.recognize(samples).speech();
    EmotionResult r = withRule.recognize(samples);
    io.mersdk.SpeechThresholds t = withRule.bundle().speechThresholds();
    boolean noSpeech = withRule.bundle().modelSpeechEvidence() && t.noSpeech(
        evidence.noSpeechProbability().orElse(Double.NaN), evidence.avgLogProbability().orElse(Double.NaN),
        evidence.compressionRatio().orElse(Double.NaN));
    assertThat(r.isNoSpeech()).isEqualTo(noSpeech);
    if (c.has("is_speech") && withRule.bundle().modelSpeechEvidence()
        && Math.abs(c.get("avg_logprob").asDouble() - t.logProb()) > EVIDENCE
        && Math.abs(c.get("no_speech_prob").asDouble() - t.noSpeech()) > EVIDENCE
        && Math.abs(c.get("compression_ratio").asDouble() - t.compressionRatio()) > 1e-9) {
      // an oracle that does not share SpeechThresholds: the decision mer-train made in Python
      assertThat(r.isNoSpeech()).as("the Python reference's decision (fixture is_speech)")
          .isEqualTo(!c.get("is_speech").asBoolean());
    }
    assertThat(r.speech().avgLogProbability()).isEqualTo(evidence.avgLogProbability());
  }

  /** Evidence fields the fixtures have (format 2) equal PyTorch's within 1e-4. */
  private static void assertEvidence(JsonNode c, EmotionResult r) {
    double tol = doc().get("tolerances").has("speech_evidence")
        ? doc().get("tolerances").get("speech_evidence").asDouble() : EVIDENCE;
    assertThat(tol).isLessThanOrEqualTo(EVIDENCE);
    for (String field : List.of("no_speech_prob", "avg_logprob", "compression_ratio")) {
      if (!c.has(field)) {
        assertThat(recognizer.bundle().formatVersion()).as("fixture field " + field).isLessThan(2);
        continue;
      }
      java.util.OptionalDouble actual = switch (field) {
        case "no_speech_prob" -> r.speech().noSpeechProbability();
        case "avg_logprob" -> r.speech().avgLogProbability();
        default -> r.speech().compressionRatio();
      };
      if (c.get(field).isNull()) {
        assertThat(actual).as(field).isEmpty();
        continue;
      }
      assertThat(actual).as(field).isPresent();
      double diff = Math.abs(actual.getAsDouble() - c.get(field).asDouble());
      synchronized (REPORT) {
        REPORT.put(c.get("audio").asText() + "\t" + field, diff);
      }
      bounds(c.get("audio").asText() + " " + field, diff, tol);
      assertThat(diff).as(field + " |java - python|").isLessThanOrEqualTo(tol);
    }
  }

  private static Path fixtures() {
    try {
      return Path.of(DemoBundleParityTest.class.getResource("/io/mersdk/demo/fixtures/fixtures.json").toURI())
          .getParent();
    } catch (URISyntaxException | NullPointerException e) {
      throw new AssertionError("demo fixtures missing: run python -m mer_train make-demo-bundle", e);
    }
  }
}

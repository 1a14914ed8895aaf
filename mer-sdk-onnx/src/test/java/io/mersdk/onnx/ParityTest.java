package io.mersdk.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.mersdk.EmotionResult;
import io.mersdk.Outcome;
import io.mersdk.SpeechDecision;
import io.mersdk.Utterance;
import io.mersdk.onnx.internal.pipeline.Probe;
import io.mersdk.onnx.testing.Backends;
import io.mersdk.onnx.testing.BoundsReport;
import io.mersdk.onnx.testing.Collector;
import io.mersdk.onnx.testing.TestData;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Parity with the Python reference for every stage, on every bundle in testdata/bundles (and the
 * format-1 compatibility bundle): the fixtures were computed by mer-train (encoders and the
 * decoder's evidence against PyTorch). Floats within the fixture's tolerances, which may not exceed
 * the documented ones; token ids exactly equal. Nothing here assumes a bundle shape: stages the
 * bundle does not have are simply absent from its fixtures.
 */
class ParityTest {
  /**
   * The documented tolerances (docs/model-bundle.md, "Parity"): a fixture may be stricter only.
   * Java runs the exported graphs on ONNX Runtime, the fixture is PyTorch's: two float32 programs
   * with different kernels and op fusions, on any CPU. Derived per stage (docs/testing.md, "Bounds",
   * u = 2^-24): log-mel, a sum over 201 FFT bins in log10, is off by up to dM / (M ln 10) at the
   * weakest kept bin (4 decades below a frame's energy: ~1e4 x 201 u ~ 1e-4 in log10 units, twice
   * for two programs, then the max - 8 floor) -> 1e-3; encoder and hidden states, ~10-20 float32
   * layers of reductions of 32-256 terms on values of magnitude <= ~10 (layers x sqrt(n) x u x |x|
   * ~ 20 x 16 x 6e-8 x 10 = 2e-4 worst, 1e-5 typical), plus the log-mel's difference carried
   * through -> 1e-4; logits (magnitude <= ~10, after every encoder and the head) 1e-3;
   * probabilities (softmax moves by at most 2 x the logits' error times p(1 - p) <= 1/4) 1e-4.
   * Each bound still fails a real bug (a frame off by one, a wrong window, a swapped layer): those
   * move values by 1e-1 or more (docs/testing.md lists the mutations checked).
   */
  private static final Map<String, Double> DOCUMENTED = Map.of("log_mel", 1e-3, "logits", 1e-3,
      "encoder_states", 1e-4, "hidden_states", 1e-4, "probabilities", 1e-4, "speech_evidence", 1e-4);

  private static final Map<Path, Backends.TestBackend> BACKENDS = new ConcurrentHashMap<>();
  private static final Map<Path, Backends.TestBackend> WITH_RULE = new ConcurrentHashMap<>();
  /** "bundle case stage" -> max |java - python|, written to target/parity-report.txt. */
  private static final Map<String, Double> REPORT = new TreeMap<>();

  /** A bundle folder with its fixtures. */
  record Bundle(String id, Path folder, TestData.Fixtures fixtures) {
    @Override
    public String toString() {
      return id;
    }
  }

  static List<Bundle> bundles() {
    List<Bundle> out = new ArrayList<>();
    for (Path b : TestData.bundles()) {
      String id = b.getFileName().toString();
      TestData.fixtures(id).ifPresent(f -> out.add(new Bundle(id, b, f)));
    }
    for (Path b : TestData.rewrittenBundles()) {
      String id = b.getFileName().toString();
      out.add(new Bundle("rewritten/" + id, b, TestData.fixtures(id).orElseThrow(() -> new AssertionError(
          "testdata/rewritten/" + id + " has no fixtures under testdata/fixtures/" + id))));
    }
    TestData.compatFormat1Bundle().ifPresent(b -> out.add(new Bundle("format-1/tiny-b", b,
        TestData.compatFormat1Fixtures().orElseThrow(() -> new AssertionError(
            "testdata/compat/format-1 has the bundle but not its fixtures")))));
    return out;
  }

  static Stream<Arguments> cases() {
    return bundles().stream().flatMap(b -> b.fixtures().cases().stream()
        .map(c -> Arguments.of(b.id(), c.name(), b, c)));
  }

  private static Backends.TestBackend backend(Bundle b) {
    return BACKENDS.computeIfAbsent(b.folder(), Backends::cpuWithoutSpeechRule);
  }

  @AfterAll
  static void closeAndReport() throws IOException {
    BACKENDS.values().forEach(Backends.TestBackend::close);
    WITH_RULE.values().forEach(Backends.TestBackend::close);
    StringBuilder sb = new StringBuilder("# max |java - python| per bundle, case and stage\n");
    synchronized (REPORT) {
      REPORT.forEach((k, v) -> sb.append(k).append('\t').append(String.format("%.3e", v)).append('\n'));
    }
    Files.createDirectories(Path.of("target"));
    Files.writeString(Path.of("target", "parity-report.txt"), sb.toString());
    BoundsReport.write();
  }

  @Test
  void everyBundleHasFixtures() {
    assertThat(TestData.bundles()).as("bundles in " + TestData.root()).hasSizeGreaterThanOrEqualTo(2);
    for (Path b : TestData.bundles()) {
      assertThat(TestData.fixtures(b.getFileName().toString()))
          .as("fixtures for " + b.getFileName()).isPresent();
    }
  }

  /** Editing fixtures.json must not loosen this test: each tolerance is at most the documented one. */
  @ParameterizedTest(name = "{0}")
  @MethodSource("bundles")
  void fixtureTolerancesAreAtMostTheDocumentedOnes(Bundle b) {
    b.fixtures().json().get("tolerances").fields().forEachRemaining(e -> {
      assertThat(DOCUMENTED).as(b.id() + ": tolerance " + e.getKey() + " is documented")
          .containsKey(e.getKey());
      assertThat(e.getValue().asDouble()).as(b.id() + ": tolerance " + e.getKey())
          .isLessThanOrEqualTo(DOCUMENTED.get(e.getKey()));
    });
  }

  @ParameterizedTest(name = "{0} {1}: ASR transcript, every stage")
  @MethodSource("cases")
  void everyStageMatchesThePythonReference(String id, String name, Bundle b, TestData.Case c) {
    TestData.Fixtures f = b.fixtures();
    Collector probe = new Collector();
    EmotionResult r = backend(b).recognize(List.of(Utterance.of(c.waveform())), probe).get(0);
    assertThat(r.outcome()).as("with the speech rule off").isEqualTo(Outcome.EMOTION);

    for (Map.Entry<String, TestData.Array> e : c.arrays().entrySet()) {
      String stage = e.getKey();
      if (stage.equals("waveform") || stage.equals("encoder_states_fitted")) {
        continue; // the input, and the fitted window's states (FitAsrWindowTest)
      }
      TestData.Array expected = e.getValue();
      TestData.Array actual = probe.get(stage, 0);
      assertThat(actual.shape()).as(id + " " + name + " " + stage + " shape").containsExactly(expected.shape());
      double diff = TestData.maxAbsDiff(actual.data(), expected.data());
      double bound = f.tolerance(stage.endsWith("hidden_states") ? "hidden_states" : stage);
      record(id, name, stage, diff, bound);
      assertThat(diff).as(id + " " + name + " " + stage + " max abs diff").isLessThanOrEqualTo(bound);
    }
    if (c.has("logits")) {
      compare(id, name, "logits", probe.get(Probe.LOGITS, 0).data(), c.doubles("logits"),
          f.tolerance("logits"));
    }

    if (c.has("asr_tokens")) {
      assertThat(r.asrTokenIds()).as("greedy tokens").isEqualTo(c.ints("asr_tokens"));
      assertThat(r.transcript()).as("transcript").isEqualTo(c.transcript());
    }
    if (c.has("text_ids")) {
      assertThat(r.textTokenIds()).as("text encoder ids of the transcript").isEqualTo(c.ints("text_ids"));
    }
    assertThat(r.transcriptSupplied()).isFalse();
    assertProbabilities(id, name, "probabilities", r, c.doubles("probabilities"), f.tolerance("probabilities"));
    assertThat(r.label()).isEqualTo(c.label());
    assertThat(r.bundleId()).isEqualTo(f.bundleId());
    assertThat(r.device()).isEqualTo(io.mersdk.Device.CPU);
    assertEvidence(b, c, r.speech());
  }

  /**
   * The decoder's evidence equals PyTorch's (openai-whisper's definitions): required in the
   * fixtures of every format-2 bundle that decodes; format-1 fixtures predate it.
   */
  private static void assertEvidence(Bundle b, TestData.Case c, SpeechDecision d) {
    boolean decodes = backend(b).manifest().decodes();
    if (!decodes) {
      assertThat(d.avgLogProbability()).as("no decoding, no evidence").isEmpty();
      return;
    }
    if (backend(b).manifest().formatVersion() < 2 && !c.has("avg_logprob")) {
      return;
    }
    double tolerance = b.fixtures().json().get("tolerances").has("speech_evidence")
        ? b.fixtures().tolerance("speech_evidence") : DOCUMENTED.get("speech_evidence");
    for (String field : List.of("no_speech_prob", "avg_logprob", "compression_ratio")) {
      assertThat(c.has(field)).as(b.id() + " " + c.name() + ": fixture field " + field).isTrue();
      OptionalDouble actual = switch (field) {
        case "no_speech_prob" -> d.noSpeechProbability();
        case "avg_logprob" -> d.avgLogProbability();
        default -> d.compressionRatio();
      };
      JsonNode expected = c.json().get(field);
      if (expected.isNull()) {
        assertThat(actual).as(field + " (the bundle has no no-speech token)").isEmpty();
        continue;
      }
      assertThat(actual).as(field).isPresent();
      double diff = Math.abs(actual.getAsDouble() - expected.asDouble());
      record(b.id(), c.name(), field, diff, tolerance);
      assertThat(diff).as(b.id() + " " + c.name() + " " + field + " |java - python|")
          .isLessThanOrEqualTo(tolerance);
    }
  }

  /**
   * With the bundle's thresholds the outcome follows openai-whisper's rule on the evidence; the
   * evidence is the same as without the rule.
   */
  @ParameterizedTest(name = "{0} {1}: the bundle's speech rule")
  @MethodSource("cases")
  void theOutcomeFollowsTheBundlesRuleOnTheEvidence(String id, String name, Bundle b, TestData.Case c) {
    Backends.TestBackend ruled = WITH_RULE.computeIfAbsent(b.folder(), Backends::cpu);
    Utterance u = Utterance.of(c.waveform());
    SpeechDecision evidence = backend(b).recognize(List.of(u)).get(0).speech();
    EmotionResult r = ruled.recognize(List.of(u)).get(0);

    boolean decides = ruled.bundle().modelSpeechEvidence();
    boolean noSpeech = decides && ruled.speechThresholds().noSpeech(
        evidence.noSpeechProbability().orElse(Double.NaN), evidence.avgLogProbability().orElse(Double.NaN),
        evidence.compressionRatio().orElse(Double.NaN));
    assertThat(r.outcome()).isEqualTo(noSpeech ? Outcome.NO_SPEECH : Outcome.EMOTION);
    if (c.has("is_speech") && !nearAThreshold(ruled.speechThresholds(), c, b.fixtures())) {
      // an oracle that does not share SpeechThresholds: the decision mer-train made in Python
      assertThat(r.outcome()).as("the Python reference's decision (fixture is_speech)")
          .isEqualTo(c.json().get("is_speech").asBoolean() ? Outcome.EMOTION : Outcome.NO_SPEECH);
    }
    assertThat(r.speech().basis()).isEqualTo(decides ? SpeechDecision.Basis.MODEL
        : SpeechDecision.Basis.NOT_CHECKED);
    assertThat(r.speech().noSpeechProbability()).isEqualTo(evidence.noSpeechProbability());
    assertThat(r.speech().avgLogProbability()).isEqualTo(evidence.avgLogProbability());
    assertThat(r.speech().compressionRatio()).isEqualTo(evidence.compressionRatio());
    if (r.isNoSpeech()) {
      assertThat(r.asrTokenIds()).isEmpty();
    }
  }

  /** Evidence within its parity tolerance of a threshold: either side may decide either way. */
  static boolean nearAThreshold(io.mersdk.SpeechThresholds t, TestData.Case c, TestData.Fixtures f) {
    double tol = f.json().get("tolerances").has("speech_evidence") ? f.tolerance("speech_evidence")
        : DOCUMENTED.get("speech_evidence");
    JsonNode j = c.json();
    return Math.abs(j.path("no_speech_prob").asDouble(Double.NaN) - t.noSpeech()) <= tol
        || Math.abs(j.path("avg_logprob").asDouble(Double.NaN) - t.logProb()) <= tol
        || Math.abs(j.path("compression_ratio").asDouble(Double.NaN) - t.compressionRatio()) <= 1e-9;
  }

  @ParameterizedTest(name = "{0} {1}: caller-supplied transcript")
  @MethodSource("cases")
  void suppliedTranscriptSkipsAsrAndMatches(String id, String name, Bundle b, TestData.Case c) {
    assumeTrue(c.has("probabilities_supplied") && c.has("sentence"), "the bundle reads no text");
    EmotionResult r = backend(b).recognize(List.of(Utterance.of(c.waveform(), c.sentence()))).get(0);

    assertThat(r.transcriptSupplied()).isTrue();
    assertThat(r.transcript()).isEqualTo(c.sentence());
    assertThat(r.asrTokenIds()).isEmpty();
    assertThat(r.timings().asrDecode()).isZero();
    assertThat(r.speech().basis()).as("no ASR evidence for a supplied transcript")
        .isEqualTo(SpeechDecision.Basis.NOT_CHECKED);
    assertThat(r.speech().avgLogProbability()).isEmpty();
    if (c.has("sentence_text_ids")) {
      assertThat(r.textTokenIds()).as("text encoder ids of the sentence").isEqualTo(c.ints("sentence_text_ids"));
    }
    assertProbabilities(id, name, "probabilities_supplied", r, c.doubles("probabilities_supplied"),
        b.fixtures().tolerance("probabilities"));
  }

  private static void assertProbabilities(String id, String name, String what, EmotionResult r,
      double[] expected, double tolerance) {
    List<Double> actual = new ArrayList<>(r.probabilities().values());
    assertThat(actual).hasSize(expected.length);
    double diff = 0;
    for (int i = 0; i < expected.length; i++) {
      assertThat(actual.get(i)).as(what + "[" + i + "]").isCloseTo(expected[i], within(tolerance));
      diff = Math.max(diff, Math.abs(actual.get(i) - expected[i]));
    }
    record(id, name, what, diff, tolerance);
    assertThat(actual.stream().mapToDouble(Double::doubleValue).sum()).isCloseTo(1.0, within(1e-5));
  }

  private static void compare(String id, String name, String what, float[] actual, double[] expected,
      double tolerance) {
    assertThat(actual).hasSize(expected.length);
    double diff = 0;
    for (int i = 0; i < expected.length; i++) {
      diff = Math.max(diff, Math.abs(actual[i] - expected[i]));
    }
    record(id, name, what, diff, tolerance);
    assertThat(diff).as(id + " " + name + " " + what).isLessThanOrEqualTo(tolerance);
  }

  private static void record(String id, String name, String stage, double diff, double bound) {
    synchronized (REPORT) {
      REPORT.put(id + "\t" + name + "\t" + stage, diff);
    }
    BoundsReport.record("ParityTest", id + " " + stage, diff, bound);
  }
}

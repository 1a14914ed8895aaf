package io.mersdk.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.mersdk.EmotionResult;
import io.mersdk.Utterance;
import io.mersdk.onnx.internal.pipeline.OnnxBackend;
import io.mersdk.onnx.internal.pipeline.Probe;
import io.mersdk.onnx.testing.Backends;
import io.mersdk.onnx.testing.Collector;
import io.mersdk.onnx.testing.TestData;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Parity with the Python reference for every stage, on every bundle in testdata/bundles: the
 * fixtures were computed by mer-train on the same graphs (and, for the encoders, checked there
 * against PyTorch). Floats within the fixture's tolerances; token ids exactly equal.
 */
class ParityTest {
  private static final Map<Path, OnnxBackend> BACKENDS = new ConcurrentHashMap<>();
  /** "bundle case stage" -> max |java - python|, written to target/parity-report.txt. */
  private static final Map<String, Double> REPORT = new TreeMap<>();

  static Stream<Arguments> cases() {
    List<Arguments> out = new ArrayList<>();
    for (Path bundle : TestData.bundles()) {
      String id = bundle.getFileName().toString();
      TestData.fixtures(id).ifPresent(f -> f.cases().forEach(c ->
          out.add(Arguments.of(id, c.name(), bundle, f, c))));
    }
    return out.stream();
  }

  private static OnnxBackend backend(Path bundle) {
    return BACKENDS.computeIfAbsent(bundle, Backends::cpu);
  }

  @AfterAll
  static void closeAndReport() throws IOException {
    BACKENDS.values().forEach(OnnxBackend::close);
    StringBuilder sb = new StringBuilder("# max |java - python| per bundle, case and stage\n");
    synchronized (REPORT) {
      REPORT.forEach((k, v) -> sb.append(k).append('\t').append(String.format("%.3e", v)).append('\n'));
    }
    Files.createDirectories(Path.of("target"));
    Files.writeString(Path.of("target", "parity-report.txt"), sb.toString());
  }

  @Test
  void everyBundleHasFixtures() {
    assertThat(TestData.bundles()).as("bundles in " + TestData.root()).hasSizeGreaterThanOrEqualTo(2);
    for (Path b : TestData.bundles()) {
      assertThat(TestData.fixtures(b.getFileName().toString()))
          .as("fixtures for " + b.getFileName()).isPresent();
    }
  }

  @ParameterizedTest(name = "{0} {1}: ASR transcript, every stage")
  @MethodSource("cases")
  void everyStageMatchesThePythonReference(
      String id, String name, Path bundle, TestData.Fixtures f, TestData.Case c) {
    Collector probe = new Collector();
    EmotionResult r = backend(bundle).recognize(List.of(Utterance.of(c.waveform())), probe).get(0);

    for (Map.Entry<String, TestData.Array> e : c.arrays().entrySet()) {
      String stage = e.getKey();
      if (stage.equals("waveform")) {
        continue;
      }
      TestData.Array expected = e.getValue();
      TestData.Array actual = probe.get(stage, 0);
      assertThat(actual.shape()).as(id + " " + name + " " + stage + " shape").containsExactly(expected.shape());
      double diff = TestData.maxAbsDiff(actual.data(), expected.data());
      record(id, name, stage, diff);
      assertThat(diff).as(id + " " + name + " " + stage + " max abs diff")
          .isLessThanOrEqualTo(f.tolerance(stage.endsWith("hidden_states") ? "hidden_states" : stage));
    }
    if (c.has("logits")) {
      float[] logits = probe.get(Probe.LOGITS, 0).data();
      double[] expected = c.doubles("logits");
      double diff = 0;
      for (int i = 0; i < expected.length; i++) {
        diff = Math.max(diff, Math.abs(logits[i] - expected[i]));
      }
      record(id, name, "logits", diff);
      assertThat(diff).isLessThanOrEqualTo(f.tolerance("logits"));
    }

    assertThat(r.asrTokenIds()).as("greedy tokens").isEqualTo(c.ints("asr_tokens"));
    assertThat(r.transcript()).as("transcript").isEqualTo(c.transcript());
    assertThat(r.transcriptSupplied()).isFalse();
    assertThat(r.textTokenIds()).as("RoBERTa ids of the transcript").isEqualTo(c.ints("text_ids"));
    assertProbabilities(id, name, "probabilities", r, c.doubles("probabilities"), f.tolerance("probabilities"));
    assertThat(r.label()).isEqualTo(c.label());
    assertThat(r.bundleId()).isEqualTo(f.bundleId());
    assertThat(r.device()).isEqualTo("cpu");
  }

  @ParameterizedTest(name = "{0} {1}: caller-supplied transcript")
  @MethodSource("cases")
  void suppliedTranscriptSkipsAsrAndMatches(
      String id, String name, Path bundle, TestData.Fixtures f, TestData.Case c) {
    EmotionResult r = backend(bundle).recognize(List.of(Utterance.of(c.waveform(), c.sentence()))).get(0);

    assertThat(r.transcriptSupplied()).isTrue();
    assertThat(r.transcript()).isEqualTo(c.sentence());
    assertThat(r.asrTokenIds()).isEmpty();
    assertThat(r.timings().asrDecode()).isZero();
    assertThat(r.textTokenIds()).as("RoBERTa ids of the sentence").isEqualTo(c.ints("sentence_text_ids"));
    assertProbabilities(id, name, "probabilities_supplied", r, c.doubles("probabilities_supplied"),
        f.tolerance("probabilities"));
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
    record(id, name, what, diff);
    assertThat(actual.stream().mapToDouble(Double::doubleValue).sum()).isCloseTo(1.0, within(1e-5));
  }

  private static void record(String id, String name, String stage, double diff) {
    synchronized (REPORT) {
      REPORT.put(id + "\t" + name + "\t" + stage, diff);
    }
  }
}

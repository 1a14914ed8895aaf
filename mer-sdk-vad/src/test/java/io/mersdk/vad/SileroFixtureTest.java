package io.mersdk.vad;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The Python gate ({@code mer_train/silero.py}, which {@code python -m mer_train evaluate} runs
 * before the models: the same ONNX file on onnxruntime) decides as this module's default detector:
 * on every clip of testdata/gate/silero-fixture.json (written by scripts/make_gate_fixture.py: the
 * synthetic clips of gate-fixture.json and the real recordings of testdata/gate/real) the same
 * window count, each window's probability within {@value #PROBABILITY_TOLERANCE}, and the same
 * decision unless a probability sits within that tolerance of a threshold. On the real
 * recordings the decision is also the truth (speech or not) of ATTRIBUTION.tsv.
 *
 * <p>The tolerance: both sides run the same float32 graph, but ONNX Runtime Java (1.23) and
 * Python (1.30) may pick other kernels (summation order in the LSTM's 128-wide products and the
 * 1-D convolutions); a float32 sum of a few hundred terms of magnitude ~1 differs by ~1e-5 at
 * most, and the sigmoid's output moves less than its input. 1e-3 is two orders above that.
 */
class SileroFixtureTest {
  static final double PROBABILITY_TOLERANCE = 1e-3;
  private static final ObjectMapper JSON = new ObjectMapper();

  static Stream<Arguments> cases() throws IOException {
    JsonNode doc = JSON.readTree(GateFixtureTest.testdata().resolve("gate/silero-fixture.json")
        .toFile());
    assertThat(doc.get("sha256").asText()).isEqualTo(SileroVad.SHA256);
    List<Arguments> out = new ArrayList<>();
    doc.get("cases").forEach(c -> out.add(Arguments.of(c.get("name").asText(), c)));
    assertThat(out).hasSizeGreaterThanOrEqualTo(20);
    return out.stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void javaDecidesAsThePythonPort(String name, JsonNode c) throws Exception {
    Path repo = GateFixtureTest.testdata().toAbsolutePath().normalize().getParent();
    int rate = c.get("sample_rate").asInt();
    float[] x = GateFixtureTest.readPcm16(repo.resolve(c.get("audio").asText()), rate);

    SileroSpeechDetector.Evidence e = new SileroSpeechDetector().evidence(x, rate);
    float[] p = e.probabilities();
    JsonNode want = c.get("probabilities");
    assertThat(p).as(name + " windows").hasSize(want.size());
    boolean nearThreshold = false;
    for (int i = 0; i < p.length; i++) {
      double w = want.get(i).asDouble();
      assertThat((double) p[i]).as(name + " window " + i).isCloseTo(w, within(PROBABILITY_TOLERANCE));
      nearThreshold |= Math.abs(w - 0.5) <= PROBABILITY_TOLERANCE
          || Math.abs(w - 0.35) <= PROBABILITY_TOLERANCE;
    }
    if (!nearThreshold) {
      assertThat(e.isSpeech()).as(name + ": " + e).isEqualTo(c.get("is_speech").asBoolean());
      assertThat(e.stretches()).as(name + " stretches").hasSize(c.get("stretches").size());
    }
    if (c.has("truth_is_speech")) {
      assertThat(e.isSpeech()).as(name + " (real recording): " + e)
          .isEqualTo(c.get("truth_is_speech").asBoolean());
    }
  }
}

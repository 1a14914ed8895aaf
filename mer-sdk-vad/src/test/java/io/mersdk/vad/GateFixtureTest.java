package io.mersdk.vad;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The Python port of the gate (mer-train's {@code mer_train/gate.py}, which {@code python -m
 * mer_train evaluate} runs before the models) decides as this module's detector: on every clip of
 * testdata/gate/gate-fixture.json (speech, quiet and noisy speech, 8 kHz speech, silence, noise,
 * hum, a tone, a chord, clicks, a melody; written by scripts/make_gate_fixture.py) the same
 * decision and the same frame counts, the same kind for every frame, and the same voicing within
 * {@value #VOICING_TOLERANCE} (Java's radix-2 FFT against numpy's: they differ near 1e-12).
 */
class GateFixtureTest {
  static final double VOICING_TOLERANCE = 1e-9;
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String LETTERS = "suvtm"; // FrameClassifier.Kind in order

  static Path testdata() {
    return Path.of(System.getProperty("mer.testdata", "../testdata"));
  }

  static Stream<Arguments> cases() throws IOException {
    JsonNode doc = JSON.readTree(testdata().resolve("gate/gate-fixture.json").toFile());
    List<Arguments> out = new ArrayList<>();
    doc.get("cases").forEach(c -> out.add(Arguments.of(c.get("name").asText(), c)));
    assertThat(out).hasSizeGreaterThanOrEqualTo(15);
    return out.stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void javaDecidesAsThePythonPort(String name, JsonNode c) throws Exception {
    Path repo = testdata().toAbsolutePath().normalize().getParent();
    int rate = c.get("sample_rate").asInt();
    float[] x = readPcm16(repo.resolve(c.get("audio").asText()), rate);

    SpeechEvidence e = new SpectralSpeechDetector().evidence(x, rate);
    JsonNode want = c.get("evidence");
    assertThat(e.isSpeech()).as(name + ": " + e).isEqualTo(want.get("is_speech").asBoolean());
    assertThat(new long[] {e.frames(), e.voicedFrames(), e.steadyFrames(), e.movingFrames()})
        .as(name).containsExactly(want.get("frames").asLong(), want.get("voiced").asLong(),
            want.get("steady").asLong(), want.get("moving").asLong());

    FrameClassifier fc = new FrameClassifier(rate);
    StringBuilder kinds = new StringBuilder();
    List<Double> voicing = new ArrayList<>();
    fc.accept(x, 0, x.length, (index, kind, levelDb) -> {
      kinds.append(LETTERS.charAt(kind.ordinal()));
      voicing.add(fc.lastVoicing());
    });
    assertThat(kinds.toString()).as(name + " frame kinds").isEqualTo(c.get("kinds").asText());
    for (int i = 0; i < voicing.size(); i++) {
      assertThat(voicing.get(i)).as(name + " voicing of frame " + i)
          .isCloseTo(c.get("voicing").get(i).asDouble(), within(VOICING_TOLERANCE));
    }
  }

  /**
   * A 16-bit mono PCM WAV as the gate sees it in both languages: int16 / 32768, no resampling.
   * Read by hand (RIFF chunks) because this module's tests run without java.desktop.
   */
  static float[] readPcm16(Path wav, int rate) throws IOException {
    ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(wav)).order(ByteOrder.LITTLE_ENDIAN);
    assertThat(b.getInt(0)).as(wav + " RIFF").isEqualTo(0x46464952);
    int pos = 12;
    float[] x = null;
    while (pos + 8 <= b.limit()) {
      int id = b.getInt(pos);
      int size = b.getInt(pos + 4);
      if (id == 0x20746d66) { // "fmt "
        assertThat(b.getShort(pos + 8)).as(wav + " PCM").isEqualTo((short) 1);
        assertThat(b.getShort(pos + 10)).as(wav + " channels").isEqualTo((short) 1);
        assertThat(b.getInt(pos + 12)).as(wav + " rate").isEqualTo(rate);
        assertThat(b.getShort(pos + 22)).as(wav + " bits").isEqualTo((short) 16);
      } else if (id == 0x61746164) { // "data"
        x = new float[size / 2];
        for (int i = 0; i < x.length; i++) {
          x[i] = b.getShort(pos + 8 + 2 * i) / 32768f;
        }
      }
      pos += 8 + size + (size & 1);
    }
    assertThat(x).as(wav + " data chunk").isNotNull();
    return x;
  }
}

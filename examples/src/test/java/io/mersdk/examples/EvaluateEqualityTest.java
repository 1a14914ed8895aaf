package io.mersdk.examples;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Issue 15's equality proof: {@code mer evaluate --format json} gives exactly what {@code python
 * -m mer_train evaluate --format json} gives on the same bundle and manifest (the same keys and the
 * same numbers: UAR, macro-F1, accuracy, per-label figures, confusion matrix, samples, no-speech
 * and failed counts, and the exit code). The Python side's reports are committed as
 * testdata/evaluate/expected.json (scripts/make_evaluate_fixture.py; mer-train's test_evaluate.py
 * re-derives them): every committed tiny bundle, tiny-f with the eight RAVDESS labels among them,
 * on CSV manifests whose rows include cuts inside a longer file (start/end), a cut past its file's
 * end (a failed row), transcripts (one quoted, with a comma and quotes), silence and a tone (the
 * acoustic gate's no speech), with Whisper's transcripts and the manifest's, gate on and off.
 */
class EvaluateEqualityTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;

  static Stream<Arguments> cases() throws IOException {
    JsonNode doc = JSON.readTree(TestAudio.testdata().resolve("evaluate/expected.json").toFile());
    List<Arguments> out = new ArrayList<>();
    doc.get("cases").forEach(c -> out.add(Arguments.of(c.get("bundle").asText() + " "
        + c.get("manifest").asText() + " " + c.get("options"), c)));
    return out.stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void javaReportsWhatPythonReports(String name, JsonNode c) throws IOException {
    List<String> args = new ArrayList<>(List.of("evaluate", "--bundle",
        TestAudio.bundle(c.get("bundle").asText()).toString(), "--device", "cpu", "--threads", "2",
        "--format", "json", "--progress", "never"));
    c.get("options").forEach(o -> args.add(o.asText()));
    args.add(TestAudio.testdata().resolve("evaluate").resolve(c.get("manifest").asText())
        .toAbsolutePath().normalize().toString());

    Cli.Run run = Cli.run(args.toArray(String[]::new));

    assertThat(run.exitCode()).as(run.err()).isEqualTo(c.get("exit_code").asInt());
    // JsonNode equality: the same keys, the same ints, the same doubles bit for bit
    assertThat(JSON.readTree(run.out())).as(run.err()).isEqualTo(c.get("report"));
  }

  @Test
  void theEightLabelBundleRunsWithTheDatasLabels() throws IOException {
    JsonNode doc = JSON.readTree(TestAudio.testdata().resolve("evaluate/expected.json").toFile());
    JsonNode ravdess = null;
    for (JsonNode c : doc.get("cases")) {
      if (c.get("bundle").asText().equals("tiny-f")) {
        ravdess = c.get("report");
      }
    }
    assertThat(ravdess).isNotNull();
    List<String> labels = new ArrayList<>();
    ravdess.get("labels").forEach(l -> labels.add(l.asText()));
    assertThat(labels).containsExactly("neutral", "calm", "happy", "sad", "angry", "fearful",
        "disgust", "surprised");
  }

  @Test
  void manifestTranscriptsOnABundleWithoutTextAreRefused() {
    Cli.Run run = Cli.run("evaluate", "--bundle", TestAudio.bundle("tiny-c").toString(), "--device",
        "cpu", "--transcripts", "manifest",
        TestAudio.testdata().resolve("evaluate/two.csv").toString());

    assertThat(run.exitCode()).isEqualTo(Mer.USAGE);
    assertThat(run.out()).isEmpty();
    assertThat(run.errLines()).singleElement().asString()
        .contains("--transcripts manifest: bundle tiny-c reads no text");
  }

  @Test
  void rowsWithoutATranscriptAreNamed() throws IOException {
    Path audio = TestAudio.testdata().resolve("gate/espeak-en-us.wav").toAbsolutePath();
    Path m = Files.writeString(dir.resolve("m.csv"),
        "audio,label,transcript\n" + audio + ",happy,hello\n" + audio + ",sad,\n");

    Cli.Run run = Cli.run("evaluate", "--bundle", TestAudio.bundle("tiny-a").toString(), "--device",
        "cpu", "--transcripts", "manifest", m.toString());

    assertThat(run.exitCode()).isEqualTo(Mer.USAGE);
    assertThat(run.errLines()).containsExactly("mer: " + m
        + ":3: transcript: missing (--transcripts manifest needs one on every row)");
  }
}

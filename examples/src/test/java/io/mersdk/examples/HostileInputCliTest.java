package io.mersdk.examples;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code mer recognize --format jsonl|csv} in a process of its own (so the real System.out is what
 * is checked, not picocli's writer) over the files that once hung the FLAC decoder or made it
 * print on stdout (issue 17; they are the regression corpus of mer-sdk-audio's DecoderFuzzTest)
 * and a few clean recordings: every stdout line is a JSON object (or a CSV row of the header's
 * width), every file gets one result line or one "mer: " error line on stderr, and the run ends.
 */
class HostileInputCliTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir static Path dir;
  static List<Path> files = new ArrayList<>();

  @BeforeAll
  static void inputs() throws IOException {
    Path corpus = Path.of(System.getProperty("mer.testdata"), "..", "mer-sdk-audio", "src", "test",
        "resources", "io", "mersdk", "audio", "fuzz", "DecoderFuzzTestInputs", "flac");
    try (Stream<Path> s = Files.list(corpus)) {
      s.filter(p -> p.getFileName().toString().startsWith("jflac-")).sorted().forEach(files::add);
    }
    assertThat(files).as("the FLAC files that hung or printed with jflac").hasSizeGreaterThan(3);
    files.add(TestAudio.writeWav(dir.resolve("clean-1.wav"), TestAudio.voiced(1.0, 150, 1)));
    files.add(TestAudio.writeWav(dir.resolve("clean-2.wav"), TestAudio.voiced(0.8, 220, 2)));
  }

  @ParameterizedTest
  @ValueSource(strings = {"jsonl", "csv"})
  void stdoutStaysMachineReadable(String format) throws Exception {
    List<String> cmd = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), Mer.class.getName(),
        "recognize", "--bundle", TestAudio.bundle("tiny-a").toString(), "--device", "cpu",
        "--threads", "1", "--format", format));
    files.forEach(f -> cmd.add(f.toString()));
    Path out = dir.resolve("stdout." + format);
    Path err = dir.resolve("stderr." + format);
    Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile())
        .start();
    // A hang guard, not a speed check: the run takes a few seconds; a decoder that spins never ends.
    boolean ended = p.waitFor(5, TimeUnit.MINUTES);
    if (!ended) {
      p.destroyForcibly();
    }
    assertThat(ended).as("the CLI ended; stderr: " + Files.readString(err)).isTrue();
    List<String> stdout = Files.readAllLines(out, StandardCharsets.UTF_8);
    List<String> stderr = Files.readAllLines(err, StandardCharsets.UTF_8);

    List<String> reported = new ArrayList<>();
    if (format.equals("jsonl")) {
      for (String line : stdout) {
        JsonNode row = JSON.readTree(line); // throws on a line that is not JSON
        assertThat(row.isObject()).as(line).isTrue();
        reported.add(row.get("file").asText());
      }
    } else {
      List<List<String>> rows = Csv.parse(String.join("\r\n", stdout) + "\r\n");
      assertThat(rows).isNotEmpty();
      int width = rows.get(0).size();
      int fileColumn = rows.get(0).indexOf("file");
      assertThat(fileColumn).isNotNegative();
      for (List<String> row : rows.subList(1, rows.size())) {
        assertThat(row).hasSize(width);
        reported.add(row.get(fileColumn));
      }
    }
    for (String line : stderr) {
      if (line.startsWith("mer: ")) {
        reported.add(line.substring(5, line.indexOf(": ", 5)));
      }
    }
    // Every file once: a result line or an error line, nothing lost, nothing else on stdout.
    assertThat(reported).containsExactlyInAnyOrderElementsOf(
        files.stream().map(Path::toString).toList());
    assertThat(reported).contains(dir.resolve("clean-1.wav").toString());
    assertThat(String.join("\n", stdout)).doesNotContain("readResidual", "FLAC file reader");
    assertThat(stderr).noneMatch(l -> l.contains("readResidual"));
    assertThat(p.exitValue()).isNotZero(); // some files failed: the exit code says so
  }
}

package io.mersdk.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.sound.sampled.AudioFileFormat;
import javax.sound.sampled.AudioFormat;
import javax.sound.sampled.AudioInputStream;
import javax.sound.sampled.AudioSystem;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code mer recognize --channels split} and {@code mer report --channels split} on tiny-a: a
 * stereo file with a different voiced sound per side at known times; rows carry the party, a mono
 * file in split mode gives the --timeline rows, the report has a lane per party and the summary.
 */
class CallCommandsTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  @TempDir static Path dir;
  static Path stereo;
  static Path mono;

  /** left: speech [0.5, 2.0) and [5.0, 6.0); right: [1.5, 3.5) (overlapping the left). */
  @BeforeAll
  static void recordings() throws IOException {
    float[] left = TestAudio.concat(TestAudio.silence(0.5), TestAudio.voiced(1.5, 120, 1),
        TestAudio.silence(3.0), TestAudio.voiced(1.0, 130, 2), TestAudio.silence(1.0));
    float[] right = TestAudio.concat(TestAudio.silence(1.5), TestAudio.voiced(2.0, 240, 3),
        TestAudio.silence(3.5));
    stereo = writeStereo(dir.resolve("call.wav"), left, right);
    mono = TestAudio.writeWav(dir.resolve("mono.wav"), left);
  }

  @Test
  void recognizeSplitGivesRowsPerPartyAtTheirTimes() throws IOException {
    Cli.Run run = Cli.run(RecognizeCommandTest.args("tiny-a", withoutModelRule("--channels",
        "split", "--format", "jsonl", stereo.toString())));
    assertThat(run.exitCode()).as(run.err()).isZero();
    List<JsonNode> rows = new ArrayList<>();
    for (String line : run.outLines()) {
      rows.add(JSON.readTree(line));
    }
    // The voiced spans are slices of real recordings (TestAudio.voiced), whose own pauses may
    // split a span into several utterances: every row lies inside a span of its own party, every
    // span has a row, and in time order the parties alternate agent, customer, agent.
    double[][] truth = {{0.5, 2.0}, {1.5, 3.5}, {5.0, 6.0}};
    int[] channelOf = {0, 1, 0};
    String[] partyOf = {"agent", "customer", "agent"};
    // the segmenter's padding, and the frame tolerance of mer-sdk-audio's SegmenterTest
    double pad = io.mersdk.audio.SegmenterOptions.defaults().padding().toMillis() / 1000.0 + 0.12;
    boolean[] covered = new boolean[truth.length];
    List<String> turns = new ArrayList<>();
    for (JsonNode row : rows) {
      double start = row.get("start_s").asDouble();
      double end = row.get("end_s").asDouble();
      String party = row.get("party").asText();
      assertThat(row.get("outcome").asText()).isEqualTo("emotion");
      int span = -1;
      for (int i = 0; i < truth.length; i++) {
        if (partyOf[i].equals(party) && start >= truth[i][0] - pad && end <= truth[i][1] + pad) {
          span = i;
        }
      }
      assertThat(span).as("row %s of %s inside a span of its party", row, party).isNotNegative();
      assertThat(row.get("channel").asInt()).isEqualTo(channelOf[span]);
      covered[span] = true;
      if (turns.isEmpty() || !turns.get(turns.size() - 1).equals(party)) {
        turns.add(party);
      }
    }
    assertThat(covered).containsOnly(true);
    assertThat(turns).containsExactly("agent", "customer", "agent");

    Cli.Run csv = Cli.run(RecognizeCommandTest.args("tiny-a", withoutModelRule("--channels",
        "split", "--parties", "left,right", "--format", "csv", stereo.toString())));
    assertThat(csv.exitCode()).as(csv.err()).isZero();
    assertThat(csv.outLines().get(0)).startsWith("file,party,channel,start_s,end_s,label");
    assertThat(csv.outLines()).anyMatch(l -> l.contains(",right,1,"));
  }

  @Test
  void aMonoFileSplitGivesTheTimelineRows() throws IOException {
    Cli.Run split = Cli.run(RecognizeCommandTest.args("tiny-a", withoutModelRule("--channels",
        "split", "--format", "jsonl", mono.toString())));
    Cli.Run timeline = Cli.run(RecognizeCommandTest.args("tiny-a", withoutModelRule("--timeline",
        "--format", "jsonl", mono.toString())));
    assertThat(split.exitCode()).as(split.err()).isZero();
    assertThat(split.outLines()).hasSameSizeAs(timeline.outLines()).isNotEmpty();
    for (int i = 0; i < split.outLines().size(); i++) {
      JsonNode a = JSON.readTree(split.outLines().get(i));
      JsonNode b = JSON.readTree(timeline.outLines().get(i));
      assertThat(a.get("party").asText()).isEqualTo("speaker");
      assertThat(a.get("start_s")).isEqualTo(b.get("start_s"));
      assertThat(a.get("end_s")).isEqualTo(b.get("end_s"));
      assertThat(a.get("probabilities")).isEqualTo(b.get("probabilities"));
    }
  }

  @Test
  void reportSplitHasALanePerPartyAndTheSummary() throws IOException {
    Path html = dir.resolve("call.html");
    Cli.Run run = Cli.run(reportArgs("--channels", "split", "--negative", "angry", "--min-gap",
        "1", stereo.toString(), "-o", html.toString()));
    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.out()).containsPattern("2 parties, [3-9] segments");
    String page = Files.readString(html, StandardCharsets.UTF_8);
    assertThat(page).contains("id=\"summary\"").contains("<tr data-party=\"agent\">")
        .contains("<tr data-party=\"customer\">").contains("negative labels: angry")
        .contains("class=\"lane\" data-party=\"agent\"")
        .contains("class=\"lane\" data-party=\"customer\"");

    Cli.Run bad = Cli.run(reportArgs("--channels", "split", "--negative", "furious",
        stereo.toString(), "-o", html.toString()));
    assertThat(bad.exitCode()).isEqualTo(Mer.USAGE);
    assertThat(bad.err()).contains("negativeLabels: 'furious' is not a label of the bundle");
    Cli.Run names = Cli.run(reportArgs("--channels", "split", "--parties", "a,b,c",
        stereo.toString(), "-o", html.toString()));
    assertThat(names.exitCode()).isEqualTo(Mer.INPUTS_FAILED);
    assertThat(names.err()).contains("has 2 channels but 3 party names");
  }

  private static String[] reportArgs(String... rest) {
    List<String> a = new ArrayList<>(List.of("report", "--bundle",
        TestAudio.bundle("tiny-a").toString(), "--device", "cpu", "--threads", "2"));
    a.addAll(RecognizeCommandTest.WITHOUT_MODEL_RULE);
    a.addAll(List.of(rest));
    return a.toArray(String[]::new);
  }

  private static String[] withoutModelRule(String... rest) {
    List<String> a = new ArrayList<>(RecognizeCommandTest.WITHOUT_MODEL_RULE);
    a.addAll(List.of(rest));
    return a.toArray(String[]::new);
  }

  static Path writeStereo(Path file, float[] left, float[] right) throws IOException {
    byte[] l = TestAudio.pcm16(left);
    byte[] r = TestAudio.pcm16(right);
    byte[] b = new byte[l.length * 2];
    for (int i = 0; i < left.length; i++) {
      System.arraycopy(l, 2 * i, b, 4 * i, 2);
      System.arraycopy(r, 2 * i, b, 4 * i + 2, 2);
    }
    AudioFormat f = new AudioFormat(TestAudio.RATE, 16, 2, true, false);
    try (AudioInputStream in = new AudioInputStream(new ByteArrayInputStream(b), f,
        left.length)) {
      AudioSystem.write(in, AudioFileFormat.Type.WAVE, file.toFile());
    }
    return file;
  }
}

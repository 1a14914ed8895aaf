package io.mersdk.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mersdk.EmotionRecognizer;
import io.mersdk.EmotionResult;
import io.mersdk.Segment;
import io.mersdk.audio.AudioSources;
import io.mersdk.json.ResultJson;
import io.mersdk.audio.Timeline;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code mer recognize}: exit codes, usage errors, folders, --transcript, --timeline, progress. */
class RecognizeUsageTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir static Path dir;
  static Path clip;
  static Path other;

  @BeforeAll
  static void recordings() throws IOException {
    clip = TestAudio.writeWav(dir.resolve("clip.wav"), TestAudio.voiced(1.0, 150, 7));
    other = TestAudio.writeWav(dir.resolve("other.wav"), TestAudio.voiced(1.0, 220, 8));
  }

  @Test
  void withoutBundleTheEmbeddedDemoBundleIsUsed() {
    Cli.Run run = Cli.run("recognize", "--device", "cpu", "--format", "jsonl", clip.toString());

    assertThat(run.exitCode()).isEqualTo(Mer.OK);
    assertThat(run.out()).contains("\"bundle_id\":\"demo-synthetic\"");
  }

  @Test
  void theExecutionSettingsChangeNoAnswer() throws IOException {
    // gate off and a no-speech rule that cannot fire: every model runs (a tone is no speech to the gate)
    String[] all = {"--format", "jsonl", "--no-speech-gate", "--no-speech-threshold", "1",
        "--compression-ratio-threshold", "1000"};
    Cli.Run plain = Cli.run(RecognizeCommandTest.args("tiny-a", concat(all, clip.toString())));
    Cli.Run other = Cli.run(RecognizeCommandTest.args("tiny-a",
        concat(all, "--parallel-encoders", "--prepack-weights", "true", clip.toString())));
    assertThat(other.exitCode()).isEqualTo(Mer.OK);
    JsonNode a = JSON.readTree(plain.out().lines().findFirst().orElseThrow());
    JsonNode b = JSON.readTree(other.out().lines().findFirst().orElseThrow());
    assertThat(a.path("outcome").asText()).as(plain.out()).isEqualTo("emotion");
    assertThat(b.path("outcome").asText()).isEqualTo("emotion");
    assertThat(b.path("label").asText()).isEqualTo(a.path("label").asText());
    assertThat(b.path("transcript").asText()).isEqualTo(a.path("transcript").asText());
    a.path("probabilities").fields().forEachRemaining(e -> assertThat(
        b.path("probabilities").path(e.getKey()).asDouble()).isCloseTo(e.getValue().asDouble(), within(1e-5)));
  }

  private static String[] concat(String[] a, String... b) {
    String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  @Test
  void aPrepackValueThatIsNoBooleanIsAUsageError() {
    Cli.Run run = Cli.run(RecognizeCommandTest.args("tiny-a", "--prepack-weights", "sometimes", clip.toString()));

    assertThat(run.exitCode()).isEqualTo(Mer.USAGE);
    assertThat(run.err()).contains("--prepack-weights");
  }

  @Test
  void missingBundleFolderExitsThree() {
    Cli.Run run = Cli.run("recognize", "--bundle", dir.resolve("nope").toString(), clip.toString());

    assertThat(run.exitCode()).isEqualTo(Mer.BUNDLE_OR_DEVICE);
    assertThat(run.errLines()).hasSize(1);
    assertThat(run.errLines().get(0)).contains(dir.resolve("nope").toString());
  }

  @Test
  void transcriptWithTwoFilesIsAUsageError() {
    Cli.Run run = Cli.run(RecognizeCommandTest.args("tiny-a", "--transcript", "hello",
        clip.toString(), other.toString()));

    assertThat(run.exitCode()).isEqualTo(Mer.USAGE);
    assertThat(run.out()).isEmpty();
    assertThat(run.err()).contains("--transcript needs exactly one audio file");
  }

  @Test
  void badDeviceIsAUsageError() {
    Cli.Run run = Cli.run("recognize", "--bundle", TestAudio.bundle("tiny-a").toString(),
        "--device", "tpu", clip.toString());

    assertThat(run.exitCode()).isEqualTo(Mer.USAGE);
    assertThat(run.err()).contains("unknown device 'tpu'");
  }

  @Test
  void suppliedTranscriptSkipsAsr() throws IOException {
    Cli.Run run = Cli.run(RecognizeCommandTest.args("tiny-a", "--format", "jsonl",
        "--transcript", "I am so glad you came", clip.toString()));

    assertThat(run.exitCode()).as(run.err()).isZero();
    JsonNode row = JSON.readTree(run.outLines().get(0));
    assertThat(row.get("transcript").asText()).isEqualTo("I am so glad you came");
    assertThat(row.get("transcript_supplied").asBoolean()).isTrue();
    assertThat(row.get("timings_ms").get("asr_decode").asDouble()).isZero();
  }

  @Test
  void foldersAreWalkedForAudioFilesOnly() throws IOException {
    Path folder = Files.createDirectories(dir.resolve("set/sub"));
    TestAudio.writeWav(folder.resolve("b.wav"), TestAudio.voiced(0.6, 140, 9));
    TestAudio.writeWav(folder.getParent().resolve("a.wav"), TestAudio.voiced(0.6, 200, 10));
    Files.writeString(folder.resolve("readme.txt"), "not audio, and not looked at");

    Cli.Run run = Cli.run(RecognizeCommandTest.args("tiny-a", "--format", "jsonl",
        folder.getParent().toString()));

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.outLines()).hasSize(2);
    assertThat(JSON.readTree(run.outLines().get(0)).get("file").asText()).endsWith("a.wav");
    assertThat(JSON.readTree(run.outLines().get(1)).get("file").asText()).endsWith("b.wav");
  }

  @Test
  void missingFileIsNamedAndCountsAsFailure() {
    Path missing = dir.resolve("missing.wav");

    Cli.Run run = Cli.run(RecognizeCommandTest.args("tiny-a", "--format", "jsonl",
        clip.toString(), missing.toString()));

    assertThat(run.exitCode()).isEqualTo(Mer.INPUTS_FAILED);
    assertThat(run.outLines()).hasSize(1);
    assertThat(run.errLines()).containsExactly("mer: " + missing + ": no such file or folder");
  }

  @Test
  void timelineGivesOneRowPerUtteranceLikeTimeline() throws IOException {
    float[] speech = TestAudio.concat(TestAudio.silence(0.5), TestAudio.voiced(1.0, 130, 11),
        TestAudio.silence(1.5), TestAudio.voiced(1.2, 240, 12), TestAudio.silence(0.5));
    Path long1 = TestAudio.writeWav(dir.resolve("two-utterances.wav"), speech);

    Cli.Run run = Cli.run(RecognizeCommandTest.args("tiny-a", "--format", "jsonl", "--timeline",
        "--no-speech-threshold", "1", "--compression-ratio-threshold", "1e300", long1.toString()));

    assertThat(run.exitCode()).as(run.err()).isZero();
    try (EmotionRecognizer rec = RecognizeCommandTest.directWithoutModelRule("tiny-a")) {
      List<Segment> expected = Timeline.builder(rec).batchSize(1).build()
          .run(AudioSources.of(long1));
      assertThat(expected).hasSize(2);
      assertThat(run.outLines()).hasSize(2);
      for (int i = 0; i < 2; i++) {
        JsonNode row = JSON.readTree(run.outLines().get(i));
        Segment s = expected.get(i);
        assertThat(row.get("start_s").asDouble()).isCloseTo(s.start().toNanos() / 1e9,
            within(1e-9));
        assertThat(row.get("end_s").asDouble()).isCloseTo(s.end().toNanos() / 1e9, within(1e-9));
        assertThat(row.get("outcome").asText()).isEqualTo(s.result().isEmotion() ? "emotion" : "failed");
        if (!s.result().isEmotion()) {
          continue;
        }
        assertThat(row.get("label").asText()).isEqualTo(s.result().label());
        assertThat(row.get("confidence").asDouble())
            .isCloseTo(s.result().confidence(), within(1e-6));
        assertSameProbabilities(row, s.result());
      }
    }
  }

  @Test
  void fileLongerThanTheAsrWindowIsCutIntoUtterancesSaidOnceOnStderr() throws IOException {
    // Real speech (the example recordings, twice, with 1 s pauses): 33 s, over tiny-a's 30 s.
    List<float[]> parts = new ArrayList<>();
    for (int round = 0; round < 2; round++) {
      try (var files = Files.list(Path.of("recordings"))) {
        for (Path wav : files.filter(f -> f.toString().endsWith(".wav")).sorted().toList()) {
          parts.add(AudioSources.of(wav).readMono(16000));
          parts.add(TestAudio.silence(1));
        }
      }
    }
    Path longFile = TestAudio.writeWav(dir.resolve("long.wav"),
        TestAudio.concat(parts.toArray(float[][]::new)));

    Cli.Run run = Cli.run(RecognizeCommandTest.args("tiny-a", "--format", "jsonl",
        longFile.toString(), clip.toString(), longFile.toString()));

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.errLines()).as("said once, for both long files").singleElement().asString()
        .contains("longer than the bundle's ASR window (30.000 s)").contains("one row per utterance");
    List<String> cut = run.outLines().stream().filter(l -> l.contains(longFile.toString())).toList();
    assertThat(cut).as("one row per utterance of each long file").hasSizeGreaterThanOrEqualTo(8);
    assertThat(cut).allSatisfy(l -> assertThat(l).contains("\"start_s\"").contains("\"end_s\""));
    assertThat(run.outLines()).as("the short file keeps its one row, without a span")
        .filteredOn(l -> l.contains(clip.toString())).singleElement().asString()
        .doesNotContain("start_s");
  }

  @Test
  void forcedProgressBarGoesToStderrOnly() throws IOException {
    Cli.Run run = Cli.run(RecognizeCommandTest.args("tiny-a", "--format", "jsonl", "--progress",
        "always", clip.toString(), other.toString()));

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.err()).contains("recognize").contains("2/2");
    assertThat(run.outLines()).hasSize(2);
    for (String line : run.outLines()) {
      assertThat(JSON.readTree(line).get("outcome").asText()).isIn("emotion", "no_speech");
    }
  }

  @Test
  void noProgressBarWhenStderrIsNotATerminal() {
    Cli.Run run = Cli.run(RecognizeCommandTest.args("tiny-a", "--format", "jsonl",
        clip.toString(), other.toString()));

    assertThat(run.exitCode()).isZero();
    assertThat(run.err()).isEmpty();
  }

  @Test
  void realSpeechFromEspeakIsResampledAndRecognised() throws Exception {
    Path speech = TestAudio.espeak(dir.resolve("speech.wav"), "I cannot believe you did that");

    // the model rule off: the point is the emotion, which a random bundle's transcript may hide
    Cli.Run run = Cli.run(RecognizeCommandTest.args("tiny-a", "--format", "jsonl",
        "--no-speech-threshold", "1", "--compression-ratio-threshold", "1e300",
        speech.toString()));

    assertThat(run.exitCode()).as(run.err()).isZero();
    JsonNode row = JSON.readTree(run.outLines().get(0));
    try (EmotionRecognizer rec = RecognizeCommandTest.directWithoutModelRule("tiny-a")) {
      EmotionResult direct = rec.recognize(AudioSources.of(speech));
      assertThat(direct.isEmotion()).as("espeak-ng speech passes the acoustic gate").isTrue();
      assertThat(ResultJson.read(row.toString()).outcome()).isEqualTo(direct.outcome());
      assertThat(row.get("label").asText()).isEqualTo(direct.label());
      assertThat(row.get("transcript").asText()).isEqualTo(direct.transcript());
      assertSameProbabilities(row, direct);
    }
  }

  /** Digital silence and white noise: a {@code no speech} row and exit 0, in every format. */
  @Test
  void silenceAndNoiseGetANoSpeechRowAndExitZero() throws IOException {
    Path silence = TestAudio.writeWav(dir.resolve("silence.wav"), TestAudio.silence(3));
    float[] hiss = new float[TestAudio.RATE * 2];
    java.util.Random r = new java.util.Random(5);
    for (int i = 0; i < hiss.length; i++) {
      hiss[i] = (float) (0.1 * r.nextGaussian());
    }
    Path noise = TestAudio.writeWav(dir.resolve("noise.wav"), hiss);

    Cli.Run table = Cli.run(RecognizeCommandTest.args("tiny-a", silence.toString(), noise.toString()));
    assertThat(table.exitCode()).as(table.err()).isZero();
    assertThat(table.outLines()).hasSize(3);
    assertThat(table.outLines().get(1)).startsWith(silence.toString()).contains(" no speech ");
    assertThat(table.outLines().get(2)).startsWith(noise.toString()).contains(" no speech ");

    Cli.Run jsonl = Cli.run(RecognizeCommandTest.args("tiny-a", "--format", "jsonl",
        silence.toString(), noise.toString()));
    assertThat(jsonl.exitCode()).isZero();
    for (String line : jsonl.outLines()) {
      JsonNode row = JSON.readTree(line);
      assertThat(row.get("outcome").asText()).isEqualTo("no_speech");
      assertThat(row.has("label")).isFalse();
      assertThat(row.has("transcript")).isFalse();
      assertThat(row.get("speech").get("speech").asBoolean()).isFalse();
      assertThat(row.get("speech").get("basis").asText()).isEqualTo("acoustic_gate");
      assertThat(row.get("timings_ms").get("asr_encode").asDouble()).as("no model ran").isZero();
    }

    Cli.Run csv = Cli.run(RecognizeCommandTest.args("tiny-a", "--format", "csv", silence.toString()));
    assertThat(csv.exitCode()).isZero();
    List<List<String>> rows = Csv.parse(csv.out());
    assertThat(rows.get(1).get(rows.get(0).indexOf("label"))).isEqualTo("no speech");
    assertThat(rows.get(1).get(rows.get(0).indexOf("confidence"))).isEmpty();
    assertThat(rows.get(1).get(rows.get(0).indexOf("speech_basis"))).isEqualTo("acoustic_gate");

    Cli.Run timeline = Cli.run(RecognizeCommandTest.args("tiny-a", "--format", "jsonl",
        "--timeline", silence.toString()));
    assertThat(timeline.exitCode()).isZero();
    JsonNode row = JSON.readTree(timeline.outLines().get(0));
    assertThat(row.get("outcome").asText()).isEqualTo("no_speech");
    assertThat(row.get("start_s").asDouble()).isZero();
    assertThat(row.get("end_s").asDouble()).isCloseTo(3.0, within(1e-9));
  }

  /** Without the gate the bundle's Whisper evidence is all there is; a format-1 bundle has none. */
  @Test
  void theGateCanBeTurnedOffAndThresholdsAreCheckedByOptionName() throws IOException {
    Path silence = TestAudio.writeWav(dir.resolve("silence-off.wav"), TestAudio.silence(1));
    Cli.Run off = Cli.run(RecognizeCommandTest.args("tiny-a", "--format", "jsonl",
        "--no-speech-gate", silence.toString()));
    assertThat(off.exitCode()).as(off.err()).isZero();
    JsonNode row = JSON.readTree(off.outLines().get(0));
    assertThat(row.get("speech").get("basis").asText()).isIn("model", "not_checked");
    assertThat(row.get("timings_ms").get("speech_gate").asDouble()).isZero();

    Cli.Run bad = Cli.run(RecognizeCommandTest.args("tiny-a", "--no-speech-threshold", "1.5",
        silence.toString()));
    assertThat(bad.exitCode()).isEqualTo(Mer.USAGE);
    assertThat(bad.err()).contains("--no-speech-threshold").contains("1.5");
  }

  @Test
  void helpListsTheExitCodes() {
    Cli.Run run = Cli.run("--help");

    assertThat(run.exitCode()).isZero();
    assertThat(run.out()).contains("Exit codes:").contains("recognize").contains("evaluate")
        .contains("serve").contains("live").contains("3   the model bundle or the device");
  }

  /**
   * Every label's probability in the CLI's row equals the direct call's (same bundle, device and
   * threads, so the same floats; 1e-6 covers the JSON's decimal form), in the bundle's order.
   */
  static void assertSameProbabilities(JsonNode row, EmotionResult direct) {
    JsonNode p = row.get("probabilities");
    assertThat(RecognizeCommandTest.fieldNames(p)).containsExactlyElementsOf(direct.probabilities()
        .keySet());
    for (String label : direct.probabilities().keySet()) {
      assertThat(p.get(label).asDouble()).as(label)
          .isCloseTo(direct.probability(label), within(1e-6));
    }
  }
}

package io.mersdk.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mersdk.EmotionRecognizer;
import io.mersdk.audio.AudioSources;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code mer evaluate}: on the demo bundle, scikit-learn's figures for the PyTorch reference's
 * predictions; on the random tiny bundles, the matrix of the same predictions made directly and
 * the metrics by their definitions.
 */
class EvaluateCommandTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  /**
   * Unequal supports (3, 3, 1, 1), so UAR differs from accuracy even when a random bundle predicts
   * one label for every clip (the demo set below has equal supports).
   */
  private static final String[] TRUTH = {"neutral", "happy", "sad", "angry", "happy", "neutral",
      "neutral", "happy"};

  @TempDir static Path dir;
  static List<Path> clips = new ArrayList<>();

  @BeforeAll
  static void recordings() throws IOException {
    Path audio = Files.createDirectories(dir.resolve("audio"));
    for (int i = 0; i < TRUTH.length; i++) {
      clips.add(TestAudio.writeWav(audio.resolve("clip" + i + ".wav"),
          TestAudio.voiced(0.6 + 0.1 * i, 100 + 25 * i, 100 + i)));
    }
  }

  /** A dataset manifest (TSV, header on line 1, a blank line skipped), relative paths. */
  static Path manifest(String name, String... extraLines) throws IOException {
    List<String> lines = new ArrayList<>(List.of("audio\tlabel"));
    for (int i = 0; i < TRUTH.length; i++) {
      lines.add("audio/clip" + i + ".wav\t" + TRUTH[i]);
      if (i == 3) {
        lines.add("");
      }
    }
    lines.addAll(List.of(extraLines));
    return Files.write(dir.resolve(name.replace(".txt", ".tsv")), lines);
  }

  static String[] args(String bundle, String... rest) {
    List<String> a = new ArrayList<>(List.of("evaluate", "--bundle",
        TestAudio.bundle(bundle).toString(), "--device", "cpu", "--threads", "2"));
    // metrics need emotions: Whisper's rule may call the random bundles' garbage no speech
    a.addAll(RecognizeCommandTest.WITHOUT_MODEL_RULE);
    a.addAll(List.of(rest));
    return a.toArray(String[]::new);
  }

  @ParameterizedTest
  @ValueSource(strings = {"tiny-a", "tiny-b"})
  void metricsEqualThoseOfTheSamePredictions(String bundle) throws IOException {
    Path m = manifest("set-" + bundle + ".txt");

    Cli.Run run = Cli.run(args(bundle, "--format", "json", m.toString()));

    assertThat(run.exitCode()).as(run.err()).isZero();
    JsonNode j = JSON.readTree(run.out());
    try (EmotionRecognizer rec = RecognizeCommandTest.directWithoutModelRule(bundle)) {
      List<String> labels = rec.labels();
      long[][] cm = new long[labels.size()][labels.size()];
      for (int i = 0; i < TRUTH.length; i++) {
        String p = rec.recognize(AudioSources.of(clips.get(i))).label();
        cm[labels.indexOf(TRUTH[i])][labels.indexOf(p)]++;
      }
      long correct = 0;
      for (int i = 0; i < labels.size(); i++) {
        correct += cm[i][i];
        for (int k = 0; k < labels.size(); k++) {
          assertThat(j.get("confusion_matrix").get(i).get(k).asLong()).isEqualTo(cm[i][k]);
        }
      }
      assertThat(j.get("samples").asInt()).isEqualTo(TRUTH.length);
      assertThat(j.get("failed").asInt()).isZero();
      assertThat(j.get("accuracy").asDouble())
          .isCloseTo(correct / (double) TRUTH.length, within(1e-12));
      // UAR and macro-F1 from the confusion matrix, by their definitions (scikit-learn's, with
      // zero_division=0), not by ClassificationMetrics, the class under test
      double recallSum = 0;
      double f1Sum = 0;
      for (int i = 0; i < labels.size(); i++) {
        long support = 0;
        long predictedAs = 0;
        for (int k = 0; k < labels.size(); k++) {
          support += cm[i][k];
          predictedAs += cm[k][i];
        }
        double recall = support == 0 ? 0 : cm[i][i] / (double) support;
        double precision = predictedAs == 0 ? 0 : cm[i][i] / (double) predictedAs;
        recallSum += recall;
        f1Sum += precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall);
      }
      assertThat(j.get("uar").asDouble()).isCloseTo(recallSum / labels.size(), within(1e-12));
      assertThat(j.get("macro_f1").asDouble()).isCloseTo(f1Sum / labels.size(), within(1e-12));
      assertThat(RecognizeCommandTest.fieldNames(j.get("per_label")))
          .containsExactlyElementsOf(labels);
    }
  }

  /**
   * The demo bundle (a trained model, which gets some utterances wrong) on its held-out recordings:
   * examples/recordings and the other held-out utterances of its fixtures. The expected figures are
   * scikit-learn's on the PyTorch reference's predictions (testdata/metrics/demo-evaluate.json,
   * scripts/make_demo_evaluate_fixture.py), not ClassificationMetrics': a wrong metric, a wrong
   * prediction or a file scored under another label shows.
   */
  @Test
  void theDemoBundleOnItsHeldOutRecordingsGivesScikitLearnsFigures() throws IOException {
    JsonNode expected = JSON.readTree(TestAudio.testdata().resolve("metrics/demo-evaluate.json")
        .toFile()).get("case");
    Path repo = TestAudio.testdata().toAbsolutePath().normalize().getParent();
    List<String> lines = new ArrayList<>();
    for (int i = 0; i < expected.get("files").size(); i++) {
      lines.add(repo.resolve(expected.get("files").get(i).asText()) + "\t"
          + expected.get("y_true").get(i).asText());
    }
    lines.add(0, "audio\tlabel");
    Path m = Files.write(dir.resolve("demo-held-out.tsv"), lines);

    // the demo bundle from the class path (no --bundle), with its own speech rule
    Cli.Run run = Cli.run("evaluate", "--device", "cpu", "--threads", "2", "--format", "json",
        m.toString());

    assertThat(run.exitCode()).as(run.err()).isZero();
    JsonNode j = JSON.readTree(run.out());
    assertThat(j.get("samples").asInt()).isEqualTo(lines.size() - 1);
    assertThat(j.get("no_speech").asInt()).isZero();
    assertThat(j.get("failed").asInt()).isZero();
    assertThat(j.get("confusion_matrix")).isEqualTo(expected.get("confusion_matrix"));
    assertThat(j.get("accuracy").asDouble())
        .isCloseTo(expected.get("accuracy").asDouble(), within(1e-12));
    assertThat(j.get("uar").asDouble()).isCloseTo(expected.get("uar").asDouble(), within(1e-12));
    assertThat(j.get("macro_f1").asDouble())
        .isCloseTo(expected.get("macro_f1").asDouble(), within(1e-12));
    List<String> labels = new ArrayList<>();
    expected.get("labels").forEach(l -> labels.add(l.asText()));
    assertThat(RecognizeCommandTest.fieldNames(j.get("per_label"))).containsExactlyElementsOf(labels);
    for (int k = 0; k < labels.size(); k++) {
      JsonNode c = j.get("per_label").get(labels.get(k));
      for (String metric : List.of("precision", "recall", "f1")) {
        assertThat(c.get(metric).asDouble()).as(labels.get(k) + " " + metric)
            .isCloseTo(expected.get(metric).get(k).asDouble(), within(1e-12));
      }
    }
  }

  @Test
  void tableShowsTheMetricsAndTheMatrix() throws IOException {
    Cli.Run run = Cli.run(args("tiny-a", manifest("table.txt").toString()));

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.out()).contains("accuracy").contains("UAR").contains("macro-F1")
        .contains("confusion matrix (rows: true label, columns: predicted)");
    List<String> lines = run.outLines();
    int header = lines.indexOf(lines.stream().filter(l -> l.startsWith("confusion")).findFirst()
        .orElseThrow()) + 1;
    assertThat(lines.get(header).trim().split("\\s+"))
        .containsExactly("neutral", "happy", "sad", "angry");
    long total = 0;
    for (int i = 1; i <= 4; i++) {
      String[] cells = lines.get(header + i).trim().split("\\s+");
      for (int k = 1; k < cells.length; k++) {
        total += Long.parseLong(cells[k]);
      }
    }
    assertThat(total).isEqualTo(TRUTH.length);
  }

  @Test
  void labelNotInTheBundleIsNamedByLine() throws IOException {
    Path m = manifest("unknown.txt", "audio/clip0.wav\tbored");

    Cli.Run run = Cli.run(args("tiny-a", m.toString()));

    assertThat(run.exitCode()).isEqualTo(Mer.USAGE);
    assertThat(run.out()).isEmpty();
    // a header, 8 rows and a blank line: the bad one is line 11
    assertThat(run.errLines()).containsExactly("mer: " + m + ":11: label: 'bored' is not one of"
        + " the bundle's labels [neutral, happy, sad, angry]");
  }

  @Test
  void badLineIsAUsageErrorNamingTheLine() throws IOException {
    Path m = manifest("bad.txt", "just-a-path.wav");

    Cli.Run run = Cli.run(args("tiny-a", m.toString()));

    assertThat(run.exitCode()).isEqualTo(Mer.USAGE);
    assertThat(run.errLines()).hasSize(1);
    assertThat(run.errLines().get(0)).isEqualTo("mer: " + m + ":11: label: missing");
  }

  /** A file without speech is counted apart, named on stderr, and left out of the metrics. */
  @Test
  void noSpeechIsCountedApartFromTheMetrics() throws IOException {
    TestAudio.writeWav(dir.resolve("audio").resolve("silence.wav"), TestAudio.silence(2));
    Path m = manifest("with-silence.txt", "audio/silence.wav\tsad");

    Cli.Run run = Cli.run(args("tiny-a", "--format", "json", m.toString()));

    assertThat(run.exitCode()).as(run.err()).isZero();
    JsonNode j = JSON.readTree(run.out());
    assertThat(j.get("samples").asInt()).isEqualTo(TRUTH.length);
    assertThat(j.get("no_speech").asInt()).isEqualTo(1);
    assertThat(j.get("failed").asInt()).isZero();
    long total = 0;
    for (JsonNode row : j.get("confusion_matrix")) {
      for (JsonNode c : row) {
        total += c.asLong();
      }
    }
    assertThat(total).as("the matrix holds the files with an emotion only").isEqualTo(TRUTH.length);
    assertThat(run.errLines()).singleElement().asString().contains("silence.wav").contains("no speech")
        .contains(m + ":11");

    Cli.Run table = Cli.run(args("tiny-a", m.toString()));
    assertThat(table.out()).contains("8 recognised, 1 no speech, 0 failed");
  }

  @Test
  void unreadableFileIsNamedAndTheOthersAreScored() throws IOException {
    Path m = manifest("missing.txt", "audio/gone.wav\tsad");

    Cli.Run run = Cli.run(args("tiny-a", "--format", "json", m.toString()));

    assertThat(run.exitCode()).isEqualTo(Mer.INPUTS_FAILED);
    assertThat(run.errLines()).hasSize(1);
    assertThat(run.errLines().get(0)).contains("gone.wav").contains(m + ":11");
    JsonNode j = JSON.readTree(run.out());
    assertThat(j.get("samples").asInt()).isEqualTo(TRUTH.length);
    assertThat(j.get("failed").asInt()).isEqualTo(1);
  }
}

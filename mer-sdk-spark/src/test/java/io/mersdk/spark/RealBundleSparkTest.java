package io.mersdk.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.mersdk.AudioException;
import io.mersdk.Device;
import io.mersdk.EmotionRecognizer;
import io.mersdk.EmotionResult;
import io.mersdk.audio.AudioSources;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.sound.sampled.AudioFileFormat;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The scorer on real bundles through the ONNX backend: tiny-a from a folder (testdata/bundles) and
 * the demo bundle from the class path. Every row equals a direct SDK call on the same bytes: the
 * same outcome, labels and probabilities within 1e-5 (the scorer runs padded batches of 4, the
 * direct calls one utterance each), the same AudioException message for corrupt files.
 */
class RealBundleSparkTest {
  static final String DEMO = "classpath:io/mersdk/demo/bundle";

  @TempDir static Path tmp;
  static SparkSession spark;
  static List<TestFiles.File> files;
  static Dataset<Row> input;

  @BeforeAll
  static void setUp() throws Exception {
    spark = TestSpark.session();
    files = TestFiles.makeFolder(tmp.resolve("audio"));
    input = spark.read().format("binaryFile").load(tmp.resolve("audio").toString());
  }

  static String tinyA() {
    return Path.of(System.getProperty("mer.testdata", "../testdata"), "bundles", "tiny-a")
        .toAbsolutePath().toString();
  }

  static EmotionRecognizer direct(String bundle) {
    EmotionRecognizer.Builder b = EmotionRecognizer.builder().device(Device.CPU).threads(1);
    return bundle.startsWith(ScorerConfig.CLASSPATH)
        ? b.bundleResource(bundle.substring(ScorerConfig.CLASSPATH.length())).build()
        : b.bundle(Path.of(bundle)).build();
  }

  @ParameterizedTest
  @ValueSource(strings = {"tiny-a", DEMO})
  void everyRowEqualsTheDirectCall(String which) throws Exception {
    String bundle = which.equals("tiny-a") ? tinyA() : which;
    List<Row> rows = new EmotionScorer().setBundle(bundle).setDevice("cpu").transform(input)
        .select("path", "emotion").collectAsList();
    assertThat(rows).hasSize(files.size());
    Map<Path, TestFiles.Kind> kinds = new HashMap<>();
    files.forEach(f -> kinds.put(f.path().toAbsolutePath(), f.kind()));
    int emotions = 0;
    try (EmotionRecognizer direct = direct(bundle)) {
      for (Row row : rows) {
        String path = row.getString(0);
        Row e = row.getStruct(1);
        Path local = Path.of(java.net.URI.create(path));
        byte[] bytes = Files.readAllBytes(local);
        if (kinds.get(local) == TestFiles.Kind.CORRUPT) {
          String expected = null;
          try {
            AudioSources.of(bytes, path).readMono(16000);
          } catch (AudioException ex) {
            expected = ex.getMessage();
          }
          assertThat(e.<String>getAs("outcome")).as(path).isEqualTo("failed");
          assertThat(e.getStruct(e.fieldIndex("error")).<String>getAs("message")).isEqualTo(expected);
          continue;
        }
        EmotionResult r = direct.recognize(AudioSources.of(bytes, path).readMono(16000));
        assertThat(e.<String>getAs("outcome")).as(path)
            .isEqualTo(r.outcome().name().toLowerCase(java.util.Locale.ROOT));
        assertThat(e.<String>getAs("bundle_id")).isEqualTo(r.bundleId());
        assertThat(e.<String>getAs("device")).isEqualTo("cpu");
        if (kinds.get(local) == TestFiles.Kind.SILENCE) {
          assertThat(r.isNoSpeech()).as(path).isTrue();
        }
        if (r.isEmotion()) {
          emotions++;
          assertThat(e.<String>getAs("label")).as(path).isEqualTo(r.label());
          assertThat(e.<String>getAs("transcript")).as(path).isEqualTo(r.transcript());
          Map<String, Double> p = e.getJavaMap(e.fieldIndex("probabilities"));
          assertThat(List.copyOf(p.keySet())).isEqualTo(direct.labels());
          r.probabilities().forEach((label, v) ->
              assertThat(p.get(label)).as("%s %s", path, label).isCloseTo(v, within(1e-5)));
        }
      }
    }
    assertThat(emotions).as("rows with an emotion").isPositive();
  }

  @Test
  void timelineOnAMinuteWithTheDemoBundle() throws Exception {
    List<double[]> speech = new ArrayList<>();
    Path dir = Files.createDirectories(tmp.resolve("long"));
    TestFiles.write(dir.resolve("call.wav"), TestFiles.minute(1.5, speech), 16000, 16, false, false,
        AudioFileFormat.Type.WAVE);
    List<Row> rows = new EmotionScorer().setBundle(DEMO).setDevice("cpu").setTimeline(true)
        .transform(spark.read().format("binaryFile").load(dir.toString()))
        .select("emotion").orderBy("emotion.segment").collectAsList();
    assertThat(rows.size()).isGreaterThanOrEqualTo(speech.size());
    for (Row r : rows) {
      Row e = r.getStruct(0);
      assertThat(e.<String>getAs("outcome")).isNotEqualTo("failed");
      assertThat(e.<Double>getAs("end_seconds") - e.<Double>getAs("start_seconds"))
          .isLessThanOrEqualTo(8.0);
    }
  }
}

package io.mersdk.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.mersdk.AudioException;
import io.mersdk.EmotionRecognizer;
import io.mersdk.EmotionResult;
import io.mersdk.audio.AudioSources;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The scorer over a folder of files in local[2], against direct SDK calls on the same bytes. The
 * bundle is a fake one (FakeBackendProvider), so this class needs no model files; RealBundleSparkTest
 * runs the same checks on real bundles.
 */
class EmotionScorerTest {
  @TempDir static Path tmp;
  static SparkSession spark;
  static Path bundle;
  static List<TestFiles.File> files;
  static Dataset<Row> input;

  @BeforeAll
  static void setUp() throws Exception {
    spark = TestSpark.session();
    bundle = FakeBackendProvider.writeBundle(tmp.resolve("fake-four"), "fake-four",
        List.of("neutral", "happy", "sad", "angry"), 8);
    files = TestFiles.makeFolder(tmp.resolve("audio"));
    input = spark.read().format("binaryFile").load(tmp.resolve("audio").toString());
  }

  static EmotionScorer scorer() {
    return new EmotionScorer().setBundle(bundle.toString()).setDevice("cpu");
  }

  /** path column of binaryFile (a file: URI) to the local file. */
  static Path local(String uri) {
    return Path.of(java.net.URI.create(uri));
  }

  @Test
  void folderOfFilesGivesOneRowPerFileEqualToDirectCalls() throws Exception {
    assertThat(files).hasSizeGreaterThanOrEqualTo(40);
    List<Row> rows = scorer().transform(input).select("path", "emotion").collectAsList();
    assertThat(rows).hasSize(files.size());

    Map<Path, TestFiles.Kind> kinds = new HashMap<>();
    files.forEach(f -> kinds.put(f.path().toAbsolutePath(), f.kind()));
    try (EmotionRecognizer direct = EmotionRecognizer.builder().bundle(bundle)
        .device(io.mersdk.Device.CPU).threads(1).build()) {
      for (Row row : rows) {
        String path = row.getString(0);
        Row e = row.getStruct(1);
        TestFiles.Kind kind = kinds.get(local(path));
        assertThat(kind).as("row for %s", path).isNotNull();
        byte[] bytes = Files.readAllBytes(local(path));
        switch (kind) {
          case SPEECH -> {
            EmotionResult r = direct.recognize(AudioSources.of(bytes, path).readMono(16000));
            assertThat(e.<String>getAs("outcome")).as(path).isEqualTo("emotion");
            assertThat(e.<String>getAs("label")).as(path).isEqualTo(r.label());
            assertThat(e.<Double>getAs("confidence")).isCloseTo(r.confidence(), within(1e-5));
            Map<String, Double> p = e.getJavaMap(e.fieldIndex("probabilities"));
            assertThat(List.copyOf(p.keySet())).isEqualTo(direct.labels());
            r.probabilities().forEach((label, v) ->
                assertThat(p.get(label)).as("%s %s", path, label).isCloseTo(v, within(1e-5)));
            assertThat(e.<String>getAs("bundle_id")).isEqualTo("fake-four");
            assertThat(e.<String>getAs("device")).isEqualTo("cpu");
            assertThat(e.isNullAt(e.fieldIndex("error"))).isTrue();
            assertThat(e.getStruct(e.fieldIndex("speech")).<String>getAs("basis"))
                .isEqualTo("acoustic_gate_only");
            assertThat(e.getStruct(e.fieldIndex("timings_ms")).<Double>getAs("total")).isPositive();
          }
          case SILENCE -> {
            assertThat(e.<String>getAs("outcome")).as(path).isEqualTo("no_speech");
            assertThat(e.isNullAt(e.fieldIndex("label"))).isTrue();
            assertThat(e.getStruct(e.fieldIndex("speech")).<String>getAs("basis"))
                .isEqualTo("acoustic_gate");
          }
          case CORRUPT -> {
            assertThat(e.<String>getAs("outcome")).as(path).isEqualTo("failed");
            Row error = e.getStruct(e.fieldIndex("error"));
            assertThat(error.<String>getAs("type")).as(path).isEqualTo("AudioException");
            String expected = null;
            try {
              AudioSources.of(bytes, path).readMono(16000);
            } catch (AudioException ex) {
              expected = ex.getMessage();
            }
            assertThat(error.<String>getAs("message")).as(path).isEqualTo(expected).contains(path);
          }
          default -> throw new AssertionError(kind);
        }
      }
    }
  }

  @Test
  void oneRecognizerPerJvmHoweverManyPartitions() {
    Path own = FakeBackendProvider.writeBundle(tmp.resolve("fake-count"), "fake-count",
        List.of("calm", "upset"), 8);
    long before = RecognizerRegistry.recognizersBuilt();
    Dataset<Row> eight = input.repartition(8);
    assertThat(eight.rdd().getNumPartitions()).isEqualTo(8);
    EmotionScorer s = new EmotionScorer().setBundle(own.toString()).setDevice("cpu");
    assertThat(s.transform(eight).count()).isEqualTo(files.size());
    assertThat(s.transform(input.repartition(5)).count()).isEqualTo(files.size());
    assertThat(RecognizerRegistry.recognizersBuilt() - before).isEqualTo(1);
    RecognizerRegistry.Key key = new RecognizerRegistry.Key(own.toAbsolutePath().toString(),
        io.mersdk.Device.CPU, 1, true);
    assertThat(RecognizerRegistry.leases(key)).as("leases after the jobs").isZero();
  }

  @Test
  void twoLabelBundleGivesTwoProbabilities() {
    Path two = FakeBackendProvider.writeBundle(tmp.resolve("fake-two"), "fake-two",
        List.of("calm", "upset"), 8);
    Row e = new EmotionScorer().setBundle(two.toString()).setDevice("cpu").transform(input)
        .where("emotion.outcome = 'emotion'").select("emotion").first().getStruct(0);
    assertThat(e.getJavaMap(e.fieldIndex("probabilities"))).containsOnlyKeys("calm", "upset");
  }

  @Test
  void outputRoundTripsThroughParquet() {
    Path out = tmp.resolve("scored.parquet");
    Dataset<Row> scored = scorer().transform(input).drop("content");
    scored.write().parquet(out.toString());
    Dataset<Row> back = spark.read().parquet(out.toString());
    assertThat(back.schema().apply("emotion").dataType())
        .isEqualTo(EmotionScorer.resultType().asNullable());
    List<Row> a = scored.orderBy("path").collectAsList();
    List<Row> b = back.orderBy("path").collectAsList();
    assertThat(b).hasSize(files.size());
    for (int i = 0; i < a.size(); i++) {
      Row x = a.get(i).getStruct(a.get(i).fieldIndex("emotion"));
      Row y = b.get(i).getStruct(b.get(i).fieldIndex("emotion"));
      for (String f : new String[] {"outcome", "label", "confidence", "transcript", "device",
          "bundle_id", "speech", "error", "start_seconds", "end_seconds"}) {
        assertThat(y.<Object>getAs(f)).as("%s of %s", f, a.get(i).getAs("path"))
            .isEqualTo(x.getAs(f));
      }
      if (!x.isNullAt(x.fieldIndex("probabilities"))) {
        assertThat(y.getJavaMap(y.fieldIndex("probabilities")))
            .isEqualTo(x.getJavaMap(x.fieldIndex("probabilities")));
      }
    }
  }

  @Test
  void savesAndLoadsWithThePipeline() throws Exception {
    EmotionScorer s = scorer().setOutputCol("mood").setBatchSize(3).setTimeline(true)
        .setThreads(2).setSpeechGate(false).setPathCol("name");
    Path dir = tmp.resolve("pipeline");
    PipelineModel model = new Pipeline().setStages(new PipelineStage[] {s}).fit(input);
    model.write().overwrite().save(dir.toString());
    EmotionScorer back = (EmotionScorer) PipelineModel.load(dir.toString()).stages()[0];
    assertThat(back.uid()).isEqualTo(s.uid());
    assertThat(back.getBundle()).isEqualTo(bundle.toString());
    assertThat(back.getOutputCol()).isEqualTo("mood");
    assertThat(back.getBatchSize()).isEqualTo(3);
    assertThat(back.getThreads()).isEqualTo(2);
    assertThat(back.getTimeline()).isTrue();
    assertThat(back.getSpeechGate()).isFalse();
    assertThat(back.getPathCol()).isEqualTo("name");
    assertThat(back.getDevice()).isEqualTo("cpu");

    Path alone = tmp.resolve("scorer");
    scorer().write().overwrite().save(alone.toString());
    assertThat(EmotionScorer.load(alone.toString()).getBundle()).isEqualTo(bundle.toString());
  }

  @Test
  void decodedSampleArraysWithTheirRate() {
    List<float[]> speech = TestFiles.speech();
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < speech.size(); i++) {
      float[] x = io.mersdk.audio.Resampler.resample(speech.get(i), 16000, 8000);
      List<Float> list = new ArrayList<>(x.length);
      for (float v : x) {
        list.add(v);
      }
      rows.add(RowFactory.create("rec-" + i, list, 8000));
    }
    rows.add(RowFactory.create("bad-rate", List.of(0.1f, 0.2f), 0));
    StructType schema = new StructType().add("path", DataTypes.StringType)
        .add("samples", DataTypes.createArrayType(DataTypes.FloatType))
        .add("rate", DataTypes.IntegerType);
    List<Row> out = scorer().setInputCol("samples").setSampleRateCol("rate")
        .transform(spark.createDataFrame(rows, schema)).orderBy("path").collectAsList();
    assertThat(out).hasSize(speech.size() + 1);
    Row bad = out.get(0).getStruct(3);
    assertThat(bad.<String>getAs("outcome")).isEqualTo("failed");
    assertThat(bad.getStruct(bad.fieldIndex("error")).<String>getAs("message"))
        .isEqualTo("bad-rate: sample rate 0 Hz is not a positive rate");
    for (Row r : out.subList(1, out.size())) {
      assertThat(r.getStruct(3).<String>getAs("outcome")).isEqualTo("emotion");
    }
  }

  @Test
  void badSettingsAreNamed() {
    assertThatThrownBy(() -> new EmotionScorer().transform(input))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("EmotionScorer.bundle");
    assertThatThrownBy(() -> scorer().setInputCol("nope").transform(input))
        .hasMessageContaining("EmotionScorer.inputCol: no column 'nope'");
    assertThatThrownBy(() -> scorer().setInputCol("length").transform(input))
        .hasMessageContaining("EmotionScorer.inputCol: column 'length' is bigint");
    assertThatThrownBy(() -> scorer().setDevice("tpu").transform(input))
        .hasMessageContaining("EmotionScorer.device: unknown device 'tpu'");
    assertThatThrownBy(() -> scorer().setBatchSize(0).transform(input))
        .hasMessageContaining("EmotionScorer.batchSize: must be >= 1, got 0");
    assertThatThrownBy(() -> scorer().setOutputCol("path").transform(input))
        .hasMessageContaining("EmotionScorer.outputCol");
  }
}

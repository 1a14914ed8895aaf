package io.mersdk.spark;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The spark-score job: a nested folder in, Parquet out, one row per matching file. */
class ScoreJobTest {
  @TempDir Path tmp;

  @Test
  void scoresAFolderTreeToParquet() throws Exception {
    SparkSession spark = TestSpark.session();
    Path bundle = FakeBackendProvider.writeBundle(tmp.resolve("fake-job"), "fake-job",
        List.of("neutral", "happy", "sad", "angry"), 8);
    Path in = tmp.resolve("in");
    Files.createDirectories(in.resolve("day1"));
    Files.createDirectories(in.resolve("day2"));
    List<Path> recs = TestFiles.recordingFiles();
    Files.copy(recs.get(0), in.resolve("day1/a.wav"));
    Files.copy(recs.get(1), in.resolve("day2/b.wav"));
    Files.writeString(in.resolve("day2/c.wav"), "not audio at all, just text in a file");
    Files.writeString(in.resolve("day2/notes.txt"), "skipped by the glob");
    Path out = tmp.resolve("out.parquet");

    ScoreJob.Summary s = ScoreJob.run(spark, in.toString(), out.toString(),
        new ScoreJob.Options().bundle(bundle.toString()).device("cpu").glob("*.wav").partitions(3));

    assertThat(s.rows()).isEqualTo(3);
    assertThat(s.byOutcome()).containsEntry("emotion", 2L).containsEntry("failed", 1L);
    assertThat(s.failed()).singleElement().asString().contains("c.wav");
    List<Row> rows = spark.read().parquet(out.toString()).orderBy("path").collectAsList();
    assertThat(rows).extracting(r -> Path.of(r.getString(r.fieldIndex("path"))).getFileName().toString())
        .containsExactly("a.wav", "b.wav", "c.wav");
    assertThat(rows.get(0).schema().fieldNames())
        .containsExactly("path", "modificationTime", "length", "emotion");
  }
}

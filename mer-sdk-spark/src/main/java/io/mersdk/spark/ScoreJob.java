package io.mersdk.spark;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * The batch job behind {@code mer spark-score INPUT OUTPUT}: every audio file under {@code input}
 * (Spark's {@code binaryFile} source: local, HDFS, S3, ... paths) scored by {@link EmotionScorer}
 * and written to {@code output} as Parquet, one row per file (or per speech segment in timeline
 * mode) with {@code path}, {@code modificationTime}, {@code length} and the {@code emotion} struct.
 */
public final class ScoreJob {
  private ScoreJob() {}

  /** What the job does; {@link #bundle} is required. */
  public static final class Options {
    String glob = "*";
    boolean recursive = true;
    int partitions;
    boolean overwrite;
    final EmotionScorer scorer = new EmotionScorer();

    /** The bundle as {@link EmotionScorer#setBundle} takes it. */
    public Options bundle(String bundle) {
      scorer.setBundle(bundle);
      return this;
    }

    public Options device(String device) {
      scorer.setDevice(device);
      return this;
    }

    public Options batchSize(int n) {
      scorer.setBatchSize(n);
      return this;
    }

    /** 0: from {@code spark.task.cpus}. */
    public Options threads(int n) {
      scorer.setThreads(n);
      return this;
    }

    public Options timeline(boolean on) {
      scorer.setTimeline(on);
      return this;
    }

    public Options speechGate(boolean on) {
      scorer.setSpeechGate(on);
      return this;
    }

    /** Only files whose name matches, e.g. {@code *.wav} (binaryFile's pathGlobFilter). */
    public Options glob(String glob) {
      this.glob = Objects.requireNonNull(glob, "glob");
      return this;
    }

    /** Look into sub-folders (default on). */
    public Options recursive(boolean on) {
      this.recursive = on;
      return this;
    }

    /**
     * Repartition the files into this many partitions before scoring (0: as Spark reads them,
     * which packs small files into few partitions; use a few per task slot so that every core
     * works until the end).
     */
    public Options partitions(int n) {
      if (n < 0) {
        throw new IllegalArgumentException("partitions: must be >= 0, got " + n);
      }
      this.partitions = n;
      return this;
    }

    /** Replace an existing output (default: fail if it exists). */
    public Options overwrite(boolean on) {
      this.overwrite = on;
      return this;
    }
  }

  /**
   * What the job wrote.
   *
   * @param rows rows written
   * @param byOutcome rows per outcome ({@code emotion}, {@code no_speech}, {@code failed})
   * @param failed the error messages (each names its file) of up to 20 failed rows
   */
  public record Summary(long rows, Map<String, Long> byOutcome, List<String> failed) {}

  /** The scored files, not yet written (for callers that want to do more with them). */
  public static Dataset<Row> scored(SparkSession spark, String input, Options options) {
    Dataset<Row> files = spark.read().format("binaryFile")
        .option("pathGlobFilter", options.glob)
        .option("recursiveFileLookup", String.valueOf(options.recursive))
        .load(input);
    if (options.partitions > 0) {
      files = files.repartition(options.partitions);
    }
    return options.scorer.transform(files).drop("content");
  }

  /** Scores {@code input} and writes Parquet to {@code output}; then counts what it wrote. */
  public static Summary run(SparkSession spark, String input, String output, Options options) {
    Dataset<Row> scored = scored(spark, input, options);
    scored.write().mode(options.overwrite ? "overwrite" : "errorifexists").parquet(output);
    Dataset<Row> back = spark.read().parquet(output);
    Map<String, Long> by = new LinkedHashMap<>();
    long rows = 0;
    for (Row r : back.groupBy("emotion.outcome").count().orderBy("outcome").collectAsList()) {
      by.put(r.getString(0), r.getLong(1));
      rows += r.getLong(1);
    }
    List<String> failed = back.where("emotion.outcome = 'failed'").orderBy("path").limit(20)
        .select("emotion.error.message").collectAsList().stream()
        .map(r -> r.getString(0)).toList();
    return new Summary(rows, Map.copyOf(by), failed);
  }
}

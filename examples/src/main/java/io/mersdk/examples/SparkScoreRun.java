package io.mersdk.examples;

import io.mersdk.BundleException;
import io.mersdk.DeviceUnavailableException;
import io.mersdk.MerException;
import io.mersdk.spark.ScoreJob;
import java.io.PrintWriter;
import java.util.Map;
import org.apache.spark.sql.SparkSession;

/** The Spark side of {@link SparkScoreCommand}, loaded only when Spark is on the class path. */
final class SparkScoreRun {
  private SparkScoreRun() {}

  static int run(SparkScoreCommand c, PrintWriter out, PrintWriter err) {
    SparkSession.Builder b = SparkSession.builder().appName("mer spark-score");
    if (c.master != null) {
      b.master(c.master);
    } else if (System.getProperty("spark.master") == null) {
      b.master("local[*]"); // not under spark-submit
    }
    ScoreJob.Options o = new ScoreJob.Options().bundle(c.bundle).device(c.device)
        .threads(c.threads).batchSize(c.batch).timeline(c.timeline).speechGate(!c.noSpeechGate)
        .glob(c.glob).partitions(c.partitions).overwrite(c.overwrite);
    try (SparkSession spark = b.getOrCreate()) {
      ScoreJob.Summary s;
      try {
        s = ScoreJob.run(spark, c.input, c.output, o);
      } catch (IllegalArgumentException e) {
        throw new CliException(Mer.USAGE, e.getMessage());
      } catch (RuntimeException e) {
        throw unwrap(e);
      }
      Map<String, Long> by = s.byOutcome();
      out.printf("%s: %d rows (emotion %d, no_speech %d, failed %d)%n", c.output, s.rows(),
          by.getOrDefault("emotion", 0L), by.getOrDefault("no_speech", 0L),
          by.getOrDefault("failed", 0L));
      out.flush();
      for (String m : s.failed()) {
        err.println("mer: " + m);
      }
      err.flush();
      return by.getOrDefault("failed", 0L) > 0 ? Mer.INPUTS_FAILED : Mer.OK;
    }
  }

  /**
   * A task's BundleException or DeviceUnavailableException reaches the driver inside Spark's
   * SparkException; the command reports the SDK's own message and exit code.
   */
  private static RuntimeException unwrap(RuntimeException e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof BundleException || t instanceof DeviceUnavailableException) {
        return new CliException(Mer.BUNDLE_OR_DEVICE, t.getMessage());
      }
      if (t instanceof MerException) {
        return new CliException(Mer.BUNDLE_OR_DEVICE, t.getMessage());
      }
    }
    return e;
  }
}

package io.mersdk.examples;

import io.mersdk.BundleException;
import io.mersdk.DeviceUnavailableException;
import io.mersdk.MerException;
import io.mersdk.spark.ScoreJob;
import java.io.PrintWriter;
import java.util.Map;
import org.apache.spark.sql.AnalysisException;
import org.apache.spark.sql.SparkSession;

/** The Spark side of {@link SparkScoreCommand}, loaded only when Spark is on the class path. */
final class SparkScoreRun {
  private SparkScoreRun() {}

  static int run(SparkScoreCommand c, PrintWriter out, PrintWriter err) {
    SparkSession.Builder b = SparkSession.builder().appName("mer spark-score");
    String master = c.master != null ? c.master : System.getProperty("spark.master");
    if (master == null) {
      master = "local[*]"; // not under spark-submit
    }
    b.master(master);
    if (master.startsWith("local")) {
      // A command on one machine: no web UI, nothing bound beyond this host.
      b.config("spark.ui.enabled", System.getProperty("spark.ui.enabled", "false"));
      b.config("spark.driver.bindAddress", System.getProperty("spark.driver.bindAddress", "127.0.0.1"));
      b.config("spark.driver.host", System.getProperty("spark.driver.host", "127.0.0.1"));
    }
    ScoreJob.Options o = new ScoreJob.Options().bundle(c.bundle).device(c.device)
        .threads(c.threads).batchSize(c.batch).timeline(c.timeline).speechGate(!c.noSpeechGate)
        .glob(c.glob).partitions(c.partitions).overwrite(c.overwrite);
    SparkSession spark = b.getOrCreate();
    try {
      ScoreJob.Summary s;
      try {
        s = ScoreJob.run(spark, c.input, c.output, o);
      } catch (Exception e) {
        // Spark's AnalysisException is a checked type that Scala code throws undeclared.
        if (e instanceof IllegalArgumentException || e instanceof AnalysisException) {
          // a bad setting, INPUT not found, OUTPUT already there (without --overwrite)
          throw new CliException(Mer.USAGE, e.getMessage());
        }
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
    } finally {
      spark.stop();
    }
  }

  /**
   * A task's BundleException or DeviceUnavailableException reaches the driver inside Spark's
   * SparkException; the command reports the SDK's own message and exit code.
   */
  private static RuntimeException unwrap(Exception e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof BundleException || t instanceof DeviceUnavailableException) {
        return new CliException(Mer.BUNDLE_OR_DEVICE, t.getMessage());
      }
      if (t instanceof MerException) {
        return new CliException(Mer.BUNDLE_OR_DEVICE, t.getMessage());
      }
    }
    return e instanceof RuntimeException r ? r : new IllegalStateException(e.toString(), e);
  }
}

package io.mersdk.spark.clusterjob;

import io.mersdk.spark.EmotionScorer;
import io.mersdk.spark.RecognizerRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * SparkBench's job on the standalone cluster (a benchmark, not a test): the scorer over the files
 * of INPUT, timed as SparkBench times local mode, in turns with the bench's SDK loop in the other
 * JVM. Protocol through files in SYNC: before timed pass k it writes {@code ready-k} and waits for
 * {@code go-k} (the loop has run), then writes {@code done-k} with the pass's seconds and, on a second
 * line, where they went ({@link PassMetrics}). Also writes
 * {@code first-row} (seconds from the first job's start to its first row, recogniser not yet built),
 * {@code rss-before} and {@code rss} (per executor JVM: pid, VmRSS kB, recognisers built; before
 * the first scoring and after the timed passes).
 *
 * <p>Args: {@code INPUT BUNDLE PARTITIONS RUNS SYNC}.
 */
public final class BenchJob {
  private BenchJob() {}

  public static void main(String[] args) throws Exception {
    String input = args[0];
    String bundle = args[1];
    int partitions = Integer.parseInt(args[2]);
    int runs = Integer.parseInt(args[3]);
    Path sync = Path.of(args[4]);
    SparkSession spark = SparkSession.builder().appName("mer-sdk-spark bench").getOrCreate();
    try {
      Dataset<Row> raw = spark.read().format("binaryFile").load(input);
      EmotionScorer s = new EmotionScorer().setBundle(bundle).setDevice("cpu").setBatchSize(1);
      write(sync, "rss-before", executors(spark)); // executors up, no recogniser yet
      long t = System.nanoTime();
      s.transform(raw).select("emotion.outcome").toLocalIterator().next();
      write(sync, "first-row", String.format(Locale.ROOT, "%.3f", (System.nanoTime() - t) / 1e9));
      PassMetrics metrics = PassMetrics.register(spark);
      Dataset<Row> in = raw.repartition(partitions).cache();
      in.count(); // read and shuffle once, outside the timing, as SparkBench does in local mode
      for (int k = 0; k <= runs; k++) { // pass 0 is the warm-up
        write(sync, "ready-" + k, "");
        await(sync.resolve("go-" + k));
        metrics.reset();
        long t0 = System.nanoTime();
        s.transform(in).write().format("noop").mode("overwrite").save();
        double sec = (System.nanoTime() - t0) / 1e9;
        // the executors' slots: spark.cores.max of 1-core executors
        int slots = spark.sparkContext().getConf().getInt("spark.cores.max", 2);
        write(sync, "done-" + k, String.format(Locale.ROOT, "%.4f%n%s", sec, metrics.summary(spark, slots)));
      }
      write(sync, "rss", executors(spark));
    } finally {
      spark.stop();
    }
  }

  /** "pid maxVmRSSkB recognisersBuilt VmHWMkB" per executor JVM, from a job of many small tasks. */
  static String executors(SparkSession spark) {
    List<String> seen = spark.range(0, 64, 1, 64).mapPartitions(
        (org.apache.spark.api.java.function.MapPartitionsFunction<Long, String>) it -> List.of(
            ProcessHandle.current().pid() + " " + statusKb("VmRSS:") + " "
                + RecognizerRegistry.recognizersBuilt() + " " + statusKb("VmHWM:"))
            .iterator(), Encoders.STRING()).collectAsList();
    java.util.Map<String, long[]> by = new java.util.TreeMap<>();
    for (String l : seen) {
      String[] f = l.split(" ");
      long[] v = by.computeIfAbsent(f[0], k -> new long[3]);
      v[0] = Math.max(v[0], Long.parseLong(f[1]));
      v[1] = Math.max(v[1], Long.parseLong(f[2]));
      v[2] = Math.max(v[2], Long.parseLong(f[3]));
    }
    StringBuilder sb = new StringBuilder();
    by.forEach((pid, v) -> sb.append(pid).append(' ').append(v[0]).append(' ').append(v[1])
        .append(' ').append(v[2]).append('\n'));
    return sb.toString().trim();
  }

  /** A kB field of /proc/self/status ({@code VmRSS:} now, {@code VmHWM:} the peak). */
  static long statusKb(String field) throws IOException {
    for (String l : Files.readAllLines(Path.of("/proc/self/status"))) {
      if (l.startsWith(field)) {
        return Long.parseLong(Arrays.stream(l.split("\\s+")).filter(x -> x.matches("\\d+"))
            .findFirst().orElse("0"));
      }
    }
    return 0;
  }

  private static void write(Path dir, String name, String text) {
    try {
      Path tmp = dir.resolve(name + ".tmp");
      Files.writeString(tmp, text);
      Files.move(tmp, dir.resolve(name), StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void await(Path file) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.HOURS.toNanos(1);
    while (!Files.exists(file)) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("no " + file + " within an hour");
      }
      TimeUnit.MILLISECONDS.sleep(10);
    }
  }
}

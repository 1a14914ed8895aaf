package io.mersdk.spark;

import io.mersdk.Device;
import io.mersdk.EmotionRecognizer;
import io.mersdk.audio.AudioSources;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * A benchmark, not a test (it asserts nothing and is skipped unless {@code -Dmer.bench=true}):
 * rows per second with a bundle (default: the demo bundle) for a plain SDK loop at 1 and 2 threads against Spark
 * local[1] and local[2] and a standalone cluster of 2 workers x 1 core (skip it with
 * -Dmer.bench.cluster=false), time from job start to the first row, and the memory one recogniser
 * takes (in this JVM, and each executor JVM's RSS on the cluster), and for every pass where Spark's
 * time went ({@link io.mersdk.spark.clusterjob.PassMetrics}). Options: {@code mer.bench.bundle},
 * {@code mer.bench.copies}, {@code mer.bench.runs} (timed pairs), {@code mer.bench.slots} (local
 * modes, default {@code 1,2}), {@code mer.bench.partitionsPerSlot} (default 4), {@code
 * mer.bench.cluster}, {@code mer.bench.executorMemory}. Writes target/spark-bench.md. Run:
 *
 * <pre>
 * ./mvnw -B -ntp -pl mer-sdk-spark -am -Dtest=SparkBench -Dsurefire.failIfNoSpecifiedTests=false -Dmer.bench=true verify
 * </pre>
 */
@EnabledIfSystemProperty(named = "mer.bench", matches = "true")
class SparkBench {
  /** Any bundle setting of EmotionScorer: -Dmer.bench.bundle=/path/to/full-size-bundle. */
  static final String BUNDLE = System.getProperty("mer.bench.bundle", "classpath:io/mersdk/demo/bundle");
  static final int COPIES = Integer.getInteger("mer.bench.copies", 6);
  static final int RUNS = Integer.getInteger("mer.bench.runs", 2);
  /** The local modes to run, e.g. {@code 2} for local[2] only (the full-size run). */
  static final int[] SLOTS = Arrays.stream(System.getProperty("mer.bench.slots", "1,2").split(","))
      .map(String::trim).mapToInt(Integer::parseInt).toArray();
  /** Partitions per task slot (1-core executor or local thread). */
  static final int PARTITIONS_PER_SLOT = Integer.getInteger("mer.bench.partitionsPerSlot", 4);
  static final Path PROGRESS = Path.of("target", "spark-bench-progress.log");

  @TempDir Path tmp;
  final StringBuilder report = new StringBuilder();

  @Test
  void bench() throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("audio"));
    List<Path> files = new ArrayList<>();
    double audioSeconds = 0;
    for (int c = 0; c < COPIES; c++) {
      for (Path rec : TestFiles.recordingFiles()) {
        Path f = dir.resolve(c + "-" + rec.getFileName());
        Files.copy(rec, f);
        files.add(f);
        audioSeconds += AudioSources.of(f).readMono(16000).length / 16000.0;
      }
    }
    line("files: %d WAV (the example recordings x %d), %.1f s of audio; bundle %s, CPU, batch 1,"
        + " 1 intra-op thread per session; %d timed pairs after a warm-up pair, medians shown",
        files.size(), COPIES, audioSeconds, BUNDLE, RUNS);
    line("cores: %d (shared with other jobs on this machine)", Runtime.getRuntime().availableProcessors());
    Files.createDirectories(PROGRESS.getParent());
    Files.writeString(PROGRESS, "");

    // Memory: RSS (after a GC) around building recognisers and a first call on one file. The
    // second one is the figure per recogniser: classes, JIT and allocator arenas are there already.
    float[] one = AudioSources.of(files.get(0)).readMono(16000);
    long rss0 = rssKb();
    EmotionRecognizer r = recognizer();
    r.recognize(one);
    long rss1 = rssKb();
    EmotionRecognizer second = recognizer();
    second.recognize(one);
    long rss2 = rssKb();
    second.close();
    progress("RSS: +%d MB first recogniser, +%d MB second", (rss1 - rss0) / 1024, (rss2 - rss1) / 1024);
    line("");
    line("RSS after a GC: +%d MB for the first recogniser (build and one call, one-time JVM and"
        + " runtime costs included), +%d MB for a second one", (rss1 - rss0) / 1024, (rss2 - rss1) / 1024);

    line("");
    line("| mode | rows/s (median) | seconds for %d files: median (min-max) |", files.size());
    line("|---|---|---|");
    boolean firstMode = true;
    for (int slots : SLOTS) {
      SparkSession spark = SparkSession.builder().master("local[" + slots + "]")
          .appName("spark-bench").config("spark.ui.enabled", "false")
          .config("spark.driver.host", "127.0.0.1").config("spark.driver.bindAddress", "127.0.0.1")
          .getOrCreate();
      try {
        io.mersdk.spark.clusterjob.PassMetrics metrics = io.mersdk.spark.clusterjob.PassMetrics.register(spark);
        Dataset<Row> raw = spark.read().format("binaryFile").load(dir.toString());
        EmotionScorer s = new EmotionScorer().setBundle(BUNDLE).setDevice("cpu").setBatchSize(1)
            .setThreads(1);
        if (firstMode) {
          firstMode = false;
          RecognizerRegistry.closeIdle();
          long t = System.nanoTime();
          Row first = s.transform(raw).select("emotion.outcome").toLocalIterator().next();
          firstRow = (System.nanoTime() - t) / 1e9;
          firstRowMode = "local[" + slots + "]";
          firstOutcome = first.getString(0);
          progress("first row, %s: %.2f s", firstRowMode, firstRow);
        }
        Dataset<Row> in = raw.repartition(PARTITIONS_PER_SLOT * slots).cache();
        in.count(); // read and shuffle once, outside the timing: the loop reads no more than files
        // The machine is shared: loop and Spark runs alternate (ABAB...), so that both see the
        // same background load; the first pair is the warm-up.
        double[] loopS = new double[RUNS];
        double[] sparkS = new double[RUNS];
        for (int run = 0; run <= RUNS; run++) {
          double l = loopOnce(r, files, slots);
          metrics.reset();
          long t = System.nanoTime();
          s.transform(in).write().format("noop").mode("overwrite").save();
          double sec = (System.nanoTime() - t) / 1e9;
          progress("local[%d] pair %d: loop %.2f s (its calls %.2f s), Spark %.2f s; %s", slots, run, l, lastBusy, sec,
              metrics.summary(spark, slots));
          if (run > 0) {
            loopS[run - 1] = l;
            sparkS[run - 1] = sec;
          }
        }
        double lm = median(loopS);
        double sm = median(sparkS);
        line("| SDK loop, %d thread%s | %.3f | %.2f (%s) |", slots, slots == 1 ? "" : "s", files.size() / lm, lm,
            spread(loopS));
        line("| Spark local[%d], %d partitions | %.3f | %.2f (%s) |", slots, PARTITIONS_PER_SLOT * slots,
            files.size() / sm, sm, spread(sparkS));
        line("| Spark / loop time, %d slot%s (pairs: %s) | %.3f | |", slots, slots == 1 ? "" : "s",
            ratios(sparkS, loopS), sm / lm);
      } finally {
        spark.stop();
      }
    }
    // The local modes' recogniser (this JVM's registry) is not needed any more: give its native
    // memory back before two executor JVMs load theirs.
    RecognizerRegistry.closeIdle();
    if (!"false".equals(System.getProperty("mer.bench.cluster"))) {
      clusterBench(dir, files, r);
    }
    r.close();
    line("");
    line("time from job start to the first row (%s, SparkSession up, recogniser not yet built):"
        + " %.2f s (%s)", firstRowMode, firstRow, firstOutcome);
    if (clusterFirstRow != null) {
      line("time from job start to the first row (standalone cluster, executors up, recogniser not yet"
          + " built): %s s", clusterFirstRow);
      line("");
      line("executor JVMs, VmRSS after the timed passes and VmHWM (peak): %s", clusterRss);
    }
    line("");
    line("Each pass (pair 0 is the warm-up); Spark's side from its task metrics (PassMetrics):");
    line("");
    line("```");
    report.append(Files.readString(PROGRESS));
    line("```");
    Path out = Path.of("target", "spark-bench.md");
    Files.createDirectories(out.getParent());
    Files.writeString(out, report);
    System.out.print(report);
  }

  private String clusterFirstRow;
  private String clusterRss;

  /**
   * The same scoring on a standalone cluster of 2 workers x 1 core (StandaloneCluster: separate
   * JVMs on 127.0.0.1), submitted with spark-submit (BenchJob), timed in turns with the SDK loop at
   * 2 threads in this JVM (file handshake: the job waits for the loop's turn before each pass).
   * The bundle travels as users ship it: a classpath: bundle zipped with --archives, a folder by
   * its path (the executors are on this machine).
   */
  private void clusterBench(Path dir, List<Path> files, EmotionRecognizer r) throws Exception {
    Path root = Path.of("target", "spark-bench-cluster").toAbsolutePath();
    StandaloneCluster.deleteTree(root);
    Files.createDirectories(root);
    StandaloneCluster.Layout layout = StandaloneCluster.Layout.ofThisModule(root.resolve("app"));
    String bundle = BUNDLE;
    List<String> args = new ArrayList<>();
    if (BUNDLE.startsWith(ScorerConfig.CLASSPATH)) {
      Path folder = StandaloneCluster.copyResourceFolder(BUNDLE.substring(ScorerConfig.CLASSPATH.length()),
          root.resolve("bundle"));
      args.addAll(List.of("--archives", StandaloneCluster.zip(folder, root.resolve("bundle.zip")) + "#bundle"));
      bundle = "sparkfiles:bundle";
    }
    String memory = System.getProperty("mer.bench.executorMemory", "1g");
    Path sync = Files.createDirectories(root.resolve("sync"));
    try (StandaloneCluster cluster = StandaloneCluster.start(root.resolve("cluster"), layout.clusterJars(),
        2, 1, memory, java.time.Duration.ofMinutes(3))) {
      args.addAll(List.of("--master", cluster.masterUrl(), "--class", "io.mersdk.spark.clusterjob.BenchJob",
          "--jars", String.join(",", layout.appJars().stream().map(Path::toString).toList())));
      for (String c : List.of("spark.driver.host=127.0.0.1", "spark.driver.bindAddress=127.0.0.1",
          "spark.ui.enabled=false", "spark.executor.cores=1", "spark.cores.max=2",
          "spark.executor.memory=" + memory, "spark.scheduler.minRegisteredResourcesRatio=1.0",
          "spark.scheduler.maxRegisteredResourcesWaitingTime=300s")) {
        args.add("--conf");
        args.add(c);
      }
      args.add(layout.jobJar().toString());
      args.addAll(List.of(dir.toString(), bundle, String.valueOf(PARTITIONS_PER_SLOT * 2), String.valueOf(RUNS),
          sync.toString()));
      Process job = cluster.submit("bench", args);
      long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.HOURS.toNanos(1);
      double[] loopS = new double[RUNS];
      double[] sparkS = new double[RUNS];
      for (int run = 0; run <= RUNS; run++) {
        Path ready = sync.resolve("ready-" + run);
        cluster.await(() -> Files.exists(ready) || !job.isAlive(), deadline, "the bench job's pass " + run);
        if (!job.isAlive()) {
          throw new IllegalStateException("the bench job ended early; see " + cluster.log("bench"));
        }
        double l = loopOnce(r, files, 2);
        Files.writeString(sync.resolve("go-" + run), "");
        Path done = sync.resolve("done-" + run);
        cluster.await(() -> Files.exists(done) || !job.isAlive(), deadline, "the bench job's pass " + run);
        String[] d = Files.readString(done).trim().split("\n", 2);
        double sec = Double.parseDouble(d[0].trim());
        progress("cluster pair %d: loop %.2f s (its calls %.2f s), Spark %.2f s; %s", run, l, lastBusy, sec,
            d.length > 1 ? d[1] : "");
        if (run > 0) {
          loopS[run - 1] = l;
          sparkS[run - 1] = sec;
        }
      }
      if (!job.waitFor(10, java.util.concurrent.TimeUnit.MINUTES) || job.exitValue() != 0) {
        throw new IllegalStateException("the bench job failed; see " + cluster.log("bench"));
      }
      clusterFirstRow = Files.readString(sync.resolve("first-row")).trim();
      java.util.Map<String, Long> before = new java.util.HashMap<>();
      Files.readString(sync.resolve("rss-before")).trim().lines()
          .forEach(l -> before.put(l.split(" ")[0], Long.parseLong(l.split(" ")[1])));
      clusterRss = Files.readString(sync.resolve("rss")).trim().lines().map(l -> {
        String[] f = l.split(" ");
        Long b = before.get(f[0]);
        long after = Long.parseLong(f[1]);
        return String.format(Locale.ROOT, "pid %s: %d MB%s, peak %d MB, %s recogniser(s) built", f[0],
            after / 1024, b == null ? "" : String.format(Locale.ROOT, " (%d MB before its first scoring task,"
                + " %+d MB)", b / 1024, (after - b) / 1024), Long.parseLong(f[3]) / 1024, f[2]);
      }).collect(java.util.stream.Collectors.joining("; "));
      double lm = median(loopS);
      double sm = median(sparkS);
      line("| SDK loop, 2 threads (in turns with the cluster) | %.3f | %.2f (%s) |", files.size() / lm, lm,
          spread(loopS));
      line("| Spark standalone, 2 workers x 1 core, %d partitions | %.3f | %.2f (%s) |", PARTITIONS_PER_SLOT * 2,
          files.size() / sm, sm, spread(sparkS));
      line("| Spark / loop time, cluster (pairs: %s) | %.3f | |", ratios(sparkS, loopS), sm / lm);
    }
  }

  /** The last loopOnce's decode-and-recognise seconds, summed over its threads. */
  private static double lastBusy;

  private double firstRow;
  private String firstRowMode;
  private String firstOutcome;

  private static EmotionRecognizer recognizer() {
    EmotionRecognizer.Builder b = EmotionRecognizer.builder().device(Device.CPU).threads(1);
    return BUNDLE.startsWith(ScorerConfig.CLASSPATH)
        ? b.bundleResource(BUNDLE.substring(ScorerConfig.CLASSPATH.length())).build()
        : b.bundle(Path.of(BUNDLE)).build();
  }

  /**
   * Decode and recognise every file once, on {@code threads} Java threads sharing the recogniser,
   * each taking the next file as it is free (as Spark's slots take the next task).
   */
  private static double loopOnce(EmotionRecognizer r, List<Path> files, int threads) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      long t = System.nanoTime();
      java.util.concurrent.atomic.AtomicInteger next = new java.util.concurrent.atomic.AtomicInteger();
      java.util.concurrent.atomic.AtomicLong busy = new java.util.concurrent.atomic.AtomicLong();
      List<Future<?>> done = new ArrayList<>();
      for (int k = 0; k < threads; k++) {
        done.add(pool.submit(() -> {
          for (int i = next.getAndIncrement(); i < files.size(); i = next.getAndIncrement()) {
            long t0 = System.nanoTime();
            r.recognizeBatch(List.of(io.mersdk.Utterance.of(
                AudioSources.of(files.get(i)).readMono(16000))));
            busy.addAndGet(System.nanoTime() - t0);
          }
        }));
      }
      for (Future<?> f : done) {
        f.get();
      }
      double wall = (System.nanoTime() - t) / 1e9;
      lastBusy = busy.get() / 1e9;
      return wall;
    } finally {
      pool.shutdown();
    }
  }

  private static double median(double[] x) {
    double[] y = x.clone();
    Arrays.sort(y);
    return y.length % 2 == 1 ? y[y.length / 2] : (y[y.length / 2 - 1] + y[y.length / 2]) / 2;
  }

  private static String spread(double[] x) {
    return String.format(Locale.ROOT, "%.2f-%.2f", Arrays.stream(x).min().orElse(0), Arrays.stream(x).max().orElse(0));
  }

  private static void progress(String fmt, Object... args) throws IOException {
    Files.writeString(PROGRESS, String.format(Locale.ROOT, fmt, args) + "\n", java.nio.file.StandardOpenOption.APPEND);
  }

  private static String ratios(double[] a, double[] b) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < a.length; i++) {
      sb.append(i == 0 ? "" : " ").append(String.format(Locale.ROOT, "%.2f", a[i] / b[i]));
    }
    return sb.toString();
  }

  private static long rssKb() throws IOException {
    System.gc();
    for (String l : Files.readAllLines(Path.of("/proc/self/status"))) {
      if (l.startsWith("VmRSS:")) {
        return Long.parseLong(Arrays.stream(l.split("\\s+")).filter(x -> x.matches("\\d+")).findFirst().orElse("0"));
      }
    }
    return 0;
  }

  private void line(String fmt, Object... args) {
    report.append(String.format(Locale.ROOT, fmt, args)).append('\n');
  }
}

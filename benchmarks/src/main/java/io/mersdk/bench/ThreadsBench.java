package io.mersdk.bench;

import io.mersdk.EmotionRecognizer;
import io.mersdk.Utterance;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Throughput of one shared recogniser for N concurrent callers, for several intra-op thread
 * settings, A/B interleaved: every round runs each (callers, threads) pair once, in turn, so that
 * the load of other processes on a shared machine falls on all of them alike. Each caller makes
 * {@code --calls} single-utterance calls after one warm-up call. Two figures per measurement: calls
 * per second of wall time, and CPU seconds of this process per call. On a machine shared with
 * other work the first is skewed by the scheduler (a setting with more threads gets a larger share
 * of the cores); the second is not, and on a machine of its own it is what bounds throughput once
 * every core is busy (cores / CPU seconds per call). The system load average is printed before
 * each measurement.
 */
@Command(name = "threads-bench", mixinStandardHelpOptions = true,
    description = "Throughput for N concurrent callers with different intra-op thread settings.")
public final class ThreadsBench implements Callable<Integer> {
  @Option(names = "--bundle", required = true)
  Path bundle;

  @Option(names = "--threads", split = ",", required = true,
      description = "the intra-op thread settings to compare, e.g. 2,1")
  int[] threads;

  @Option(names = "--callers", split = ",", defaultValue = "1,2,4")
  int[] callers;

  @Option(names = "--seconds", defaultValue = "5", description = "utterance length")
  double seconds;

  @Option(names = "--calls", defaultValue = "2", description = "calls per caller per measurement")
  int calls;

  @Option(names = "--rounds", defaultValue = "2")
  int rounds;

  @Option(names = "--parallel-encoders", description = "WavLM beside the Whisper chain (default: in turn)")
  boolean parallelEncoders;

  @Option(names = "--prepack-weights", arity = "1",
      description = "true/false: ONNX Runtime pre-packs the MatMul weights (default: int8 graphs only)")
  Boolean prepackWeights;

  public static void main(String[] args) {
    System.exit(new CommandLine(new ThreadsBench()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    System.out.printf(Locale.ROOT, "cores %d, %.0f s utterances, %d calls per caller, %d rounds%n",
        Runtime.getRuntime().availableProcessors(), seconds, calls, rounds);
    Map<Integer, EmotionRecognizer> recognizers = new LinkedHashMap<>();
    Map<String, List<Double>> results = new LinkedHashMap<>();
    Map<String, List<Double>> cpu = new LinkedHashMap<>();
    try {
      for (int t : threads) {
        EmotionRecognizer.Builder b = MerBench.benchBuilder(bundle).threads(t).parallelEncoders(parallelEncoders);
        if (prepackWeights != null) {
          b.prepackWeights(prepackWeights);
        }
        recognizers.put(t, b.build());
      }
      float[] audio = MerBench.speech(seconds, 7);
      for (EmotionRecognizer r : recognizers.values()) {
        r.recognize(Utterance.of(audio)); // warm-up: first-run allocations, lazy initialisation
      }
      for (int round = 1; round <= rounds; round++) {
        for (int n : callers) {
          for (int t : threads) {
            double load = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
            long cpu0 = processCpuNanos();
            double perSecond = measure(recognizers.get(t), audio, n);
            double cpuPerCall = (processCpuNanos() - cpu0) / 1e9 / (n * calls);
            results.computeIfAbsent(n + "," + t, k -> new ArrayList<>()).add(perSecond);
            cpu.computeIfAbsent(n + "," + t, k -> new ArrayList<>()).add(cpuPerCall);
            System.out.printf(Locale.ROOT,
                "round %d  callers %d  threads %d  %.3f calls/s  %.2f CPU s/call  (load average %.2f)%n",
                round, n, t, perSecond, cpuPerCall, load);
          }
        }
      }
    } finally {
      recognizers.values().forEach(EmotionRecognizer::close);
    }
    System.out.println();
    System.out.println("| callers | threads | calls/s per round | mean | CPU s/call per round | mean |");
    System.out.println("|---|---|---|---|---|---|");
    results.forEach((k, v) -> {
      String[] nt = k.split(",");
      StringBuilder sb = new StringBuilder();
      for (double x : v) {
        sb.append(sb.length() == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%.3f", x));
      }
      double mean = v.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
      List<Double> c = cpu.get(k);
      StringBuilder sc = new StringBuilder();
      for (double x : c) {
        sc.append(sc.length() == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%.2f", x));
      }
      double cmean = c.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
      System.out.printf(Locale.ROOT, "| %s | %s | %s | %.3f | %s | %.2f |%n", nt[0], nt[1], sb, mean, sc, cmean);
    });
    return 0;
  }

  private static long processCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }

  /** Calls per second of {@code n} callers making {@link #calls} calls each on one recogniser. */
  private double measure(EmotionRecognizer r, float[] audio, int n) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(n);
    try {
      CountDownLatch start = new CountDownLatch(1);
      List<Future<?>> done = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        done.add(pool.submit(() -> {
          start.await();
          for (int c = 0; c < calls; c++) {
            r.recognize(Utterance.of(audio));
          }
          return null;
        }));
      }
      long t0 = System.nanoTime();
      start.countDown();
      for (Future<?> f : done) {
        f.get();
      }
      return n * calls / ((System.nanoTime() - t0) / 1e9);
    } finally {
      pool.shutdownNow();
    }
  }
}

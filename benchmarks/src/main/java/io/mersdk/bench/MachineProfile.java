package io.mersdk.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * The machine the bench runs on: the CPU model and the instruction-set features that decide which
 * kernels ONNX Runtime (MLAS) and PyTorch (oneDNN/MKL) pick, read from {@code /proc/cpuinfo}; and
 * its memory bandwidth, measured by a streaming read of a buffer far larger than the caches.
 */
final class MachineProfile {
  /**
   * The {@code /proc/cpuinfo} flags that change the kernels: AVX2 (MLAS's baseline x86-64 GEMM),
   * AVX-512 (its wider fp32 kernels), VNNI (int8 dot products: the int8 bundle's MatMulInteger),
   * BF16 and AMX (oneDNN's matrix tiles, used by PyTorch; MLAS 1.23 has AMX int8 kernels only).
   */
  static final Map<String, List<String>> FEATURES = features();

  private static Map<String, List<String>> features() {
    Map<String, List<String>> f = new LinkedHashMap<>();
    f.put("AVX2", List.of("avx2"));
    f.put("FMA", List.of("fma"));
    f.put("AVX-512", List.of("avx512f"));
    f.put("VNNI", List.of("avx512_vnni", "avx_vnni"));
    f.put("BF16", List.of("avx512_bf16"));
    f.put("AMX", List.of("amx_tile", "amx_int8", "amx_bf16"));
    return f;
  }

  private MachineProfile() {}

  /** Prints the CPU line and the read bandwidth on 1..N threads: {@code MachineProfile [threads] [MiB]}. */
  public static void main(String[] args) throws InterruptedException {
    int threads = args.length > 0 ? Integer.parseInt(args[0]) : Runtime.getRuntime().availableProcessors();
    long mib = args.length > 1 ? Long.parseLong(args[1]) : 1024;
    System.out.println("CPU: " + describeCpu());
    long[] buffer = buffer(mib << 20);
    for (int t = 1; t <= threads; t++) {
      System.out.printf(java.util.Locale.ROOT, "read bandwidth, %d MiB, %d thread(s): %.1f GB/s%n", mib, t,
          readBandwidth(buffer, t, 5));
    }
  }

  /** "AMD EPYC; AVX2 yes, FMA yes, AVX-512 yes, VNNI yes (avx512_vnni avx_vnni), ..."; Linux only. */
  static String describeCpu() {
    try {
      return describeCpu(Files.readAllLines(Path.of("/proc/cpuinfo")));
    } catch (IOException e) {
      return System.getProperty("os.arch") + " (no /proc/cpuinfo)";
    }
  }

  /** The CPU model and features named by the first processor of a {@code /proc/cpuinfo} text. */
  static String describeCpu(List<String> cpuinfo) {
    String model = field(cpuinfo, "model name");
    List<String> flags = Arrays.asList(field(cpuinfo, "flags").split("\\s+"));
    StringBuilder b = new StringBuilder(model.isEmpty() ? System.getProperty("os.arch") : model).append("; ");
    boolean first = true;
    for (Map.Entry<String, List<String>> e : FEATURES.entrySet()) {
      List<String> present = e.getValue().stream().filter(flags::contains).toList();
      b.append(first ? "" : ", ").append(e.getKey()).append(present.isEmpty() ? " no" : " yes");
      if (e.getValue().size() > 1 && !present.isEmpty()) {
        b.append(" (").append(String.join(" ", present)).append(')');
      }
      first = false;
    }
    return b.toString();
  }

  private static String field(List<String> lines, String name) {
    for (String l : lines) {
      int colon = l.indexOf(':');
      if (colon > 0 && l.substring(0, colon).trim().equals(name)) {
        return l.substring(colon + 1).trim();
      }
    }
    return "";
  }

  /**
   * Read bandwidth in GB/s of {@code threads} threads each summing its own slice of one {@code
   * bytes}-long array, median of {@code runs} passes after one warm-up pass (which also faults the
   * pages in). Four independent accumulators, so that the loop is bound by loads, not by the
   * dependency of one sum; long adds, which the JIT vectorises.
   */
  static double readBandwidth(long[] buffer, int threads, int runs) throws InterruptedException {
    double[] t = new double[runs];
    for (int r = -1; r < runs; r++) {
      double s = timedRead(buffer, threads);
      if (r >= 0) {
        t[r] = s;
      }
    }
    return buffer.length * 8.0 / MerBench.median(t) / 1e9;
  }

  /** A buffer of {@code bytes} (rounded down to 8), every page written. */
  static long[] buffer(long bytes) {
    long[] b = new long[(int) Math.min(Integer.MAX_VALUE - 8, bytes / 8)];
    for (int i = 0; i < b.length; i++) {
      b[i] = i;
    }
    return b;
  }

  private static volatile long sink;

  private static double timedRead(long[] buffer, int threads) throws InterruptedException {
    CountDownLatch start = new CountDownLatch(1);
    List<Thread> workers = new ArrayList<>();
    long[] sums = new long[threads];
    int slice = buffer.length / threads;
    for (int k = 0; k < threads; k++) {
      int id = k;
      int from = k * slice;
      int to = k == threads - 1 ? buffer.length : from + slice;
      Thread th = new Thread(() -> {
        try {
          start.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
        sums[id] = sum(buffer, from, to);
      }, "bench-bandwidth-" + k);
      th.start();
      workers.add(th);
    }
    long t0 = System.nanoTime();
    start.countDown();
    for (Thread th : workers) {
      th.join();
    }
    double s = (System.nanoTime() - t0) / 1e9;
    sink = Arrays.stream(sums).sum();
    return s;
  }

  static long sum(long[] a, int from, int to) {
    long s0 = 0;
    long s1 = 0;
    long s2 = 0;
    long s3 = 0;
    int i = from;
    for (; i + 3 < to; i += 4) {
      s0 += a[i];
      s1 += a[i + 1];
      s2 += a[i + 2];
      s3 += a[i + 3];
    }
    for (; i < to; i++) {
      s0 += a[i];
    }
    return s0 + s1 + s2 + s3;
  }
}

package io.mersdk.bench;

import io.mersdk.EmotionRecognizer;
import io.mersdk.Utterance;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Cold start and peak memory, each in a fresh JVM (a child process per run, so that nothing of a
 * previous build is warm inside the process: JIT, ONNX Runtime's arenas, DJL's native library).
 * The child builds a recogniser from the bundle folder, recognises one utterance (bundle folder to
 * first result = the cold start), then one utterance of every bench length and one batch, and
 * prints its figures on one line; the parent starts the children one after the other and reads
 * the load split from the SDK's DEBUG line ({@code OnnxBackend}: files checked, sessions,
 * tokenizers). The OS file cache is whatever the machine has: warm after the first run.
 */
final class ColdStart {
  static final String MARK = "MERBENCH-CHILD ";
  /** System property of a child: build with the settings that were the default before 2026-12-01. */
  static final String PREVIOUS_DEFAULT = "merbench.previous-default";
  private static final Pattern SPLIT = Pattern.compile(
      "in ([0-9.]+) s: files checked ([0-9.]+) s, sessions ([0-9.]+) s, tokenizers ([0-9.]+) s");

  /** One child's figures; the split fields are NaN when the SDK did not log them. */
  record Run(double buildS, double firstResultS, long rssAfterBuild, long rssSingle, long rssBatch,
      double checkedS, double sessionsS, double tokenizersS) {
    double coldStartS() {
      return buildS + firstResultS;
    }
  }

  private ColdStart() {}

  /**
   * Runs one child JVM with the parent's JVM options and class path.
   *
   * @param memory also run the single utterances and the batch (peak RSS); else stop after the
   *     first result
   */
  static Run child(Path bundle, int threads, double firstSeconds, double[] seconds, int batch,
      boolean memory, List<String> extraJvmArgs) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>();
    cmd.add(ProcessHandle.current().info().command().orElse("java"));
    for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
      if (a.startsWith("-Xmx") || a.startsWith("-Xms") || a.startsWith("-XX:")) {
        cmd.add(a);
      }
    }
    cmd.addAll(extraJvmArgs);
    cmd.add("-Dorg.slf4j.simpleLogger.log.io.mersdk.onnx.internal.pipeline.OnnxBackend=debug");
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(ColdStart.class.getName());
    cmd.add(bundle.toString());
    cmd.add(Integer.toString(threads));
    cmd.add(Double.toString(firstSeconds));
    cmd.add(memory ? join(seconds) : "");
    cmd.add(Integer.toString(memory ? batch : 0));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String result = null;
    Matcher split = null;
    StringBuilder log = new StringBuilder();
    try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line; (line = in.readLine()) != null; ) {
        if (line.startsWith(MARK)) {
          result = line.substring(MARK.length());
        } else {
          log.append(line).append('\n');
          Matcher m = SPLIT.matcher(line);
          if (m.find()) {
            split = m;
          }
        }
      }
    }
    if (!p.waitFor(30, TimeUnit.MINUTES) || p.exitValue() != 0 || result == null) {
      throw new IllegalStateException("cold-start child failed (exit " + (p.isAlive() ? "none" : p.exitValue())
          + "):\n" + log);
    }
    String[] f = result.trim().split(" ");
    double nan = Double.NaN;
    return new Run(Double.parseDouble(f[0]), Double.parseDouble(f[1]), Long.parseLong(f[2]),
        Long.parseLong(f[3]), Long.parseLong(f[4]),
        split == null ? nan : Double.parseDouble(split.group(2)),
        split == null ? nan : Double.parseDouble(split.group(3)),
        split == null ? nan : Double.parseDouble(split.group(4)));
  }

  /** The child: args bundle, threads, first utterance seconds, bench lengths (comma list or ""), batch. */
  public static void main(String[] args) {
    Path bundle = Path.of(args[0]);
    int threads = Integer.parseInt(args[1]);
    double first = Double.parseDouble(args[2]);
    long t0 = System.nanoTime();
    try (EmotionRecognizer r = MerBench.benchRecognizer(bundle, threads, false, Boolean.getBoolean(PREVIOUS_DEFAULT))) {
      double buildS = (System.nanoTime() - t0) / 1e9;
      long rssBuild = MerBench.peakRssBytes();
      long t1 = System.nanoTime();
      r.recognize(MerBench.speech(first, 1));
      double firstS = (System.nanoTime() - t1) / 1e9;
      long single = -1;
      long batched = -1;
      if (!args[3].isEmpty()) {
        for (String s : args[3].split(",")) {
          r.recognize(MerBench.speech(Double.parseDouble(s), 1));
        }
        single = MerBench.peakRssBytes();
        int batch = Integer.parseInt(args[4]);
        if (batch > 0) {
          List<Utterance> items = new ArrayList<>();
          for (int i = 0; i < batch; i++) {
            items.add(Utterance.of(MerBench.speech(5.0, 10 + i)));
          }
          r.recognizeBatch(items);
          batched = MerBench.peakRssBytes();
        }
      }
      System.out.println(MARK + String.format(Locale.ROOT, "%.4f %.4f %d %d %d", buildS, firstS, rssBuild,
          single, batched));
    }
  }

  private static String join(double[] v) {
    StringBuilder b = new StringBuilder();
    for (double d : v) {
      b.append(b.length() == 0 ? "" : ",").append(d);
    }
    return b.toString();
  }
}

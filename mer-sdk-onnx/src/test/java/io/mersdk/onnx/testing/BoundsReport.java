package io.mersdk.onnx.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The largest difference seen per comparison against its bound, as JSON lines appended to
 * target/bounds-java.jsonl when a test class ends (scripts/test-portability.sh collects them per
 * CPU setting, named by the environment variable MER_BOUNDS_SETTING).
 */
public final class BoundsReport {
  private static final Map<String, double[]> WORST = new TreeMap<>();

  private BoundsReport() {}

  public static synchronized void record(String test, String what, double diff, double bound) {
    double[] w = WORST.computeIfAbsent(test + "\u0000" + what, k -> new double[] {0, bound});
    if (diff / bound >= w[0] / w[1]) {
      w[0] = diff;
      w[1] = bound;
    }
  }

  public static synchronized void write() throws IOException {
    StringBuilder sb = new StringBuilder();
    String setting = System.getenv().getOrDefault("MER_BOUNDS_SETTING", "");
    WORST.forEach((k, w) -> {
      String[] tw = k.split("\u0000", 2);
      sb.append(String.format(Locale.ROOT,
          "{\"suite\":\"java\",\"setting\":\"%s\",\"test\":\"%s\",\"what\":\"%s\",\"diff\":%.6e,\"bound\":%.6e}%n",
          setting, tw[0], tw[1].replace("\"", "'"), w[0], w[1]));
    });
    WORST.clear();
    Files.createDirectories(Path.of("target"));
    Files.writeString(Path.of("target", "bounds-java.jsonl"), sb.toString(), StandardOpenOption.CREATE,
        StandardOpenOption.APPEND);
  }
}

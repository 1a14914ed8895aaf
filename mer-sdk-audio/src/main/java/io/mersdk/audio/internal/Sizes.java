package io.mersdk.audio.internal;

import java.time.Duration;
import java.util.Locale;

/** Human-readable sizes and durations for messages. */
public final class Sizes {
  private Sizes() {}

  /** {@code 1234} -> "1.2 kB", {@code 4294967295} -> "4.3 GB" (decimal units). */
  public static String bytes(long n) {
    if (n < 1000) {
      return n + " bytes";
    }
    String[] units = {"kB", "MB", "GB", "TB"};
    double v = n;
    int u = -1;
    while (v >= 1000 && u < units.length - 1) {
      v /= 1000;
      u++;
    }
    return String.format(Locale.ROOT, "%.1f %s", v, units[u]);
  }

  /** Seconds with millisecond precision, e.g. "2.345 s"; hours and minutes for long spans. */
  public static String seconds(double s) {
    if (s >= 3600) {
      return String.format(Locale.ROOT, "%.2f h", s / 3600);
    }
    if (s >= 120) {
      return String.format(Locale.ROOT, "%.1f min", s / 60);
    }
    return String.format(Locale.ROOT, "%.3f s", s);
  }

  public static String duration(Duration d) {
    return seconds(d.toNanos() / 1e9);
  }
}

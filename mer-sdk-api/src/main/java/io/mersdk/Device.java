package io.mersdk;

/**
 * Where inference runs. {@link #AUTO} tries CUDA device 0 and falls back to the CPU with one WARN
 * log line (logger {@code io.mersdk}) saying why; the tokenizer library DJL may log WARN lines of
 * its own about CUDA on machines with CUDA libraries but no driver (docs/gpu.md); {@link #CPU}
 * never tries CUDA; {@link #cuda(int)} fails fast with {@link
 * DeviceUnavailableException} when that device cannot be used.
 */
public record Device(Kind kind, int index) {
  /** The device family. */
  public enum Kind {
    AUTO,
    CPU,
    CUDA
  }

  public static final Device AUTO = new Device(Kind.AUTO, 0);
  public static final Device CPU = new Device(Kind.CPU, 0);

  public Device {
    if (kind == null) {
      throw new IllegalArgumentException("device kind must not be null");
    }
    if (index < 0) {
      throw new IllegalArgumentException("device index must be >= 0, got " + index);
    }
  }

  /** CUDA device {@code index} (0 for the first GPU). */
  public static Device cuda(int index) {
    return new Device(Kind.CUDA, index);
  }

  /**
   * Parses {@code auto}, {@code cpu}, {@code cuda} or {@code cuda:N} (case-insensitive), as used by
   * command lines and configuration files.
   */
  public static Device parse(String text) {
    if (text == null) {
      throw new IllegalArgumentException("device must not be null (use auto, cpu, cuda or cuda:N)");
    }
    String t = text.trim().toLowerCase(java.util.Locale.ROOT);
    if (t.equals("auto")) {
      return AUTO;
    }
    if (t.equals("cpu")) {
      return CPU;
    }
    if (t.equals("cuda") || t.equals("gpu")) {
      return cuda(0);
    }
    if (t.startsWith("cuda:")) {
      int index;
      try {
        index = Integer.parseInt(t.substring(5));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("bad CUDA device index in '" + text
            + "' (use cuda:N with N >= 0)", e);
      }
      if (index < 0) {
        throw new IllegalArgumentException("bad CUDA device index in '" + text
            + "' (use cuda:N with N >= 0)");
      }
      return cuda(index);
    }
    throw new IllegalArgumentException(
        "unknown device '" + text + "' (use auto, cpu, cuda or cuda:N)");
  }

  @Override
  public String toString() {
    return kind == Kind.CUDA ? "cuda:" + index : kind.name().toLowerCase(java.util.Locale.ROOT);
  }
}

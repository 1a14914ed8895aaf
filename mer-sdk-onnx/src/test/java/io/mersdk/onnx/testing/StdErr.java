package io.mersdk.onnx.testing;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.Supplier;

/** Captures what slf4j-simple writes to System.err (it looks the stream up on every write). */
public final class StdErr {
  private StdErr() {}

  public record Captured<T>(T value, List<String> lines) {
    /** WARN lines logged by mer-sdk itself (other libraries may warn too). */
    public List<String> sdkWarnings() {
      return lines.stream().filter(l -> l.startsWith("WARN io.mersdk")).toList();
    }
  }

  public static synchronized <T> Captured<T> capture(Supplier<T> action) {
    PrintStream original = System.err;
    ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    System.setErr(new PrintStream(buffer, true, StandardCharsets.UTF_8));
    T value;
    try {
      value = action.get();
    } finally {
      System.setErr(original);
    }
    List<String> lines = buffer.toString(StandardCharsets.UTF_8).lines().toList();
    lines.forEach(original::println);
    return new Captured<>(value, lines);
  }
}

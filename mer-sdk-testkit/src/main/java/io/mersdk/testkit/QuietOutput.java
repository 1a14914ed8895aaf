package io.mersdk.testkit;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;

/**
 * What a piece of code writes to System.out and System.err: a library must not print (the CLI's
 * JSON lines share our stdout). For fuzz tests, which run one at a time (Jazzer holds a global
 * lock), so swapping the process-wide streams is safe there.
 */
public final class QuietOutput {
  private QuietOutput() {}

  /** What a body returned, and what it printed (less Jazzer's "INFO: ..." lines). */
  public record Captured<T>(T value, String printed) {}

  /**
   * Runs {@code body} with System.out and System.err captured and returns what it printed, less
   * Jazzer's own "INFO: ..." lines (each class it instruments, new coverage counters). What
   * {@code body} throws is rethrown (a checked exception as an {@link AssertionError}).
   */
  public static String printedBy(Callable<?> body) {
    return capture(body).printed();
  }

  /** {@link #printedBy}, keeping what {@code body} returned. */
  public static <T> Captured<T> capture(Callable<T> body) {
    PrintStream out = System.out;
    PrintStream err = System.err;
    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    PrintStream capture = new PrintStream(printed, true, StandardCharsets.UTF_8);
    System.setOut(capture);
    System.setErr(capture);
    T value;
    try {
      value = body.call();
    } catch (RuntimeException | Error e) {
      throw e;
    } catch (Exception e) {
      throw new AssertionError(e);
    } finally {
      System.setOut(out);
      System.setErr(err);
    }
    return new Captured<>(value, printed.toString(StandardCharsets.UTF_8).replaceAll("(?m)^INFO: .*\\R", ""));
  }
}

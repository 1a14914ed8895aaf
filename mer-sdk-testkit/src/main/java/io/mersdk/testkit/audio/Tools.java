package io.mersdk.testkit.audio;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The external programs tests make audio with (espeak-ng, sox): whether they run here, and
 * running them. A test whose tool is missing is skipped, except under CI ({@link #onCi()}), where
 * the absence is a failure: CI installs them (scripts/test-all.sh).
 */
public final class Tools {
  public static final String ESPEAK = "espeak-ng";
  public static final String SOX = "sox";

  private static final Map<String, Boolean> AVAILABLE = new HashMap<>();

  private Tools() {}

  /** The environment variable {@code CI} is set to anything but {@code false} or {@code 0}. */
  public static boolean onCi() {
    String ci = System.getenv("CI");
    return ci != null && !ci.isBlank() && !ci.equalsIgnoreCase("false") && !ci.equals("0");
  }

  /** Whether every one of {@code tools} runs here ({@code tool --version}); asked once per JVM. */
  public static synchronized boolean available(String... tools) {
    boolean all = true;
    for (String tool : tools) {
      all &= AVAILABLE.computeIfAbsent(tool, t -> runs(t, "--version"));
    }
    return all;
  }

  /** Whether espeak-ng and sox run here. */
  public static boolean espeakAndSoxAvailable() {
    return available(ESPEAK, SOX);
  }

  /**
   * Skips the calling test (or class, from {@code @BeforeAll}) when espeak-ng or sox is missing;
   * fails it instead when {@link #onCi()}.
   */
  public static void assumeEspeakAndSox() {
    assume(ESPEAK, SOX);
  }

  /**
   * Skips the calling test (or class, from {@code @BeforeAll}) when one of {@code tools} does not
   * run here; fails it instead when {@link #onCi()}.
   */
  public static void assume(String... tools) {
    if (available(tools)) {
      return;
    }
    String names = String.join(" and ", tools);
    String message = names + (tools.length == 1 ? " is" : " are") + " not on the PATH: this test"
        + " makes its audio with " + (tools.length == 1 ? "it" : "them") + ". Install: apt-get install "
        + String.join(" ", tools) + (List.of(tools).contains(SOX) ? " libsox-fmt-all" : "");
    if (onCi()) {
      fail(message + " (CI is set: a missing tool fails the build)");
    }
    assumeTrue(false, message);
  }

  /** Runs a command; fails the test with its output if it fails or takes over two minutes. */
  public static String run(String... cmd) {
    try {
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(120, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new AssertionError("timed out: " + String.join(" ", cmd));
      }
      if (p.exitValue() != 0) {
        throw new AssertionError("failed (" + p.exitValue() + "): " + String.join(" ", cmd)
            + "\n" + out);
      }
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /**
   * sox's own conversion of {@code in} to mono float samples at {@code rate} (the reference for a
   * decoder), then {@code effects} (as {@code "pad", "0.3", "0.3"}); the raw file is left beside
   * {@code in}.
   */
  public static float[] soxMono(Path in, int rate, String... effects) {
    Path raw = in.resolveSibling(in.getFileName() + "." + rate + ".f32");
    List<String> cmd = new ArrayList<>(List.of(SOX, in.toString(), "-t", "raw", "-e",
        "floating-point", "-b", "32", "-L", "-c", "1", "-r", String.valueOf(rate), raw.toString()));
    cmd.addAll(List.of(effects));
    run(cmd.toArray(String[]::new));
    return readF32(raw);
  }

  /** Raw little-endian float32 samples. */
  public static float[] readF32(Path raw) {
    try {
      ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(raw)).order(ByteOrder.LITTLE_ENDIAN);
      float[] out = new float[b.remaining() / 4];
      b.asFloatBuffer().get(out);
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static boolean runs(String... cmd) {
    try {
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      p.getInputStream().readAllBytes();
      return p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }
}

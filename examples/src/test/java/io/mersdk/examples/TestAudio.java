package io.mersdk.examples;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import javax.sound.sampled.AudioFileFormat;
import javax.sound.sampled.AudioFormat;
import javax.sound.sampled.AudioInputStream;
import javax.sound.sampled.AudioSystem;

/** Test recordings made in Java (always available) or with espeak-ng (real speech, if installed). */
final class TestAudio {
  static final int RATE = 16000;

  private TestAudio() {}

  /**
   * A voiced sound: harmonics of a pitch that glides around {@code f0} (+-20 % at 2.5 Hz, as
   * intonation does) under a syllable-rate envelope plus a little noise, so the segmenter and the
   * acoustic speech gate (voiced frames whose pitch moves) hear speech, and different f0s give
   * different model inputs.
   */
  static float[] voiced(double seconds, double f0, long seed) {
    Random rnd = new Random(seed);
    int n = (int) (seconds * RATE);
    float[] x = new float[n];
    double phase = 0;
    for (int i = 0; i < n; i++) {
      double t = i / (double) RATE;
      phase += 2 * Math.PI * f0 * (1 + 0.2 * Math.sin(2 * Math.PI * 2.5 * t)) / RATE;
      double v = 0;
      for (int h = 1; h <= 8; h++) {
        v += Math.sin(h * phase + h) / h;
      }
      double envelope = 0.6 + 0.4 * Math.sin(2 * Math.PI * 4 * t);
      x[i] = (float) (0.25 * envelope * v + 0.01 * rnd.nextGaussian());
    }
    return x;
  }

  static float[] silence(double seconds) {
    return new float[(int) (seconds * RATE)];
  }

  static float[] concat(float[]... parts) {
    int n = 0;
    for (float[] p : parts) {
      n += p.length;
    }
    float[] out = new float[n];
    int at = 0;
    for (float[] p : parts) {
      System.arraycopy(p, 0, out, at, p.length);
      at += p.length;
    }
    return out;
  }

  /** 16-bit little-endian PCM, mono, {@link #RATE}. */
  static byte[] pcm16(float[] samples) {
    byte[] b = new byte[samples.length * 2];
    for (int i = 0; i < samples.length; i++) {
      int v = Math.round(Math.max(-1f, Math.min(1f, samples[i])) * 32767);
      b[2 * i] = (byte) v;
      b[2 * i + 1] = (byte) (v >> 8);
    }
    return b;
  }

  static Path writeWav(Path file, float[] samples) throws IOException {
    AudioFormat f = new AudioFormat(RATE, 16, 1, true, false);
    try (AudioInputStream in = new AudioInputStream(
        new ByteArrayInputStream(pcm16(samples)), f, samples.length)) {
      AudioSystem.write(in, AudioFileFormat.Type.WAVE, file.toFile());
    }
    return file;
  }

  static byte[] wavBytes(Path dir, float[] samples) throws IOException {
    return Files.readAllBytes(writeWav(Files.createTempFile(dir, "clip", ".wav"), samples));
  }

  /** Spoken {@code text} (espeak-ng at 22.05 kHz); skips the test if espeak-ng is missing. */
  static Path espeak(Path file, String text) throws IOException, InterruptedException {
    Process p;
    try {
      p = new ProcessBuilder(List.of("espeak-ng", "-w", file.toString(), text))
          .redirectErrorStream(true).start();
    } catch (IOException e) {
      assumeTrue(false, "espeak-ng is not installed: " + e.getMessage());
      throw e;
    }
    p.getInputStream().readAllBytes();
    assumeTrue(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0, "espeak-ng failed");
    return file;
  }

  static Path testdata() {
    String p = System.getProperty("mer.testdata");
    return p != null ? Path.of(p) : Path.of("../testdata");
  }

  static Path bundle(String name) {
    return testdata().resolve("bundles").resolve(name).toAbsolutePath().normalize();
  }
}

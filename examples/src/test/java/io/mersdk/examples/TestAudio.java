package io.mersdk.examples;

import io.mersdk.testkit.audio.Tools;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.sound.sampled.AudioFileFormat;
import javax.sound.sampled.AudioFormat;
import javax.sound.sampled.AudioInputStream;
import javax.sound.sampled.AudioSystem;

/** Test recordings made in Java (always available) or with espeak-ng (real speech, if installed). */
final class TestAudio {
  static final int RATE = 16000;

  private TestAudio() {}

  /**
   * Real speech of this length: a slice of the example recordings (examples/recordings, joined),
   * chosen by {@code f0} and {@code seed} (different arguments, different model inputs) and moved
   * on until the default speech gate (Silero VAD) calls it speech, with 10 ms fades at its ends.
   * A synthetic buzz with a gliding pitch (what this once was) is not speech to a trained VAD.
   */
  static float[] voiced(double seconds, double f0, long seed) {
    float[] all = recordings();
    int n = (int) (seconds * RATE);
    io.mersdk.spi.SpeechDetector gate = new io.mersdk.vad.SileroSpeechDetector();
    int start = (int) Math.floorMod(seed * 7919L * RATE / 100 + (long) (f0 * 131), all.length);
    for (int tries = 0; tries < 200; tries++, start = (start + RATE / 4) % all.length) {
      float[] x = new float[n];
      for (int i = 0; i < n; i++) {
        x[i] = all[(start + i) % all.length];
      }
      int fade = Math.min(n / 2, RATE / 100);
      for (int i = 0; i < fade; i++) {
        x[i] *= i / (float) fade;
        x[n - 1 - i] *= i / (float) fade;
      }
      if (gate.detect(x, RATE).isSpeech()) {
        return x;
      }
    }
    throw new IllegalStateException("no " + seconds + " s slice of examples/recordings is speech");
  }

  private static float[] recordings;

  private static synchronized float[] recordings() {
    if (recordings == null) {
      try (var files = Files.list(Path.of("recordings"))) {
        List<float[]> parts = new java.util.ArrayList<>();
        for (Path wav : files.filter(f -> f.toString().endsWith(".wav")).sorted().toList()) {
          parts.add(io.mersdk.audio.AudioSources.of(wav).readMono(RATE));
        }
        recordings = concat(parts.toArray(float[][]::new));
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    }
    return recordings;
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

  /**
   * Spoken {@code text} (espeak-ng at 22.05 kHz). Only the tests that call it need espeak-ng:
   * without it they are skipped, except under CI (the environment variable {@code CI} set), where
   * its absence is a failure (scripts/test-all.sh installs it). espeak-ng failing on an installed
   * system is always a failure.
   */
  static Path espeak(Path file, String text) throws IOException, InterruptedException {
    Tools.assume(Tools.ESPEAK);
    Tools.run(Tools.ESPEAK, "-w", file.toString(), text);
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

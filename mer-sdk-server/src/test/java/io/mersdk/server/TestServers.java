package io.mersdk.server;

import io.mersdk.testkit.FakeBackend;
import io.mersdk.EmotionRecognizer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;

/** A server on a free loopback port over the fake backend, and the audio the tests send. */
final class TestServers {
  private TestServers() {}

  static MerServer start(ServerOptions.Builder options) {
    FakeBackend.reset("fake-server", FakeBackend.BY_LOUDNESS);
    EmotionRecognizer rec = EmotionRecognizer.builder().bundle(Path.of("fake-bundle")).build();
    try {
      return MerServer.start(rec, options.port(0).build());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static MerServer start() {
    return start(ServerOptions.builder());
  }

  /**
   * A call at {@code rate}: for each amplitude in {@code tones} (0 means a pause) {@code seconds}
   * of real speech (a slice of examples/recordings that the default speech gate, Silero VAD,
   * calls one stretch of speech from its start to its end, so that the segmenter finds no pause
   * inside it), scaled by the amplitude over 0.3. Each part is a different slice.
   */
  static float[] call(int rate, double seconds, double... tones) {
    int each = (int) Math.round(seconds * rate);
    float[] x = new float[each * tones.length];
    for (int k = 0; k < tones.length; k++) {
      if (tones[k] == 0) {
        continue;
      }
      float[] part = speech(rate, each, k);
      for (int i = 0; i < each; i++) {
        x[k * each + i] = (float) (tones[k] / 0.3 * part[i]);
      }
    }
    return x;
  }

  private static final java.util.Map<Integer, float[]> RECORDINGS = new java.util.HashMap<>();

  /** {@code n} samples of speech at {@code rate}, the {@code k}-th such slice, with 10 ms fades. */
  static synchronized float[] speech(int rate, int n, int k) {
    float[] all = RECORDINGS.computeIfAbsent(rate, r -> {
      try (var files = java.nio.file.Files.list(Path.of("../examples/recordings"))) {
        java.util.List<float[]> parts = new java.util.ArrayList<>();
        for (Path wav : files.filter(f -> f.toString().endsWith(".wav")).sorted().toList()) {
          parts.add(io.mersdk.audio.AudioSources.of(wav).readMono(r));
        }
        int total = parts.stream().mapToInt(p -> p.length).sum();
        float[] out = new float[total];
        int at = 0;
        for (float[] p : parts) {
          System.arraycopy(p, 0, out, at, p.length);
          at += p.length;
        }
        return out;
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    });
    io.mersdk.vad.SileroSpeechDetector gate = new io.mersdk.vad.SileroSpeechDetector();
    int start = (int) ((k * 7919L * rate / 100) % all.length);
    for (int tries = 0; tries < 200; tries++, start = (start + rate / 4) % all.length) {
      float[] x = new float[n];
      for (int i = 0; i < n; i++) {
        x[i] = all[(start + i) % all.length];
      }
      int fade = Math.min(n / 2, rate / 100);
      for (int i = 0; i < fade; i++) {
        x[i] *= i / (float) fade;
        x[n - 1 - i] *= i / (float) fade;
      }
      java.util.List<double[]> stretches = gate.evidence(x, rate).stretches();
      double seconds = n / (double) rate;
      if (stretches.size() == 1 && stretches.get(0)[0] <= 0.1
          && stretches.get(0)[1] >= seconds - 0.05) {
        return x;
      }
    }
    throw new IllegalStateException("no slice of examples/recordings is one stretch of speech");
  }

  static ByteBuffer float32(float[] x, int from, int to) {
    ByteBuffer b = ByteBuffer.allocate(4 * (to - from)).order(ByteOrder.LITTLE_ENDIAN);
    for (int i = from; i < to; i++) {
      b.putFloat(x[i]);
    }
    // Back to big-endian before sending: the bytes stay, but both Jetty's and the JDK's clients
    // mask the payload with getInt/putInt in the buffer's own order, so a little-endian buffer
    // arrives with every 4 bytes reversed.
    return b.flip().order(ByteOrder.BIG_ENDIAN);
  }

  static ByteBuffer int16(float[] x, int from, int to) {
    ByteBuffer b = ByteBuffer.allocate(2 * (to - from)).order(ByteOrder.LITTLE_ENDIAN);
    for (int i = from; i < to; i++) {
      b.putShort((short) Math.round(Math.max(-1, Math.min(1, x[i])) * 32767));
    }
    // Back to big-endian before sending: the bytes stay, but both Jetty's and the JDK's clients
    // mask the payload with getInt/putInt in the buffer's own order, so a little-endian buffer
    // arrives with every 4 bytes reversed.
    return b.flip().order(ByteOrder.BIG_ENDIAN);
  }

  /** Threads this module starts (batch workers, Jetty's pool), by name. */
  static long merThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.isAlive() && t.getName().startsWith("mer-")).count();
  }
}

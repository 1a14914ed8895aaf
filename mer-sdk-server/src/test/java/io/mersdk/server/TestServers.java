package io.mersdk.server;

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
    FakeBackend.reset();
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
   * of a 220 Hz tone with a little vibrato, which the energy segmenter takes for speech.
   */
  static float[] call(int rate, double seconds, double... tones) {
    int each = (int) Math.round(seconds * rate);
    float[] x = new float[each * tones.length];
    for (int k = 0; k < tones.length; k++) {
      for (int i = 0; i < each; i++) {
        double t = (double) i / rate;
        x[k * each + i] = (float) (tones[k] * Math.sin(2 * Math.PI * (220 + 20 * Math.sin(6 * t))
            * t));
      }
    }
    return x;
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

package io.mersdk.server.internal;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes the seed corpus of {@link StreamMessagesFuzzTest} (its input format is described there):
 * the conversations of docs/server.md, right and wrong. Run from the module folder:
 * {@code java -cp target/test-classes:target/classes io.mersdk.server.internal.StreamSeeds}
 * (it has no dependencies); the files it writes are committed.
 */
public final class StreamSeeds {
  static final String TOKEN = "secret";
  static final Path CORPUS = Path.of("src/test/resources/io/mersdk/server/internal/"
      + "StreamMessagesFuzzTestInputs/messages");

  private StreamSeeds() {}

  public static void main(String[] args) throws IOException {
    Files.createDirectories(CORPUS);
    String start = "{\"type\":\"start\",\"protocol\":\"mer-stream/1\",\"sample_rate\":16000,\"format\":\"float32\"}";
    // Each seed stays under scripts/fuzz.sh's -max_len (16 KiB).
    float[] call8k = call(8000, 0.1, 0.25);
    write("float32-call-done", new Seed(0)
        .text("{\"type\":\"start\",\"protocol\":\"mer-stream/1\",\"sample_rate\":8000,\"format\":\"float32\"}")
        .binary(float32(call8k, 0, 1600)).binary(float32(call8k, 1600, call8k.length)).text("Done"));
    write("int16-call-done", new Seed(0)
        .text("{\"type\":\"start\",\"sample_rate\":8000,\"format\":\"int16\"}")
        .binary(int16(call(8000, 0.25, 0.4))).text("Done"));
    write("token-in-start", new Seed(1)
        .text("{\"type\":\"start\",\"sample_rate\":44100,\"format\":\"float32\",\"token\":\"" + TOKEN + "\"}")
        .binary(float32(tone(44100, 0.1), 0, 2048)).text("Done"));
    write("token-missing", new Seed(1).text(start).text("Done"));
    write("binary-before-start", new Seed(0).binary(float32(tone(16000, 0.1), 0, 256)).text(start));
    write("odd-frame", new Seed(0).text(start).binary(new byte[] {1, 2, 3}));
    write("text-after-start", new Seed(2).text(start).text("{\"type\":\"stop\"}"));
    write("after-done", new Seed(0).text(start).text("Done").binary(new byte[8]).text("Done"));
    write("not-json", new Seed(0).text("{\"type\":\"start\",").text("Done"));
    write("bad-rate", new Seed(0).text("{\"type\":\"start\",\"sample_rate\":1e309}"));
    write("nan-sample", new Seed(0).text(start).binary(float32(new float[] {0.1f, Float.NaN}, 0, 2)));
  }

  private static final class Seed {
    final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

    Seed(int flags) {
      bytes.write(flags);
    }

    Seed text(String s) {
      return message(0, s.getBytes(StandardCharsets.UTF_8));
    }

    Seed binary(byte[] b) {
      return message(1, b);
    }

    Seed message(int kind, byte[] payload) {
      bytes.write(kind);
      bytes.write(payload.length >> 8);
      bytes.write(payload.length & 0xff);
      bytes.writeBytes(payload);
      return this;
    }
  }

  private static void write(String name, Seed seed) throws IOException {
    Files.write(CORPUS.resolve(name), seed.bytes.toByteArray());
  }

  /**
   * {@code pause} s of silence, {@code speech} s of a 220 Hz tone with a little vibrato (which the
   * segmenter takes for speech, as in TestServers.call), {@code pause} s of silence.
   */
  private static float[] call(int rate, double pause, double speech) {
    int p = (int) (rate * pause);
    int n = (int) (rate * speech);
    float[] x = new float[2 * p + n];
    for (int i = 0; i < n; i++) {
      double t = (double) i / rate;
      x[p + i] = (float) (0.3 * Math.sin(2 * Math.PI * (220 + 20 * Math.sin(6 * t)) * t));
    }
    return x;
  }

  /** A 220 Hz tone. */
  private static float[] tone(int rate, double seconds) {
    float[] x = new float[(int) (rate * seconds)];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) (0.5 * Math.sin(2 * Math.PI * 220 * i / rate));
    }
    return x;
  }

  private static byte[] float32(float[] x, int from, int to) {
    ByteBuffer b = ByteBuffer.allocate(4 * (to - from)).order(ByteOrder.LITTLE_ENDIAN);
    for (int i = from; i < to; i++) {
      b.putFloat(x[i]);
    }
    return b.array();
  }

  private static byte[] int16(float[] x) {
    ByteBuffer b = ByteBuffer.allocate(2 * x.length).order(ByteOrder.LITTLE_ENDIAN);
    for (float v : x) {
      b.putShort((short) Math.round(v * 32767));
    }
    return b.array();
  }
}

package io.mersdk.examples.spring;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** A 16-bit mono PCM WAV file of the given samples, for uploads in tests. */
final class Wav {
  private Wav() {}

  static byte[] of(float[] samples, int rate) {
    ByteBuffer b = ByteBuffer.allocate(44 + 2 * samples.length).order(ByteOrder.LITTLE_ENDIAN);
    b.put("RIFF".getBytes(java.nio.charset.StandardCharsets.US_ASCII)).putInt(36 + 2 * samples.length)
        .put("WAVEfmt ".getBytes(java.nio.charset.StandardCharsets.US_ASCII)).putInt(16)
        .putShort((short) 1).putShort((short) 1).putInt(rate).putInt(2 * rate)
        .putShort((short) 2).putShort((short) 16)
        .put("data".getBytes(java.nio.charset.StandardCharsets.US_ASCII)).putInt(2 * samples.length);
    for (float s : samples) {
      b.putShort((short) Math.round(Math.max(-1f, Math.min(1f, s)) * 32767));
    }
    return b.array();
  }
}

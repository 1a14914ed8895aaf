package io.mersdk.onnx.internal.whisper;

import java.nio.charset.StandardCharsets;
import java.util.zip.Deflater;

/**
 * openai-whisper's {@code compression_ratio} of a transcript ({@code utils.py}): its UTF-8 bytes
 * over their zlib-compressed bytes at zlib's default level. A repetition loop compresses well, so
 * a high ratio flags a hallucination. {@link Deflater} writes the same zlib stream (header, deflate
 * data, Adler-32) as Python's {@code zlib.compress}.
 */
public final class CompressionRatio {
  private CompressionRatio() {}

  /** The ratio of {@code text}; 0 for an empty transcript (nothing to compress). */
  public static double of(String text) {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    if (bytes.length == 0) {
      return 0.0;
    }
    Deflater deflater = new Deflater(Deflater.DEFAULT_COMPRESSION);
    try {
      deflater.setInput(bytes);
      deflater.finish();
      byte[] buffer = new byte[Math.max(64, bytes.length)];
      while (!deflater.finished()) {
        deflater.deflate(buffer);
      }
      return bytes.length / (double) deflater.getBytesWritten();
    } finally {
      deflater.end();
    }
  }
}

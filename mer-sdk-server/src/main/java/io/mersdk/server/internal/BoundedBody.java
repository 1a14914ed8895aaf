package io.mersdk.server.internal;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;

/** Reads a request body into memory, but never more than a limit. */
public final class BoundedBody {
  /** The body is longer than the limit; nothing past limit + 1 bytes was read. */
  public static final class TooLargeException extends IOException {
    private static final long serialVersionUID = 1L;

    TooLargeException(long limit) {
      super("request body is larger than the limit of " + limit + " bytes");
    }
  }

  private static final int CHUNK = 64 * 1024;

  private BoundedBody() {}

  /**
   * Reads {@code in} to its end.
   *
   * @throws TooLargeException as soon as more than {@code limit} bytes have arrived
   */
  public static byte[] read(InputStream in, int limit) throws IOException {
    ByteArrayOutputStream buf = new ByteArrayOutputStream(Math.min(limit, CHUNK));
    byte[] chunk = new byte[CHUNK];
    while (true) {
      // ask for at most one byte past the limit: enough to know the body is too large
      int want = Math.min(chunk.length, limit + 1 - buf.size());
      int n = in.read(chunk, 0, want);
      if (n < 0) {
        return buf.toByteArray();
      }
      buf.write(chunk, 0, n);
      if (buf.size() > limit) {
        throw new TooLargeException(limit);
      }
    }
  }
}

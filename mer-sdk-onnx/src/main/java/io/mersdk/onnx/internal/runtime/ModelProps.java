package io.mersdk.onnx.internal.runtime;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The {@code metadata_props} of an ONNX file, read before ONNX Runtime opens it (the session
 * options depend on them; ONNX Runtime reports them only once the session exists). An ONNX file is
 * one {@code ModelProto} in protobuf's wire format; this walks its top-level fields, skipping each
 * by its length (the graph, hundreds of MB, is never read), and decodes field 14, {@code repeated
 * StringStringEntryProto metadata_props} ({@code key} = 1, {@code value} = 2).
 *
 * <p>Written by hand rather than with protobuf-java and ONNX's generated classes: one field of one
 * message, about 60 lines, against two dependencies that would parse (and hold) the whole model.
 * Anything it cannot read gives an empty map, never an exception: ONNX Runtime then reports the
 * file's real problem when it opens it.
 */
public final class ModelProps {
  private static final int METADATA_PROPS = 14;

  private ModelProps() {}

  public static Map<String, String> read(Path onnx) {
    try (FileChannel ch = FileChannel.open(onnx, StandardOpenOption.READ)) {
      Map<String, String> props = new LinkedHashMap<>();
      Reader r = new Reader(ch);
      while (r.pos < r.size) {
        long tag = r.varint();
        int field = (int) (tag >>> 3);
        int wire = (int) (tag & 7);
        if (wire == 2) {
          long len = r.varint();
          if (len < 0 || len > r.size - r.pos) {
            return Map.of();
          }
          if (field == METADATA_PROPS && len <= 1 << 20) {
            entry(r.bytes((int) len), props);
          } else {
            r.pos += len;
          }
        } else if (!r.skip(wire)) {
          return Map.of();
        }
      }
      return props;
    } catch (IOException | RuntimeException e) {
      return Map.of();
    }
  }

  /** One {@code StringStringEntryProto}. */
  private static void entry(ByteBuffer b, Map<String, String> into) {
    String key = null;
    String value = "";
    while (b.hasRemaining()) {
      long tag = varint(b);
      if ((tag & 7) != 2) {
        return;
      }
      int len = (int) varint(b);
      if (len < 0 || len > b.remaining()) {
        return;
      }
      byte[] s = new byte[len];
      b.get(s);
      if (tag >>> 3 == 1) {
        key = new String(s, StandardCharsets.UTF_8);
      } else if (tag >>> 3 == 2) {
        value = new String(s, StandardCharsets.UTF_8);
      }
    }
    if (key != null) {
      into.put(key, value);
    }
  }

  private static long varint(ByteBuffer b) {
    long v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      byte x = b.get();
      v |= (long) (x & 0x7f) << shift;
      if (x >= 0) {
        return v;
      }
    }
    throw new IllegalArgumentException("varint longer than 10 bytes");
  }

  /** Positional reads of the file, a few bytes at a time (tags and lengths). */
  private static final class Reader {
    private final FileChannel ch;
    private final long size;
    private long pos;
    private final ByteBuffer window = ByteBuffer.allocate(10);

    Reader(FileChannel ch) throws IOException {
      this.ch = ch;
      this.size = ch.size();
    }

    long varint() throws IOException {
      window.clear();
      ch.read(window, pos);
      window.flip();
      int before = window.remaining();
      long v = ModelProps.varint(window);
      pos += before - window.remaining();
      return v;
    }

    ByteBuffer bytes(int len) throws IOException {
      ByteBuffer b = ByteBuffer.allocate(len);
      while (b.hasRemaining()) {
        if (ch.read(b, pos + b.position()) < 0) {
          throw new IOException("truncated");
        }
      }
      pos += len;
      return b.flip();
    }

    /** Skips a field of wire type 0, 1 or 5; false for another (groups, or not ONNX at all). */
    boolean skip(int wire) throws IOException {
      switch (wire) {
        case 0 -> varint();
        case 1 -> pos += 8;
        case 5 -> pos += 4;
        default -> {
          return false;
        }
      }
      return true;
    }
  }
}

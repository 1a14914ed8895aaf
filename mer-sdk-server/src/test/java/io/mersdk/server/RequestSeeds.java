package io.mersdk.server;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes the seed corpus of {@link RecognizeRequestFuzzTest}: the requests of docs/server.md, right
 * and wrong, as sent on the wire. Run from the module folder:
 * {@code java -cp target/test-classes io.mersdk.server.RequestSeeds} (no dependencies); the files
 * it writes are committed.
 */
public final class RequestSeeds {
  static final String TOKEN = "secret";
  static final Path CORPUS = Path.of("src/test/resources/io/mersdk/server/"
      + "RecognizeRequestFuzzTestInputs/request");

  private RequestSeeds() {}

  public static void main(String[] args) throws IOException {
    Files.createDirectories(CORPUS);
    String auth = "Authorization: Bearer " + TOKEN + "\r\n";
    byte[] wav = wav(16000, 0.3);
    write("post-wav", "POST /v1/recognize HTTP/1.1\r\nHost: x\r\n" + auth + "Content-Type: audio/wav\r\n", wav);
    write("post-wav-transcript", "POST /v1/recognize?transcript=hello%20there HTTP/1.1\r\nHost: x\r\n" + auth, wav);
    write("post-wav-no-token", "POST /v1/recognize HTTP/1.1\r\nHost: x\r\n", wav);
    write("post-wav-wrong-token", "POST /v1/recognize HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer nope\r\n", wav);
    write("post-short-wav", "POST /v1/recognize HTTP/1.1\r\nHost: x\r\n" + auth, wav(16000, 0.01));
    write("post-garbage", "POST /v1/recognize HTTP/1.1\r\nHost: x\r\n" + auth,
        "not audio at all".getBytes(StandardCharsets.US_ASCII));
    write("post-empty", "POST /v1/recognize HTTP/1.1\r\nHost: x\r\n" + auth, new byte[0]);
    write("put-recognize", "PUT /v1/recognize HTTP/1.1\r\nHost: x\r\n" + auth, wav(8000, 0.05));
    write("get-health", "GET /v1/health HTTP/1.1\r\nHost: x\r\n" + auth, new byte[0]);
    write("post-health", "POST /v1/health HTTP/1.1\r\nHost: x\r\n" + auth, new byte[0]);
    write("get-stream", "GET /v1/stream HTTP/1.1\r\nHost: x\r\n", new byte[0]);
    write("get-page", "GET / HTTP/1.1\r\nHost: x\r\n", new byte[0]);
    write("get-missing", "GET /nope/../v1/health?x=%ZZ HTTP/1.1\r\nHost: x\r\n", new byte[0]);
  }

  private static void write(String name, String head, byte[] body) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    b.writeBytes((head + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
    b.writeBytes(body);
    Files.write(CORPUS.resolve(name), b.toByteArray());
  }

  /** A mono 16-bit PCM WAV file of a 220 Hz tone. */
  static byte[] wav(int rate, double seconds) {
    int n = (int) (rate * seconds);
    ByteBuffer b = ByteBuffer.allocate(44 + 2 * n).order(ByteOrder.LITTLE_ENDIAN);
    b.put("RIFF".getBytes(StandardCharsets.US_ASCII)).putInt(36 + 2 * n)
        .put("WAVE".getBytes(StandardCharsets.US_ASCII))
        .put("fmt ".getBytes(StandardCharsets.US_ASCII)).putInt(16).putShort((short) 1)
        .putShort((short) 1).putInt(rate).putInt(2 * rate).putShort((short) 2).putShort((short) 16)
        .put("data".getBytes(StandardCharsets.US_ASCII)).putInt(2 * n);
    for (int i = 0; i < n; i++) {
      b.putShort((short) Math.round(0.5 * 32767 * Math.sin(2 * Math.PI * 220 * i / rate)));
    }
    return b.array();
  }
}

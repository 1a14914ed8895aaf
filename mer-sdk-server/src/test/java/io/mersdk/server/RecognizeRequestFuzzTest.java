package io.mersdk.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.BugDetectors;
import com.code_intelligence.jazzer.api.SilentCloseable;
import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mersdk.testkit.QuietOutput;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;

/**
 * Jazzer target for the HTTP side of the server: any request (method, path, query, headers, body)
 * gets an HTTP answer that is not a 500, a JSON answer parses as JSON, and the server prints
 * nothing (its unexpected-error path logs at ERROR). The server runs on loopback over the tests'
 * fake backend, with a bearer token ({@link RequestSeeds#TOKEN}) so that the token check is in
 * play, and a 64 KiB body limit.
 *
 * <p>An input is a request as sent on the wire; the target sets {@code Content-Length} to the bytes
 * after the first empty line and {@code Connection: close} (so that a mutated body still arrives
 * whole and every input gets one answer). Under plain {@code mvn verify} it runs over its
 * committed corpus ({@code src/test/resources/io/mersdk/server/RecognizeRequestFuzzTestInputs/
 * request/}, written by {@link RequestSeeds}); {@code scripts/fuzz.sh http SECONDS} fuzzes it.
 */
class RecognizeRequestFuzzTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern STATUS = Pattern.compile("^HTTP/1\\.1 (\\d{3}) ");
  private static final byte[] END_OF_HEAD = "\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
  private static MerServer server;
  /** Jetty's loggers that quote malformed requests at WARN. */
  static final String JETTY_PARSING = "org\\.eclipse\\.jetty\\.(http\\.HttpParser|util\\.HostPort)";

  private static synchronized MerServer server() {
    if (server == null) {
      server = TestServers.start(ServerOptions.builder().host(InetAddress.getLoopbackAddress())
          .bearerToken(RequestSeeds.TOKEN).maxBodyBytes(64 * 1024));
    }
    return server;
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
      server = null;
    }
  }

  @FuzzTest
  // libFuzzer reads the dictionary as quoted strings: line breaks are written as \\x escapes.
  @DictionaryEntries({"POST ", "GET ", "HEAD ", "PUT ", "OPTIONS ", "/v1/recognize", "/v1/health",
      "/v1/stream", "/index.html", "?transcript=", "%00", "%ZZ", " HTTP/1.1\\x0d\\x0a", "Host: x\\x0d\\x0a",
      "Authorization: Bearer secret\\x0d\\x0a", "Content-Type: audio/wav\\x0d\\x0a", "Transfer-Encoding: chunked\\x0d\\x0a",
      "Expect: 100-continue\\x0d\\x0a", "RIFF", "WAVE", "fmt ", "data", "fLaC", "ID3", "\\x0d\\x0a"})
  void request(byte[] input) throws IOException {
    byte[] wire = framed(input);
    QuietOutput.Captured<String> exchange = QuietOutput.capture(() -> {
      int port = server().uri().getPort();
      // Jazzer's SSRF detector flags every connection; this one, to our own server, is the point.
      try (SilentCloseable allowed = BugDetectors.allowNetworkConnections(
              (host, p) -> p == port && InetAddress.getLoopbackAddress().getHostName().equals(host));
          Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
        s.setSoTimeout(30_000);
        OutputStream o = s.getOutputStream();
        try {
          o.write(wire);
          o.flush();
          s.shutdownOutput();
        } catch (IOException e) {
          // the server may answer (413, 400) and close before the body is all sent
        }
        return readAll(s.getInputStream());
      }
    });
    String answer = exchange.value();
    Matcher m = STATUS.matcher(answer);
    assertThat(m.find()).as("an HTTP answer to %s, got %s", printable(wire), printable(answer)).isTrue();
    int status = Integer.parseInt(m.group(1));
    assertThat(status).as("status for %s: %s", printable(wire), printable(answer)).isNotEqualTo(500);
    int body = answer.indexOf("\r\n\r\n");
    String head = answer.substring(0, Math.max(0, body)).toLowerCase(Locale.ROOT);
    if (body >= 0 && head.contains("content-type: application/json") && !head.contains("transfer-encoding")
        && answer.length() > body + 4) {
      JSON.readTree(answer.substring(body + 4));
    }
    // QuietOutput drops Jazzer's own "INFO: ..." lines. Jetty's
    // HTTP parsing warns about some malformed requests (a second Host header, a bad authority)
    // before it refuses them with 400, quoting what the client sent, line breaks included: Jetty's
    // log, not ours (finding-*jetty-warn*; mer serve keeps those loggers at ERROR, docs/server.md
    // "Security"). An entry runs to the next "[thread] LEVEL" line.
    assertThat(exchange.printed()
            .replaceAll("(?ms)^\\[[^]\n]*\\] WARN " + JETTY_PARSING + " - .*?(?=^\\[[^]\n]*\\] |\\z)", ""))
        .as("written to System.out/err").isEmpty();
  }

  /** The input with its own Content-Length and Connection lines replaced by true ones. */
  static byte[] framed(byte[] input) {
    int split = indexOf(input, END_OF_HEAD);
    byte[] headBytes = split < 0 ? input : Arrays.copyOfRange(input, 0, split);
    byte[] body = split < 0 ? new byte[0] : Arrays.copyOfRange(input, split + END_OF_HEAD.length, input.length);
    StringBuilder head = new StringBuilder();
    for (String line : new String(headBytes, StandardCharsets.ISO_8859_1).split("\r\n", -1)) {
      String l = line.toLowerCase(Locale.ROOT);
      if (!l.startsWith("content-length:") && !l.startsWith("connection:") && !line.isEmpty()) {
        head.append(line).append("\r\n");
      }
    }
    head.append("Content-Length: ").append(body.length).append("\r\nConnection: close\r\n\r\n");
    ByteArrayOutputStream wire = new ByteArrayOutputStream();
    wire.writeBytes(head.toString().getBytes(StandardCharsets.ISO_8859_1));
    wire.writeBytes(body);
    return wire.toByteArray();
  }

  private static int indexOf(byte[] a, byte[] b) {
    outer:
    for (int i = 0; i + b.length <= a.length; i++) {
      for (int j = 0; j < b.length; j++) {
        if (a[i + j] != b[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }

  private static String readAll(InputStream in) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    byte[] buf = new byte[8192];
    int n;
    try {
      while ((n = in.read(buf)) >= 0) {
        b.write(buf, 0, n);
      }
    } catch (java.net.SocketException e) {
      // reset after the answer (the server closed with body bytes unread): keep what came
    }
    return b.toString(StandardCharsets.ISO_8859_1);
  }

  private static String printable(byte[] wire) {
    return printable(new String(wire, 0, Math.min(wire.length, 300), StandardCharsets.ISO_8859_1));
  }

  private static String printable(String s) {
    String cut = s.length() > 300 ? s.substring(0, 300) + "..." : s;
    return cut.replace("\r", "\\r").replace("\n", "\\n");
  }
}

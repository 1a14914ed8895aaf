package io.mersdk.server.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mersdk.EmotionRecognizer;
import io.mersdk.audio.SegmenterOptions;
import io.mersdk.testkit.QuietOutput;
import java.lang.reflect.Proxy;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.junit.jupiter.api.AfterAll;

/**
 * Jazzer target for what a WebSocket client sends to {@code /v1/stream} (docs/server.md): a start
 * message, then any mix of text and binary messages, as the fuzzer picks them. Whatever arrives,
 * no exception leaves the session's listener methods, every event the server sends is a JSON object
 * of a known type, the first one is {@code ready} or {@code error}, nothing follows an {@code error}
 * or {@code done} and the connection is then closed once, a {@code Done} is answered (with {@code
 * done}, or an error) once what was queued is recognised, and nothing is printed.
 *
 * <p>The session runs against the server's real batch queue over the tests' fake backend, without
 * Jetty (its frames are Jetty's to parse). Under plain {@code mvn verify} it runs over its
 * committed corpus ({@code src/test/resources/io/mersdk/server/internal/StreamMessagesFuzzTestInputs/
 * messages/}); {@code scripts/fuzz.sh stream SECONDS} fuzzes it.
 */
class StreamMessagesFuzzTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Set<String> EVENTS = Set.of("ready", "segment", "done", "error");
  private static EmotionRecognizer recognizer;
  private static BatchQueue batches;

  private static synchronized BatchQueue sharedQueue() {
    if (batches == null) {
      recognizer = EmotionRecognizer.builder().bundle(Path.of("fake-bundle")).speechGate(false).build();
      batches = new BatchQueue(recognizer, 8, Duration.ofMillis(1), 256, 1);
    }
    return batches;
  }

  @AfterAll
  static void closeQueue() {
    if (batches != null) {
      batches.close(Duration.ofSeconds(5));
      recognizer.close();
    }
  }

  /** What the session sent and how it closed. */
  private static final class Peer {
    final List<String> sent = new ArrayList<>();
    final List<Integer> closes = new ArrayList<>();

    synchronized void text(String s) {
      sent.add(s);
    }

    synchronized void close(int status) {
      closes.add(status);
    }

    synchronized List<String> sent() {
      return List.copyOf(sent);
    }

    synchronized List<Integer> closes() {
      return List.copyOf(closes);
    }

    Session session() {
      return (Session) Proxy.newProxyInstance(Session.class.getClassLoader(), new Class<?>[] {Session.class},
          (proxy, method, args) -> switch (method.getName()) {
            case "sendText" -> {
              text((String) args[0]);
              yield null;
            }
            case "close" -> {
              close(args != null && args.length > 0 && args[0] instanceof Integer i ? i : 1000);
              yield null;
            }
            case "getRemoteSocketAddress" -> new InetSocketAddress("127.0.0.1", 1);
            case "isOpen" -> closes().isEmpty();
            case "hashCode" -> System.identityHashCode(proxy);
            case "equals" -> proxy == args[0];
            case "toString" -> "fuzz session";
            default -> null;
          });
    }
  }

  private static StreamSession.Host host(Tokens tokens) {
    SegmenterOptions segmenter = SegmenterOptions.defaults().toBuilder().maxSegment(Duration.ofSeconds(4)).build();
    return new StreamSession.Host() {
      @Override
      public int modelRate() {
        return 16000;
      }

      @Override
      public List<String> labels() {
        return List.of("neutral", "happy");
      }

      @Override
      public String bundleId() {
        return "fuzz";
      }

      @Override
      public SegmenterOptions segmenter() {
        return segmenter;
      }

      @Override
      public long maxQueuedSamples() {
        return 16000L * 10;
      }

      @Override
      public int maxMessageBytes() {
        return 1 << 20;
      }

      @Override
      public Tokens tokens() {
        return tokens;
      }

      @Override
      public BatchQueue batches() {
        return sharedQueue();
      }

      @Override
      public boolean opened(StreamSession s) {
        return true;
      }

      @Override
      public void closed(StreamSession s) {}
    };
  }

  /**
   * The input, as {@link StreamSeeds} writes it: one byte of flags (1: the server requires a token,
   * 2: the upgrade request carried it), then messages, each one byte of kind (even: text, odd:
   * binary), two bytes of length (big-endian) and that many bytes (fewer at the end of the input).
   */
  @FuzzTest
  @DictionaryEntries({"{\"type\":\"start\",\"protocol\":\"mer-stream/1\",\"sample_rate\":16000,\"format\":\"float32\"}",
      "\"type\"", "\"start\"", "\"protocol\"", "\"mer-stream/1\"", "\"sample_rate\"", "\"format\"",
      "\"float32\"", "\"int16\"", "\"token\"", "\"secret\"", "Done", "8000", "192000", "44100",
      "1e309", "-1", "9223372036854775808", "null", "[]", "{}"})
  void messages(byte[] input) throws Exception {
    if (input.length == 0) {
      return;
    }
    Peer peer = new Peer();
    int flags = input[0];
    StreamSession s = new StreamSession(host(new Tokens((flags & 1) != 0 ? StreamSeeds.TOKEN : null)),
        (flags & 2) != 0);
    record Ended(boolean sentDone, boolean finished) {}
    QuietOutput.Captured<Ended> run = QuietOutput.capture(() -> {
      boolean done = false;
      s.onWebSocketOpen(peer.session());
      ByteBuffer in = ByteBuffer.wrap(input, 1, input.length - 1);
      while (in.remaining() >= 3) {
        boolean binary = (in.get() & 1) != 0;
        int length = Math.min(in.getShort() & 0xffff, in.remaining());
        byte[] payload = new byte[length];
        in.get(payload);
        if (binary) {
          s.onWebSocketBinary(ByteBuffer.wrap(payload), Callback.NOOP);
        } else {
          String text = new String(payload, StandardCharsets.UTF_8);
          done |= text.strip().equals("Done");
          s.onWebSocketText(text);
        }
      }
      // After Done the server owes the end of the stream (done, or an error) once the batch thread
      // has recognised what was queued; without Done the client just goes away.
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (done && peer.closes().isEmpty() && System.nanoTime() < deadline) {
        Thread.sleep(1);
      }
      boolean finished = !peer.closes().isEmpty();
      s.onWebSocketClose(1000, "client gone");
      return new Ended(done, finished);
    });
    boolean sentDone = run.value().sentDone();
    boolean finished = run.value().finished();
    if (sentDone) {
      assertThat(finished).as("the stream ended (done or error) within 10 s of Done: %s", peer.sent()).isTrue();
    }
    List<String> sent = peer.sent();
    List<String> types = new ArrayList<>();
    for (String text : sent) {
      JsonNode e = JSON.readTree(text);
      assertThat(e.isObject()).as("event %s", text).isTrue();
      assertThat(EVENTS).as("event %s", text).contains(e.path("type").asText());
      types.add(e.path("type").asText());
    }
    if (!types.isEmpty()) {
      assertThat(types.get(0)).isIn("ready", "error");
    }
    int end = types.indexOf("error") >= 0 ? types.indexOf("error") : types.indexOf("done");
    if (end >= 0) {
      assertThat(types.subList(end + 1, types.size())).as("events after %s", types.get(end)).isEmpty();
      assertThat(peer.closes()).as("closes").hasSize(1);
    }
    assertThat(peer.closes()).as("closes").hasSizeLessThanOrEqualTo(1);
    assertThat(run.printed()).as("written to System.out/err").isEmpty();
  }
}

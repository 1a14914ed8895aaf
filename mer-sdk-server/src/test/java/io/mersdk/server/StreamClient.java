package io.mersdk.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.client.ClientUpgradeRequest;
import org.eclipse.jetty.websocket.client.WebSocketClient;

/** A real WebSocket client (Jetty's) that records every event and the close code. */
public final class StreamClient implements Session.Listener.AutoDemanding, AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration WAIT = Duration.ofSeconds(20);

  final BlockingQueue<JsonNode> events = new LinkedBlockingQueue<>();
  final CompletableFuture<Integer> closed = new CompletableFuture<>();
  /** Set when the server's {@code error} event arrived: the stream is about to be closed. */
  private volatile boolean serverError;
  private final WebSocketClient client;
  volatile Session session;

  private StreamClient(WebSocketClient client) {
    this.client = client;
  }

  static StreamClient connect(MerServer server) throws Exception {
    return connect(server, null);
  }

  static StreamClient connect(MerServer server, String token) throws Exception {
    WebSocketClient c = new WebSocketClient();
    c.setMaxBinaryMessageSize(64L * 1024 * 1024);
    c.start();
    StreamClient s = new StreamClient(c);
    ClientUpgradeRequest req = new ClientUpgradeRequest();
    if (token != null) {
      req.setHeader("Authorization", "Bearer " + token);
    }
    URI uri = URI.create(server.uri().toString().replace("http", "ws") + "/v1/stream");
    try {
      s.session = c.connect(s, uri, req).get(WAIT.toSeconds(), TimeUnit.SECONDS);
    } catch (Exception e) {
      c.stop();
      throw e;
    }
    return s;
  }

  void start(int rate, String format) throws Exception {
    text("{\"type\":\"start\",\"protocol\":\"mer-stream/1\",\"sample_rate\":" + rate
        + ",\"format\":\"" + format + "\"}");
  }

  void text(String t) throws Exception {
    CompletableFuture<Void> f = new CompletableFuture<>();
    session.sendText(t, Callback.from(() -> f.complete(null), f::completeExceptionally));
    f.get(WAIT.toSeconds(), TimeUnit.SECONDS);
  }

  void binary(ByteBuffer b) throws Exception {
    CompletableFuture<Void> f = new CompletableFuture<>();
    session.sendBinary(b, Callback.from(() -> f.complete(null), f::completeExceptionally));
    f.get(WAIT.toSeconds(), TimeUnit.SECONDS);
  }

  /** Sends {@code x} in messages of {@code chunk} samples. */
  void send(float[] x, int chunk, boolean int16) throws Exception {
    for (int i = 0; i < x.length; i += chunk) {
      int to = Math.min(x.length, i + chunk);
      binary(int16 ? TestServers.int16(x, i, to) : TestServers.float32(x, i, to));
    }
  }

  /**
   * Like {@link #send} in float32, but stops quietly once the server has sent an error or closed:
   * writing on into a closing connection races the close handshake (the write fails and the close
   * code is lost), which made the overload test flaky.
   */
  void sendWhileOpen(float[] x, int chunk) {
    try {
      for (int i = 0; i < x.length && !serverError && !closed.isDone(); i += chunk) {
        binary(TestServers.float32(x, i, Math.min(x.length, i + chunk)));
      }
    } catch (Exception e) {
      // the server closed the stream under us; its events say why
    }
  }

  JsonNode next() throws InterruptedException {
    JsonNode n = events.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
    if (n == null) {
      throw new AssertionError("no event within " + WAIT);
    }
    return n;
  }

  /** Every event up to and including {@code done} or {@code error}. */
  List<JsonNode> untilEnd() throws InterruptedException {
    List<JsonNode> out = new ArrayList<>();
    while (true) {
      JsonNode n = next();
      out.add(n);
      String type = n.path("type").asText();
      if (type.equals("done") || type.equals("error")) {
        return out;
      }
    }
  }

  int closeCode() throws Exception {
    return closed.get(WAIT.toSeconds(), TimeUnit.SECONDS);
  }

  @Override
  public void onWebSocketText(String message) {
    try {
      JsonNode n = JSON.readTree(message);
      serverError |= n.path("type").asText().equals("error");
      events.add(n);
    } catch (Exception e) {
      events.add(JSON.createObjectNode().put("type", "unparsable").put("text", message));
    }
  }

  @Override
  public void onWebSocketClose(int statusCode, String reason) {
    closed.complete(statusCode);
  }

  @Override
  public void onWebSocketError(Throwable cause) {
    // A failed write (the server closing while a frame was on its way) comes before the server's
    // close frame is read: -1 only if no close code follows.
    closed.completeOnTimeout(-1, 2, TimeUnit.SECONDS);
  }

  @Override
  public void close() throws Exception {
    client.stop();
  }
}

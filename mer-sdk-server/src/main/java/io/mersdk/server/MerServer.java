package io.mersdk.server;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mersdk.AudioException;
import io.mersdk.EmotionRecognizer;
import io.mersdk.EmotionResult;
import io.mersdk.Utterance;
import io.mersdk.audio.AudioSources;
import io.mersdk.audio.DecodeOptions;
import io.mersdk.audio.SegmenterOptions;
import io.mersdk.json.ResultJson;
import io.mersdk.server.internal.BatchQueue;
import io.mersdk.server.internal.BoundedBody;
import io.mersdk.server.internal.StreamSession;
import io.mersdk.server.internal.Tokens;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.eclipse.jetty.websocket.server.WebSocketUpgradeHandler;
import org.eclipse.jetty.util.Fields;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Emotion recognition over HTTP and WebSocket on Jetty 12, one shared recogniser (docs/server.md).
 *
 * <ul>
 *   <li>{@code POST /v1/recognize}: an audio file as the body (any format {@link AudioSources}
 *       reads), optionally {@code ?transcript=...}: 200 with the result JSON; with {@code
 *       ?channels=split} a call, each channel a party: segments per party and the call summary
 *       ({@link CallEndpoint}, docs/calls.md).
 *   <li>{@code WS /v1/stream}: live audio, protocol {@value StreamSession#PROTOCOL}: a
 *       {@code segment} event per utterance as it ends.
 *   <li>{@code GET /v1/health}: bundle id, labels, device, open streams.
 *   <li>{@code GET /}: the browser page (microphone, timeline chart, file upload), served from
 *       this jar; it fetches nothing from elsewhere.
 * </ul>
 *
 * <p>Utterances of every stream and POST meet in one bounded batching queue ({@link
 * ServerOptions#maxBatch()}, {@link ServerOptions#batchWait()}). Every limit refuses at once
 * (HTTP 503 or 413, WebSocket close 1009 or 1013) rather than queueing without end.
 */
public final class MerServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(MerServer.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  /** Most of a refused request's body (401, 405) read so that its client sees the answer. */
  private static final int UNREAD_BODY_BYTES = 64 * 1024;

  private final EmotionRecognizer recognizer;
  private final ServerOptions options;
  private final Server server;
  private final ServerConnector connector;
  private final BatchQueue batches;
  private final Tokens tokens;
  private final Semaphore httpSlots;
  private final SegmenterOptions segmenter;
  private final DecodeOptions decode;
  private final Set<StreamSession> streams = ConcurrentHashMap.newKeySet();
  private final AtomicBoolean closing = new AtomicBoolean();
  private final CountDownLatch closed = new CountDownLatch(1);
  private final StaticPages pages = new StaticPages();

  private MerServer(EmotionRecognizer recognizer, ServerOptions options) {
    this.recognizer = recognizer;
    this.options = options;
    this.tokens = new Tokens(options.bearerToken());
    this.httpSlots = new Semaphore(options.httpWorkers() + options.httpQueue());
    this.decode = DecodeOptions.builder().maxDuration(options.maxAudio()).build();
    Duration maxUtterance = options.maxUtterance();
    var window = recognizer.bundle().asrWindow();
    if (window.isPresent() && window.get().compareTo(maxUtterance) < 0) {
      maxUtterance = window.get(); // the recogniser refuses longer utterances (as Timeline does)
    }
    this.segmenter = SegmenterOptions.defaults().toBuilder().maxSegment(maxUtterance).build();
    this.batches = new BatchQueue(recognizer, options.maxBatch(), options.batchWait(),
        options.batchQueue(), options.batchWorkers());

    int jettyThreads = Math.max(32, options.httpWorkers() + options.httpQueue() + 16);
    QueuedThreadPool pool = new QueuedThreadPool(jettyThreads, 4);
    pool.setName("mer-jetty");
    pool.setDaemon(true);
    this.server = new Server(pool);
    HttpConfiguration http = new HttpConfiguration();
    http.setSendServerVersion(false);
    if (options.keyStore().isPresent()) {
      SslContextFactory.Server ssl = new SslContextFactory.Server();
      ssl.setKeyStorePath(options.keyStore().get().toString());
      ssl.setKeyStorePassword(options.keyStorePassword());
      SecureRequestCustomizer src = new SecureRequestCustomizer();
      src.setSniHostCheck(false); // a certificate for a name, reached by address, still serves
      http.addCustomizer(src);
      this.connector = new ServerConnector(server, ssl, new HttpConnectionFactory(http));
    } else {
      this.connector = new ServerConnector(server, new HttpConnectionFactory(http));
    }
    connector.setHost(options.host().getHostAddress());
    connector.setPort(options.port());
    server.addConnector(connector);

    WebSocketUpgradeHandler ws = WebSocketUpgradeHandler.from(server, container -> {
      container.setMaxBinaryMessageSize(options.maxMessageBytes());
      container.setMaxTextMessageSize(Math.min(options.maxMessageBytes(), 64 * 1024));
      container.setIdleTimeout(options.idleTimeout());
      container.addMapping("/v1/stream", (req, resp, cb) -> {
        if (closing.get() || streams.size() >= options.maxStreams()) {
          resp.getHeaders().put(HttpHeader.RETRY_AFTER, "1");
          Response.writeError(req, resp, cb, HttpStatus.SERVICE_UNAVAILABLE_503,
              closing.get() ? "server is shutting down"
                  : "all " + options.maxStreams() + " streams are taken; retry later");
          return null;
        }
        return new StreamSession(host(), tokens.acceptsHeader(
            req.getHeaders().get(HttpHeader.AUTHORIZATION)));
      });
    });
    ws.setHandler(new Routes());
    server.setHandler(ws);
  }

  /**
   * Starts serving. The server owns {@code recognizer} from here on: {@link #close()} closes it,
   * and so does a failure to start.
   *
   * @throws IOException if the address cannot be bound
   */
  public static MerServer start(EmotionRecognizer recognizer, ServerOptions options)
      throws IOException {
    Objects.requireNonNull(recognizer, "recognizer");
    Objects.requireNonNull(options, "options");
    MerServer s = null;
    try {
      s = new MerServer(recognizer, options);
      s.server.start();
    } catch (Exception e) {
      if (s != null) {
        s.batches.close();
        try {
          s.server.stop();
        } catch (Exception ignored) {
          // already failing; the first error is the one to report
        }
      }
      recognizer.close();
      if (e instanceof IOException io) {
        throw io;
      }
      if (e.getCause() instanceof IOException io) {
        throw io;
      }
      if (e instanceof RuntimeException r) {
        throw r;
      }
      throw new IOException("cannot start the server: " + e, e);
    }
    LOG.info("serving bundle {} on {} (streams {}, batch {} / {} ms, body limit {} bytes, {})",
        recognizer.bundle().bundleId(), s.uri(), options.maxStreams(), options.maxBatch(),
        options.batchWait().toMillis(), options.maxBodyBytes(),
        options.requiresToken() ? "token required" : "no token");
    return s;
  }

  /** {@code http://host:port} (or https), with the real port when {@link ServerOptions#port()} was 0. */
  public URI uri() {
    String host = options.host().getHostAddress();
    String scheme = options.keyStore().isPresent() ? "https" : "http";
    return URI.create(scheme + "://" + (host.contains(":") ? "[" + host + "]" : host) + ":"
        + connector.getLocalPort());
  }

  public InetSocketAddress address() {
    return new InetSocketAddress(options.host(), connector.getLocalPort());
  }

  /** Open {@code /v1/stream} connections. */
  public int openStreams() {
    return streams.size();
  }

  /** Samples all open streams hold (open utterances and those waiting for recognition). */
  public long heldSamples() {
    long n = 0;
    for (StreamSession s : streams) {
      n += s.heldSamples();
    }
    return n;
  }

  /** Batches recognised so far and the largest of them (for tests and /v1/health). */
  public long batches() {
    return batches.batches();
  }

  public long largestBatch() {
    return batches.largestBatch();
  }

  /** Whether {@link #close()} has finished: Jetty stopped and the recogniser released. */
  public boolean isClosed() {
    return closed.getCount() == 0;
  }

  /** Blocks until {@link #close()} has finished (from another thread or a shutdown hook). */
  public void awaitClosed() throws InterruptedException {
    closed.await();
  }

  /**
   * Stops accepting, ends every stream with a {@code shutdown} event and close code 1001, lets
   * queued utterances finish (at most {@link ServerOptions#shutdownGrace()}), stops Jetty and
   * closes the recogniser. Idempotent; a second caller returns at once.
   */
  @Override
  public void close() {
    if (!closing.compareAndSet(false, true)) {
      return;
    }
    for (StreamSession s : streams) {
      s.shutdown();
    }
    batches.close(options.shutdownGrace());
    try {
      server.setStopTimeout(Math.max(1, options.shutdownGrace().toMillis()));
      server.stop();
    } catch (Exception e) {
      LOG.warn("stopping Jetty: {}", e.toString());
    }
    recognizer.close();
    LOG.info("server on port {} stopped", connector.getLocalPort());
    closed.countDown();
  }

  // ---- streams ------------------------------------------------------------------------------

  private StreamSession.Host host() {
    return new StreamSession.Host() {
      @Override
      public int modelRate() {
        return recognizer.bundle().sampleRate();
      }

      @Override
      public List<String> labels() {
        return recognizer.labels();
      }

      @Override
      public String bundleId() {
        return recognizer.bundle().bundleId();
      }

      @Override
      public SegmenterOptions segmenter() {
        return segmenter;
      }

      @Override
      public long maxQueuedSamples() {
        return options.maxQueuedAudio().toNanos() * recognizer.bundle().sampleRate() / 1_000_000_000L;
      }

      @Override
      public int maxMessageBytes() {
        return options.maxMessageBytes();
      }

      @Override
      public Tokens tokens() {
        return tokens;
      }

      @Override
      public BatchQueue batches() {
        return batches;
      }

      @Override
      public boolean opened(StreamSession s) {
        streams.add(s);
        return streams.size() <= options.maxStreams();
      }

      @Override
      public void closed(StreamSession s) {
        streams.remove(s);
      }
    };
  }

  // ---- HTTP ---------------------------------------------------------------------------------

  private final class Routes extends Handler.Abstract {
    @Override
    public boolean handle(Request request, Response response, Callback callback) {
      String path = Request.getPathInContext(request);
      String method = request.getMethod();
      try {
        switch (path) {
          case "/v1/recognize" -> {
            if (!method.equals("POST")) {
              discardBody(request, UNREAD_BODY_BYTES, response);
              response.getHeaders().put(HttpHeader.ALLOW, "POST");
              error(response, callback, 405, "MethodNotAllowed",
                  method + " is not allowed on /v1/recognize; POST an audio file");
            } else if (authorized(request, response, callback)) {
              recognize(request, response, callback);
            }
          }
          case "/v1/health" -> {
            if (!method.equals("GET") && !method.equals("HEAD")) {
              response.getHeaders().put(HttpHeader.ALLOW, "GET, HEAD");
              error(response, callback, 405, "MethodNotAllowed",
                  method + " is not allowed on /v1/health; use GET");
            } else if (authorized(request, response, callback)) {
              health(response, callback);
            }
          }
          case "/v1/stream" -> error(response, callback, 426, "UpgradeRequired",
              "/v1/stream is a WebSocket endpoint (protocol " + StreamSession.PROTOCOL + ")");
          default -> {
            if (!pages.serve(path, method, response, callback)) {
              error(response, callback, 404, "NotFound", "no such path: " + path
                  + " (POST /v1/recognize, WS /v1/stream, GET /v1/health, GET /)");
            }
          }
        }
      } catch (RuntimeException e) {
        LOG.error("unexpected error on {} {}", method, path, e);
        error(response, callback, 500, "InternalError", "internal error: " + e);
      }
      return true;
    }
  }

  private boolean authorized(Request request, Response response, Callback callback) {
    if (tokens.acceptsHeader(request.getHeaders().get(HttpHeader.AUTHORIZATION))) {
      return true;
    }
    discardBody(request, UNREAD_BODY_BYTES, response);
    response.getHeaders().put(HttpHeader.WWW_AUTHENTICATE, "Bearer");
    error(response, callback, 401, "Unauthorized",
        "this server requires Authorization: Bearer <token>");
    return false;
  }

  private void recognize(Request request, Response response, Callback callback) {
    if (closing.get()) {
      error(response, callback, 503, "ServiceUnavailable", "server is shutting down");
      return;
    }
    long declared = request.getLength();
    if (declared > options.maxBodyBytes()) {
      response.getHeaders().put(HttpHeader.CONNECTION, "close");
      error(response, callback, 413, "PayloadTooLarge", tooLarge());
      return;
    }
    if (!httpSlots.tryAcquire()) {
      discardBody(request, options.maxBodyBytes(), response);
      response.getHeaders().put(HttpHeader.RETRY_AFTER, "1");
      error(response, callback, 503, "ServiceUnavailable", "server is busy: all "
          + options.httpWorkers() + " workers and " + options.httpQueue()
          + " queue slots are taken; retry later");
      return;
    }
    try {
      byte[] body;
      try (InputStream in = Content.Source.asInputStream(request)) {
        body = BoundedBody.read(in, options.maxBodyBytes());
      } catch (BoundedBody.TooLargeException e) {
        response.getHeaders().put(HttpHeader.CONNECTION, "close");
        error(response, callback, 413, "PayloadTooLarge", tooLarge());
        return;
      } catch (IOException e) {
        error(response, callback, 400, "BadRequest", "cannot read the request body: "
            + e.getMessage());
        return;
      }
      String transcript;
      Fields query;
      try {
        query = Request.extractQueryParameters(request);
        transcript = query.getValue("transcript");
        query.getValue("channels"); // decoded here, so that bad encoding is answered below
      } catch (RuntimeException e) {
        // Jetty decodes the query on demand and throws on bad percent-encoding (found by fuzzing:
        // "?transcript=a%%00" was a 500)
        error(response, callback, 400, "BadRequest", "the query string is not valid "
            + "percent-encoded UTF-8: " + e.getMessage());
        return;
      }
      boolean split;
      try {
        split = CallEndpoint.wanted(query);
      } catch (IllegalArgumentException e) {
        error(response, callback, 400, "BadRequest", e.getMessage());
        return;
      }
      if (split) {
        CallEndpoint.Answer a = new CallEndpoint(recognizer, decode).run(body, query);
        json(response, callback, a.status(), a.body());
        return;
      }
      float[] samples;
      try {
        samples = AudioSources.of(body, "request body", decode)
            .readMono(recognizer.bundle().sampleRate());
      } catch (AudioException e) {
        json(response, callback, 400, ResultJson.error(e));
        return;
      }
      Utterance u = transcript == null ? Utterance.of(samples) : Utterance.of(samples, transcript);
      CompletableFuture<EmotionResult> f = new CompletableFuture<>();
      if (!batches.offer(new BatchQueue.Job(u, f::complete, f::completeExceptionally,
          () -> true))) {
        response.getHeaders().put(HttpHeader.RETRY_AFTER, "1");
        error(response, callback, 503, "ServiceUnavailable",
            "the server's recognition queue is full; retry later");
        return;
      }
      EmotionResult r;
      try {
        r = f.get();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        error(response, callback, 503, "ServiceUnavailable", "server is shutting down");
        return;
      } catch (ExecutionException e) {
        if (e.getCause() instanceof IllegalStateException) {
          error(response, callback, 503, "ServiceUnavailable", "server is shutting down");
        } else {
          LOG.warn("recognition failed: {}", e.getCause().toString());
          json(response, callback, 500, ResultJson.error(e.getCause()));
        }
        return;
      }
      // an item that failed on its own (too short, too long for the ASR window) is the client's
      int status = r.isFailed() && r.error() instanceof AudioException ? 400
          : r.isFailed() ? 500 : 200;
      json(response, callback, status, ResultJson.toTree(r));
    } finally {
      httpSlots.release();
    }
  }

  /**
   * Reads and drops a request body we answer without using, at most {@code cap} bytes, so that a
   * client still sending it reads the answer instead of a reset connection. A longer body is left
   * unread and the connection is closed after the answer. Nothing is kept.
   */
  private static void discardBody(Request request, long cap, Response response) {
    byte[] sink = new byte[16 * 1024];
    long left = cap;
    try (InputStream in = Content.Source.asInputStream(request)) {
      int n;
      while (left > 0 && (n = in.read(sink, 0, (int) Math.min(sink.length, left))) >= 0) {
        left -= n;
      }
      if (left <= 0 && in.read() >= 0) {
        response.getHeaders().put(HttpHeader.CONNECTION, "close");
      }
    } catch (IOException e) {
      // the client went away; nothing to answer
    }
  }

  private void health(Response response, Callback callback) {
    Map<String, Object> h = new LinkedHashMap<>();
    h.put("status", closing.get() ? "stopping" : "ok");
    h.put("bundle_id", recognizer.bundle().bundleId());
    h.put("labels", recognizer.labels());
    h.put("sample_rate", recognizer.bundle().sampleRate());
    h.put("device", recognizer.device().toString());
    h.put("protocol", StreamSession.PROTOCOL);
    h.put("open_streams", streams.size());
    h.put("max_streams", options.maxStreams());
    h.put("batches", batches.batches());
    h.put("largest_batch", batches.largestBatch());
    json(response, callback, 200, h);
  }

  private String tooLarge() {
    return "request body is larger than the limit of " + options.maxBodyBytes() + " bytes";
  }

  private static void error(Response response, Callback callback, int status, String type,
      String message) {
    Map<String, Object> e = new LinkedHashMap<>();
    e.put("type", type);
    e.put("message", message);
    json(response, callback, status, Map.of("error", e));
  }

  static void json(Response response, Callback callback, int status, Object body) {
    byte[] bytes;
    try {
      bytes = JSON.writeValueAsBytes(body);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
    response.setStatus(status);
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json; charset=utf-8");
    response.getHeaders().put("X-Content-Type-Options", "nosniff");
    response.write(true, ByteBuffer.wrap(bytes), callback);
  }

}

package io.mersdk.examples;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.JsonNode;
import io.mersdk.json.ResultJson;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.mersdk.AudioException;
import io.mersdk.EmotionRecognizer;
import io.mersdk.EmotionResult;
import io.mersdk.MerException;
import io.mersdk.Utterance;
import io.mersdk.audio.AudioSources;
import io.mersdk.audio.DecodeOptions;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Emotion recognition over HTTP with the JDK's built-in server, one shared recogniser.
 *
 * <ul>
 *   <li>{@code POST /recognize} with an audio file as the body (any format {@link AudioSources}
 *       reads), optionally {@code ?transcript=...} to skip ASR: 200 with the result in the shape
 *       of {@link ResultJson} (mer-sdk-json; {@code mer recognize --format jsonl} without {@code
 *       file}): {@code "outcome": "emotion"} with the label, or {@code "no_speech"} for silence,
 *       noise or music.
 *   <li>{@code GET /health}: 200 with the bundle id, labels and device.
 * </ul>
 *
 * <p>Errors are the codec's {@code {"error": {"type": ..., "message": ...}}}: 400 for audio that
 * cannot be decoded or used (type AudioException), 404, 405 (with
 * {@code Allow}), 413 when the body exceeds {@link Options#maxBodyBytes} (checked while it
 * arrives; no more than the limit is ever held), 503 while shutting down or when every worker and
 * queue slot is taken, 500 if inference fails.
 *
 * <p>Requests run on {@link Options#threads} workers with {@link Options#queue} waiting slots, so
 * memory is bounded by about threads x (body limit + {@link Options#maxAudio} of samples). {@link #close()} stops
 * accepting, lets requests in flight finish (up to {@link Options#shutdownGrace}) and closes the
 * recogniser, which the server owns.
 */
public final class EmotionServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(EmotionServer.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final EmotionRecognizer recognizer;
  private final Options options;
  private final HttpServer server;
  private final ThreadPoolExecutor workers;
  private final ThreadPoolExecutor overflow;
  private final AtomicInteger inFlight = new AtomicInteger();
  private final AtomicBoolean closing = new AtomicBoolean();
  private final CountDownLatch closed = new CountDownLatch(1);
  private final DecodeOptions decode;

  private EmotionServer(EmotionRecognizer recognizer, Options options) throws IOException {
    this.recognizer = recognizer;
    this.options = options;
    this.decode = DecodeOptions.builder().maxDuration(options.maxAudio).build();
    this.server = HttpServer.create(new InetSocketAddress(options.host, options.port), 0);
    this.workers = new ThreadPoolExecutor(options.threads, options.threads, 0, TimeUnit.SECONDS,
        new ArrayBlockingQueue<>(options.queue), daemon("mer-http-"));
    // When workers and queue are full the JDK server would drop the connection without a word;
    // this one thread answers such requests 503 instead (it never reads their bodies).
    this.overflow = new ThreadPoolExecutor(1, 1, 0, TimeUnit.SECONDS,
        new ArrayBlockingQueue<>(options.queue), daemon("mer-http-busy-"));
    workers.setRejectedExecutionHandler((task, pool) -> overflow.execute(task));
    server.setExecutor(counting());
    server.createContext("/recognize", this::recognize);
    server.createContext("/health", this::health);
    server.createContext("/", this::notFound);
  }

  /**
   * Starts serving. The server owns {@code recognizer} from here on: {@link #close()} closes it
   * (and so does a failure to start).
   *
   * @throws IOException if the address cannot be bound
   */
  public static EmotionServer start(EmotionRecognizer recognizer, Options options)
      throws IOException {
    Objects.requireNonNull(recognizer, "recognizer");
    Objects.requireNonNull(options, "options");
    EmotionServer s;
    try {
      s = new EmotionServer(recognizer, options);
    } catch (IOException | RuntimeException e) {
      recognizer.close();
      throw e;
    }
    s.server.start();
    LOG.info("serving bundle {} on {} (threads {}, queue {}, body limit {} bytes)",
        recognizer.bundle().bundleId(), s.uri(), options.threads, options.queue,
        options.maxBodyBytes);
    return s;
  }

  /** The bound address (the real port when {@link Options#port} was 0). */
  public InetSocketAddress address() {
    return server.getAddress();
  }

  /** {@code http://host:port}, for clients and logs. */
  public URI uri() {
    InetSocketAddress a = address();
    String host = a.getAddress().getHostAddress();
    return URI.create("http://" + (host.contains(":") ? "[" + host + "]" : host) + ":"
        + a.getPort());
  }

  /** Requests handed to the workers and not finished yet (queued ones included). */
  int inFlight() {
    return inFlight.get();
  }

  /** Blocks until {@link #close()} has finished (from another thread or a shutdown hook). */
  public void awaitClosed() throws InterruptedException {
    closed.await();
  }

  /**
   * Stops accepting connections, waits for requests in flight (at most {@link
   * Options#shutdownGrace}), then closes the recogniser. Idempotent and thread-safe; a second
   * caller returns at once.
   */
  @Override
  public void close() {
    if (!closing.compareAndSet(false, true)) {
      return;
    }
    // JDK 17's HttpServer.stop(d) waits the whole d when nothing is in flight (JDK-8304065) but
    // returns as soon as the last exchange finishes when something is; so ask for the grace
    // period only when it can end early.
    int grace = (int) Math.max(1, options.shutdownGrace.toSeconds());
    server.stop(inFlight.get() == 0 ? 0 : grace);
    workers.shutdown();
    overflow.shutdown();
    try {
      workers.awaitTermination(grace, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    recognizer.close();
    LOG.info("server on {} stopped", uri());
    closed.countDown();
  }

  // ---- handlers ------------------------------------------------------------------------------

  private void recognize(HttpExchange ex) throws IOException {
    try (ex) {
      if (!ex.getRequestURI().getPath().equals("/recognize")) {
        notFound(ex); // the context matches every path that starts with /recognize
        return;
      }
      if (!ex.getRequestMethod().equals("POST")) {
        ex.getResponseHeaders().set("Allow", "POST");
        send(ex, 405, error("MethodNotAllowed", ex.getRequestMethod()
            + " is not allowed on /recognize; POST an audio file"));
        return;
      }
      if (refuseIfBusy(ex)) {
        return;
      }
      long declared = contentLength(ex);
      if (declared > options.maxBodyBytes) {
        send(ex, 413, tooLarge());
        return;
      }
      byte[] body;
      try {
        body = BoundedBody.read(ex.getRequestBody(), options.maxBodyBytes);
      } catch (BoundedBody.TooLargeException e) {
        send(ex, 413, tooLarge());
        return;
      }
      String transcript = queryParameter(ex.getRequestURI().getRawQuery(), "transcript");
      EmotionResult r;
      try {
        float[] samples = AudioSources.of(body, "request body from " + ex.getRemoteAddress(),
            decode).readMono(recognizer.bundle().sampleRate());
        r = recognizer.recognize(transcript == null ? Utterance.of(samples)
            : Utterance.of(samples, transcript));
      } catch (AudioException e) {
        send(ex, 400, ResultJson.error(e));
        return;
      } catch (IllegalStateException e) {
        send(ex, 503, error("ServiceUnavailable", "server is shutting down"));
        return;
      } catch (MerException e) {
        LOG.warn("recognition failed: {}", e.getMessage());
        send(ex, 500, ResultJson.error(e));
        return;
      } catch (RuntimeException e) {
        // a bug; the JDK server would just drop the connection, so answer and log it in full
        LOG.error("unexpected error while recognising", e);
        send(ex, 500, error("InternalError", "internal error: " + e));
        return;
      }
      // an emotion or no speech: the codec's result object either way
      send(ex, 200, ResultJson.toTree(r));
    }
  }

  private void notFound(HttpExchange ex) throws IOException {
    try (ex) {
      send(ex, 404, error("NotFound", "no such path: " + ex.getRequestURI().getPath()
          + " (use POST /recognize or GET /health)"));
    }
  }

  private void health(HttpExchange ex) throws IOException {
    try (ex) {
      if (!ex.getRequestURI().getPath().equals("/health")) {
        notFound(ex);
        return;
      }
      if (!ex.getRequestMethod().equals("GET") && !ex.getRequestMethod().equals("HEAD")) {
        ex.getResponseHeaders().set("Allow", "GET, HEAD");
        send(ex, 405, error("MethodNotAllowed", ex.getRequestMethod()
            + " is not allowed on /health; use GET"));
        return;
      }
      if (refuseIfBusy(ex)) {
        return;
      }
      Map<String, Object> h = new LinkedHashMap<>();
      h.put("status", "ok");
      h.put("bundle_id", recognizer.bundle().bundleId());
      h.put("labels", recognizer.labels());
      h.put("device", recognizer.device().toString());
      send(ex, 200, h);
    }
  }

  /**
   * 503 for requests the overflow thread is holding (every worker and queue slot taken, or the
   * server shutting down). A request a worker has taken is in flight and is always finished, even
   * when close() starts before the handler runs: close() waits for it.
   */
  private boolean refuseIfBusy(HttpExchange ex) throws IOException {
    if (Thread.currentThread().getName().startsWith("mer-http-busy-")) {
      if (closing.get()) {
        send(ex, 503, error("ServiceUnavailable", "server is shutting down"));
        return true;
      }
      ex.getResponseHeaders().set("Retry-After", "1");
      send(ex, 503, error("ServiceUnavailable", "server is busy: all " + options.threads + " workers and "
          + options.queue + " queue slots are taken; retry later"));
      return true;
    }
    return false;
  }

  private JsonNode tooLarge() {
    return error("PayloadTooLarge", "request body is larger than the limit of " + options.maxBodyBytes + " bytes");
  }

  private static long contentLength(HttpExchange ex) {
    String v = ex.getRequestHeaders().getFirst("Content-Length");
    try {
      return v == null ? -1 : Long.parseLong(v.trim());
    } catch (NumberFormatException e) {
      return -1; // the JDK server has already refused a malformed length
    }
  }

  static String queryParameter(String rawQuery, String name) {
    if (rawQuery == null) {
      return null;
    }
    for (String pair : rawQuery.split("&")) {
      int eq = pair.indexOf('=');
      String key = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
      if (key.equals(name)) {
        return eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
      }
    }
    return null;
  }

  /** The codec's error object for an error that is no exception. */
  private static JsonNode error(String type, String message) {
    return ResultJson.error(type, message);
  }

  private static void send(HttpExchange ex, int status, Object body)
      throws IOException {
    byte[] bytes = JSON.writeValueAsBytes(body);
    ex.getResponseHeaders().set("Content-Type", "application/json; charset=utf-8");
    if (status == 413) {
      // the rest of an oversize body is not read; the connection cannot be reused
      ex.getResponseHeaders().set("Connection", "close");
    }
    boolean head = ex.getRequestMethod().equals("HEAD");
    ex.sendResponseHeaders(status, head ? -1 : bytes.length);
    if (!head) {
      try (OutputStream out = ex.getResponseBody()) {
        out.write(bytes);
      }
    }
  }

  /** Counts exchanges from hand-over to completion, for {@link #close()}. */
  private Executor counting() {
    return task -> {
      inFlight.incrementAndGet();
      try {
        workers.execute(() -> {
          try {
            task.run();
          } finally {
            inFlight.decrementAndGet();
          }
        });
      } catch (RuntimeException e) {
        inFlight.decrementAndGet();
        throw e;
      }
    };
  }

  private static java.util.concurrent.ThreadFactory daemon(String prefix) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, prefix + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }

  /** Server settings; {@link Builder#build()} checks them and names the bad one. */
  public static final class Options {
    private final InetAddress host;
    private final int port;
    private final int maxBodyBytes;
    private final int threads;
    private final int queue;
    private final Duration shutdownGrace;
    private final Duration maxAudio;

    private Options(Builder b) {
      this.host = b.host;
      this.port = b.port;
      this.maxBodyBytes = b.maxBodyBytes;
      this.threads = b.threads;
      this.queue = b.queue;
      this.shutdownGrace = b.shutdownGrace;
      this.maxAudio = b.maxAudio;
    }

    public static Builder builder() {
      return new Builder();
    }

    /** Largest request body accepted, in bytes; longer ones get 413. */
    public int maxBodyBytes() {
      return maxBodyBytes;
    }

    /** Requests recognised at once (worker threads). */
    public int threads() {
      return threads;
    }

    /** Requests that may wait for a worker; more get 503. */
    public int queue() {
      return queue;
    }

    /**
     * Longest audio accepted (decoded before recognition; longer gets 400). A small compressed body
     * can decode to hours of samples, so the body limit alone does not bound memory.
     */
    public Duration maxAudio() {
      return maxAudio;
    }

    /** How long {@link EmotionServer#close()} waits for requests in flight. */
    public Duration shutdownGrace() {
      return shutdownGrace;
    }

    /**
     * Builder with the defaults: loopback, port 8080, 25 MiB bodies, 5 min of audio, 4 workers,
     * 64 queued, 30 s shutdown grace.
     */
    public static final class Builder {
      private InetAddress host = InetAddress.getLoopbackAddress();
      private int port = 8080;
      private int maxBodyBytes = 25 * 1024 * 1024;
      private int threads = 4;
      private int queue = 64;
      private Duration shutdownGrace = Duration.ofSeconds(30);
      private Duration maxAudio = Duration.ofMinutes(5);

      private Builder() {}

      /** Address to listen on; default loopback (use 0.0.0.0 to serve other machines). */
      public Builder host(InetAddress host) {
        this.host = Objects.requireNonNull(host, "host");
        return this;
      }

      /** TCP port; 0 picks a free one (see {@link EmotionServer#address()}). */
      public Builder port(int port) {
        this.port = port;
        return this;
      }

      public Builder maxBodyBytes(int maxBodyBytes) {
        this.maxBodyBytes = maxBodyBytes;
        return this;
      }

      public Builder threads(int threads) {
        this.threads = threads;
        return this;
      }

      public Builder queue(int queue) {
        this.queue = queue;
        return this;
      }

      public Builder shutdownGrace(Duration shutdownGrace) {
        this.shutdownGrace = Objects.requireNonNull(shutdownGrace, "shutdownGrace");
        return this;
      }

      public Builder maxAudio(Duration maxAudio) {
        this.maxAudio = Objects.requireNonNull(maxAudio, "maxAudio");
        return this;
      }

      public Options build() {
        if (maxAudio.isNegative() || maxAudio.isZero()
            || maxAudio.compareTo(Duration.ofHours(1)) > 0) {
          throw new IllegalArgumentException(
              "maxAudio: must be > 0 and at most 1 h, got " + maxAudio);
        }
        if (port < 0 || port > 65535) {
          throw new IllegalArgumentException("port: must be within [0, 65535], got " + port);
        }
        if (maxBodyBytes < 1 || maxBodyBytes > Integer.MAX_VALUE - 16) {
          throw new IllegalArgumentException("maxBodyBytes: must be >= 1, got " + maxBodyBytes);
        }
        if (threads < 1) {
          throw new IllegalArgumentException("threads: must be >= 1, got " + threads);
        }
        if (queue < 1) {
          throw new IllegalArgumentException("queue: must be >= 1, got " + queue);
        }
        if (shutdownGrace.isNegative()) {
          throw new IllegalArgumentException("shutdownGrace: must be >= 0, got " + shutdownGrace);
        }
        return new Options(this);
      }
    }
  }
}

package io.mersdk.server;

import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * Settings of a {@link MerServer}: address, TLS, token, and every limit. Immutable; {@link
 * Builder#build()} checks the values and names the bad one. Defaults are listed on {@link
 * Builder}; docs/server.md explains each limit and what a client sees when it is hit.
 */
public final class ServerOptions {
  private final InetAddress host;
  private final int port;
  private final Path keyStore;
  private final String keyStorePassword;
  private final String bearerToken;
  private final int maxBodyBytes;
  private final Duration maxAudio;
  private final int httpWorkers;
  private final int httpQueue;
  private final int maxStreams;
  private final int maxMessageBytes;
  private final Duration maxQueuedAudio;
  private final Duration maxUtterance;
  private final Duration idleTimeout;
  private final int maxBatch;
  private final Duration batchWait;
  private final int batchQueue;
  private final int batchWorkers;
  private final Duration shutdownGrace;

  private ServerOptions(Builder b) {
    this.host = b.host;
    this.port = b.port;
    this.keyStore = b.keyStore;
    this.keyStorePassword = b.keyStorePassword;
    this.bearerToken = b.bearerToken;
    this.maxBodyBytes = b.maxBodyBytes;
    this.maxAudio = b.maxAudio;
    this.httpWorkers = b.httpWorkers;
    this.httpQueue = b.httpQueue;
    this.maxStreams = b.maxStreams;
    this.maxMessageBytes = b.maxMessageBytes;
    this.maxQueuedAudio = b.maxQueuedAudio;
    this.maxUtterance = b.maxUtterance;
    this.idleTimeout = b.idleTimeout;
    this.maxBatch = b.maxBatch;
    this.batchWait = b.batchWait;
    this.batchQueue = b.batchQueue;
    this.batchWorkers = b.batchWorkers;
    this.shutdownGrace = b.shutdownGrace;
  }

  public static ServerOptions defaults() {
    return builder().build();
  }

  public static Builder builder() {
    return new Builder();
  }

  public InetAddress host() {
    return host;
  }

  public int port() {
    return port;
  }

  /** The PKCS#12 or JKS key store that turns on TLS (https and wss); empty: plain HTTP. */
  public Optional<Path> keyStore() {
    return Optional.ofNullable(keyStore);
  }

  String keyStorePassword() {
    return keyStorePassword;
  }

  /** Whether requests must carry {@code Authorization: Bearer <token>}. */
  public boolean requiresToken() {
    return bearerToken != null;
  }

  String bearerToken() {
    return bearerToken;
  }

  /** Largest {@code POST /v1/recognize} body, in bytes; larger gets 413. */
  public int maxBodyBytes() {
    return maxBodyBytes;
  }

  /** Longest decoded audio of one POST; longer gets 400 (a small compressed body can decode long). */
  public Duration maxAudio() {
    return maxAudio;
  }

  /** POST requests recognised at once. */
  public int httpWorkers() {
    return httpWorkers;
  }

  /** POST requests that may wait for a worker; more get 503. */
  public int httpQueue() {
    return httpQueue;
  }

  /** Open {@code /v1/stream} connections; one more is refused with HTTP 503 at the upgrade. */
  public int maxStreams() {
    return maxStreams;
  }

  /** Largest WebSocket message (binary or text) in bytes; larger closes with 1009. */
  public int maxMessageBytes() {
    return maxMessageBytes;
  }

  /** Audio of one connection waiting for recognition; more closes the stream with 1013. */
  public Duration maxQueuedAudio() {
    return maxQueuedAudio;
  }

  /**
   * Longest utterance of a stream: longer speech is cut into pieces of at most this (never
   * dropped). {@link MerServer} lowers it to the bundle's ASR window when that is shorter.
   */
  public Duration maxUtterance() {
    return maxUtterance;
  }

  /** A stream that sends nothing for this long is closed (1001, Jetty's idle timeout). */
  public Duration idleTimeout() {
    return idleTimeout;
  }

  /** Most utterances recognised in one batch (across connections and POSTs). */
  public int maxBatch() {
    return maxBatch;
  }

  /** How long the batcher waits for more utterances after the first one of a batch. */
  public Duration batchWait() {
    return batchWait;
  }

  /** Utterances that may wait for the batcher, all connections together; more is overload. */
  public int batchQueue() {
    return batchQueue;
  }

  /** Threads that run batches (each calls {@code recognizeBatch}). */
  public int batchWorkers() {
    return batchWorkers;
  }

  /** How long {@link MerServer#close()} waits for work in flight. */
  public Duration shutdownGrace() {
    return shutdownGrace;
  }

  public Builder toBuilder() {
    Builder b = new Builder();
    b.host = host;
    b.port = port;
    b.keyStore = keyStore;
    b.keyStorePassword = keyStorePassword;
    b.bearerToken = bearerToken;
    b.maxBodyBytes = maxBodyBytes;
    b.maxAudio = maxAudio;
    b.httpWorkers = httpWorkers;
    b.httpQueue = httpQueue;
    b.maxStreams = maxStreams;
    b.maxMessageBytes = maxMessageBytes;
    b.maxQueuedAudio = maxQueuedAudio;
    b.maxUtterance = maxUtterance;
    b.idleTimeout = idleTimeout;
    b.maxBatch = maxBatch;
    b.batchWait = batchWait;
    b.batchQueue = batchQueue;
    b.batchWorkers = batchWorkers;
    b.shutdownGrace = shutdownGrace;
    return b;
  }

  /**
   * Builder with the defaults: loopback, port 8080, no TLS, no token; POST bodies up to 25 MiB and
   * 5 min of audio, 4 POST workers and 16 waiting; 64 streams, 1 MiB messages, 30 s of queued
   * audio per stream, utterances up to 30 s (or the bundle's ASR window), 30 s idle timeout;
   * batches of up to 8 utterances with a 10 ms wait, 256 queued utterances, 1 batch worker; 30 s
   * shutdown grace.
   */
  public static final class Builder {
    private InetAddress host = InetAddress.getLoopbackAddress();
    private int port = 8080;
    private Path keyStore;
    private String keyStorePassword;
    private String bearerToken;
    private int maxBodyBytes = 25 * 1024 * 1024;
    private Duration maxAudio = Duration.ofMinutes(5);
    private int httpWorkers = 4;
    private int httpQueue = 16;
    private int maxStreams = 64;
    private int maxMessageBytes = 1024 * 1024;
    private Duration maxQueuedAudio = Duration.ofSeconds(30);
    private Duration maxUtterance = Duration.ofSeconds(30);
    private Duration idleTimeout = Duration.ofSeconds(30);
    private int maxBatch = 8;
    private Duration batchWait = Duration.ofMillis(10);
    private int batchQueue = 256;
    private int batchWorkers = 1;
    private Duration shutdownGrace = Duration.ofSeconds(30);

    private Builder() {}

    /** Address to listen on; default loopback (0.0.0.0 serves other machines: set a token and TLS). */
    public Builder host(InetAddress host) {
      this.host = Objects.requireNonNull(host, "host");
      return this;
    }

    /** TCP port; 0 picks a free one (see {@link MerServer#uri()}). */
    public Builder port(int port) {
      this.port = port;
      return this;
    }

    /** Serves https/wss with the key store's certificate (PKCS#12 or JKS). */
    public Builder tls(Path keyStore, String password) {
      this.keyStore = Objects.requireNonNull(keyStore, "keyStore");
      this.keyStorePassword = Objects.requireNonNull(password, "password");
      return this;
    }

    /** Requires {@code Authorization: Bearer <token>} (compared in constant time); null: none. */
    public Builder bearerToken(String token) {
      this.bearerToken = token;
      return this;
    }

    public Builder maxBodyBytes(int v) {
      this.maxBodyBytes = v;
      return this;
    }

    public Builder maxAudio(Duration v) {
      this.maxAudio = Objects.requireNonNull(v, "maxAudio");
      return this;
    }

    public Builder httpWorkers(int v) {
      this.httpWorkers = v;
      return this;
    }

    public Builder httpQueue(int v) {
      this.httpQueue = v;
      return this;
    }

    public Builder maxStreams(int v) {
      this.maxStreams = v;
      return this;
    }

    public Builder maxMessageBytes(int v) {
      this.maxMessageBytes = v;
      return this;
    }

    public Builder maxQueuedAudio(Duration v) {
      this.maxQueuedAudio = Objects.requireNonNull(v, "maxQueuedAudio");
      return this;
    }

    public Builder maxUtterance(Duration v) {
      this.maxUtterance = Objects.requireNonNull(v, "maxUtterance");
      return this;
    }

    public Builder idleTimeout(Duration v) {
      this.idleTimeout = Objects.requireNonNull(v, "idleTimeout");
      return this;
    }

    public Builder maxBatch(int v) {
      this.maxBatch = v;
      return this;
    }

    public Builder batchWait(Duration v) {
      this.batchWait = Objects.requireNonNull(v, "batchWait");
      return this;
    }

    public Builder batchQueue(int v) {
      this.batchQueue = v;
      return this;
    }

    public Builder batchWorkers(int v) {
      this.batchWorkers = v;
      return this;
    }

    public Builder shutdownGrace(Duration v) {
      this.shutdownGrace = Objects.requireNonNull(v, "shutdownGrace");
      return this;
    }

    public ServerOptions build() {
      check(port >= 0 && port <= 65535, "port", "must be within [0, 65535]", port);
      check(maxBodyBytes >= 1, "maxBodyBytes", "must be >= 1", maxBodyBytes);
      positive(maxAudio, "maxAudio");
      check(maxAudio.compareTo(Duration.ofHours(1)) <= 0, "maxAudio", "must be at most 1 h",
          maxAudio);
      check(httpWorkers >= 1, "httpWorkers", "must be >= 1", httpWorkers);
      check(httpQueue >= 0, "httpQueue", "must be >= 0", httpQueue);
      check(maxStreams >= 1, "maxStreams", "must be >= 1", maxStreams);
      check(maxMessageBytes >= 1024, "maxMessageBytes", "must be >= 1024", maxMessageBytes);
      positive(maxQueuedAudio, "maxQueuedAudio");
      positive(maxUtterance, "maxUtterance");
      check(maxUtterance.compareTo(Duration.ofSeconds(2)) >= 0, "maxUtterance",
          "must be >= 2 s (the segmenter cuts long speech at a pause in its second half)",
          maxUtterance);
      check(maxQueuedAudio.compareTo(maxUtterance) >= 0, "maxQueuedAudio",
          "must be >= maxUtterance (" + maxUtterance + ") so that one utterance fits",
          maxQueuedAudio);
      positive(idleTimeout, "idleTimeout");
      check(maxBatch >= 1, "maxBatch", "must be >= 1", maxBatch);
      check(!batchWait.isNegative(), "batchWait", "must be >= 0", batchWait);
      check(batchQueue >= 1, "batchQueue", "must be >= 1", batchQueue);
      check(batchWorkers >= 1, "batchWorkers", "must be >= 1", batchWorkers);
      check(!shutdownGrace.isNegative(), "shutdownGrace", "must be >= 0", shutdownGrace);
      if (bearerToken != null) {
        check(!bearerToken.isBlank(), "bearerToken", "must not be blank (null turns it off)",
            "\"\"");
      }
      return new ServerOptions(this);
    }

    private static void positive(Duration d, String name) {
      check(!d.isNegative() && !d.isZero(), name, "must be > 0", d);
    }

    private static void check(boolean ok, String name, String rule, Object value) {
      if (!ok) {
        throw new IllegalArgumentException(name + ": " + rule + ", got " + value);
      }
    }
  }
}

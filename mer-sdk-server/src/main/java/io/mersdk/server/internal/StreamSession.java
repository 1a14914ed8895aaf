package io.mersdk.server.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mersdk.EmotionResult;
import io.mersdk.Utterance;
import io.mersdk.audio.Resampler;
import io.mersdk.audio.SegmenterOptions;
import io.mersdk.audio.SpeechSegment;
import io.mersdk.audio.StreamingSegmenter;
import io.mersdk.json.ResultJson;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayDeque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.api.StatusCode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One {@code /v1/stream} connection, protocol {@value #PROTOCOL} (docs/server.md): a JSON start
 * message, binary audio frames, the text {@code Done}; the server answers {@code ready}, one
 * {@code segment} per utterance in order, {@code done}, or an {@code error} followed by a close.
 *
 * <p>Jetty delivers this connection's messages one at a time; results arrive on batch threads.
 * Both paths meet under the session's lock, which also keeps the events in order.
 */
public final class StreamSession implements Session.Listener.AutoDemanding {
  public static final String PROTOCOL = "mer-stream/1";
  static final int MIN_RATE = 8000;
  static final int MAX_RATE = 192_000;
  private static final Logger LOG = LoggerFactory.getLogger(StreamSession.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  /** What the session needs from its server. */
  public interface Host {
    int modelRate();

    List<String> labels();

    String bundleId();

    SegmenterOptions segmenter(); // maxSegment already fitted to the bundle

    long maxQueuedSamples(); // at the model's rate

    int maxMessageBytes();

    Tokens tokens();

    BatchQueue batches();

    /** Registers an open stream; false if that makes one more than the limit allows. */
    boolean opened(StreamSession s);

    void closed(StreamSession s);
  }

  private enum Phase { AWAIT_START, STREAMING, FINISHING, CLOSED }

  private static final class Pending {
    final SpeechSegment segment;
    final int modelSamples;
    EmotionResult result;

    Pending(SpeechSegment segment, int modelSamples) {
      this.segment = segment;
      this.modelSamples = modelSamples;
    }
  }

  private final Host host;
  private final boolean authorized;
  private final ArrayDeque<Pending> pending = new ArrayDeque<>();
  private Session session;
  private Phase phase = Phase.AWAIT_START;
  private boolean int16;
  private int clientRate;
  private Resampler resampler;
  private StreamingSegmenter cutter;
  private long lastCut; // end of the last finished segment, at the client's rate
  private long queuedSamples;
  private long receivedSamples;
  private int segments;
  private int noSpeech;
  private int failed;

  /** @param authorized whether the upgrade request already carried the token */
  public StreamSession(Host host, boolean authorized) {
    this.host = host;
    this.authorized = authorized;
  }

  @Override
  public void onWebSocketOpen(Session s) {
    synchronized (this) {
      this.session = s;
    }
    if (!host.opened(this)) {
      // upgrades that arrived together all passed the check at the upgrade; the last ones go
      synchronized (this) {
        error("overloaded", StatusCode.TRY_AGAIN_LATER, "all streams are taken; retry later");
      }
      return;
    }
    LOG.debug("stream opened from {}", s.getRemoteSocketAddress());
  }

  @Override
  public void onWebSocketText(String text) {
    synchronized (this) {
      switch (phase) {
        case AWAIT_START -> start(text);
        case STREAMING -> {
          if (text.strip().equals("Done")) {
            finishStream();
          } else {
            error("protocol", StatusCode.POLICY_VIOLATION,
                "expected binary audio or the text Done, got a text message of " + text.length()
                    + " characters");
          }
        }
        case FINISHING -> error("protocol", StatusCode.POLICY_VIOLATION,
            "nothing may follow Done");
        case CLOSED -> { }
      }
    }
  }

  @Override
  public void onWebSocketBinary(ByteBuffer payload, Callback callback) {
    synchronized (this) {
      try {
        if (phase == Phase.AWAIT_START) {
          error("protocol", StatusCode.POLICY_VIOLATION,
              "binary audio before the start message; send {\"type\":\"start\",\"protocol\":\""
                  + PROTOCOL + "\",\"sample_rate\":16000,\"format\":\"float32\"} first");
        } else if (phase == Phase.FINISHING) {
          error("protocol", StatusCode.POLICY_VIOLATION, "audio after Done");
        } else if (phase == Phase.STREAMING) {
          audio(payload);
        }
      } finally {
        callback.succeed();
      }
    }
  }

  @Override
  public void onWebSocketError(Throwable cause) {
    LOG.debug("stream error: {}", cause.toString());
  }

  @Override
  public void onWebSocketClose(int statusCode, String reason) {
    boolean wasOpen;
    synchronized (this) {
      wasOpen = session != null;
      phase = Phase.CLOSED;
      pending.clear();
      queuedSamples = 0;
      cutter = null;
    }
    if (wasOpen) {
      host.closed(this);
    }
    LOG.debug("stream closed: {} {}", statusCode, reason);
  }

  /** Closes with 1001 and a {@code shutdown} error event (server stopping). */
  public synchronized void shutdown() {
    error("shutdown", StatusCode.SHUTDOWN, "server is shutting down");
  }

  /**
   * Samples this connection holds, at most: those waiting for recognition and everything since
   * the last finished utterance (the segmenter keeps no more than that, and usually less).
   */
  public synchronized long heldSamples() {
    return queuedSamples + (cutter == null ? 0 : receivedSamples - lastCut);
  }

  // ---- under the lock ---------------------------------------------------------------------

  private void start(String text) {
    JsonNode m;
    try {
      m = JSON.readTree(text);
    } catch (JsonProcessingException e) {
      error("protocol", StatusCode.POLICY_VIOLATION, "the start message is not JSON: "
          + e.getOriginalMessage());
      return;
    }
    if (m == null || !m.isObject() || !"start".equals(m.path("type").asText())) {
      error("protocol", StatusCode.POLICY_VIOLATION,
          "the first message must be a JSON object with \"type\": \"start\"");
      return;
    }
    if (!authorized && host.tokens().required() && !host.tokens().accepts(
        m.path("token").isTextual() ? m.get("token").asText() : null)) {
      error("unauthorized", StatusCode.POLICY_VIOLATION,
          "a bearer token is required (Authorization header or \"token\" in the start message)");
      return;
    }
    if (m.has("protocol") && !PROTOCOL.equals(m.get("protocol").asText())) {
      error("protocol", StatusCode.POLICY_VIOLATION, "protocol " + m.get("protocol")
          + " is not served; this server speaks " + PROTOCOL);
      return;
    }
    JsonNode rate = m.path("sample_rate");
    if (!rate.canConvertToInt() || !rate.isIntegralNumber() || rate.asInt() < MIN_RATE
        || rate.asInt() > MAX_RATE) {
      error("protocol", StatusCode.POLICY_VIOLATION, "sample_rate: must be an integer within ["
          + MIN_RATE + ", " + MAX_RATE + "] Hz, got " + rate);
      return;
    }
    String format = m.path("format").asText("float32");
    if (!format.equals("float32") && !format.equals("int16")) {
      error("protocol", StatusCode.POLICY_VIOLATION,
          "format: must be \"float32\" or \"int16\" (little-endian mono), got " + m.get("format"));
      return;
    }
    int16 = format.equals("int16");
    clientRate = rate.asInt();
    resampler = Resampler.of(clientRate, host.modelRate());
    // segmented at the client's rate (as MicrophoneSource does); each utterance is resampled whole
    cutter = StreamingSegmenter.of(host.segmenter(), clientRate);
    phase = Phase.STREAMING;
    Map<String, Object> ready = event("ready");
    ready.put("protocol", PROTOCOL);
    ready.put("bundle_id", host.bundleId());
    ready.put("labels", host.labels());
    ready.put("sample_rate", clientRate);
    Map<String, Object> limits = new LinkedHashMap<>();
    limits.put("max_message_bytes", host.maxMessageBytes());
    limits.put("max_queued_seconds", host.maxQueuedSamples() / (double) host.modelRate());
    limits.put("max_utterance_seconds", host.segmenter().maxSegment().toNanos() / 1e9);
    ready.put("limits", limits);
    send(ready);
  }

  private void audio(ByteBuffer payload) {
    int width = int16 ? 2 : 4;
    int bytes = payload.remaining();
    if (bytes % width != 0) {
      error("bad_frame", StatusCode.BAD_PAYLOAD, "a binary message of " + bytes
          + " bytes is not a whole number of " + (int16 ? "int16" : "float32") + " samples");
      return;
    }
    ByteBuffer b = payload.slice().order(ByteOrder.LITTLE_ENDIAN);
    float[] x = new float[bytes / width];
    for (int i = 0; i < x.length; i++) {
      float v = int16 ? b.getShort(2 * i) / 32768f : b.getFloat(4 * i);
      if (!Float.isFinite(v)) {
        error("bad_frame", StatusCode.BAD_PAYLOAD, "sample " + (receivedSamples + i)
            + " of the stream is " + v + "; audio must be finite");
        return;
      }
      x[i] = Math.max(-1f, Math.min(1f, v));
    }
    receivedSamples += x.length;
    submit(cutter.accept(x, 0, x.length));
  }

  private void finishStream() {
    phase = Phase.FINISHING;
    submit(cutter.finish());
    flush();
  }

  private void submit(List<SpeechSegment> cut) {
    for (SpeechSegment s : cut) {
      if (phase == Phase.CLOSED) {
        return;
      }
      lastCut = s.endSample();
      float[] samples = resampler.process(s.samples());
      for (int i = 0; i < samples.length; i++) { // the filter's ripple may pass 1 a little
        samples[i] = Math.max(-1f, Math.min(1f, samples[i]));
      }
      if (queuedSamples + samples.length > host.maxQueuedSamples()) {
        error("overloaded", StatusCode.TRY_AGAIN_LATER, "more than "
            + host.maxQueuedSamples() / (double) host.modelRate()
            + " s of this stream's audio wait for recognition; send at most real time");
        return;
      }
      Pending p = new Pending(s, samples.length);
      boolean queued = host.batches().offer(new BatchQueue.Job(Utterance.of(samples),
          r -> result(p, r), e -> batchFailed(e), this::wanted));
      if (!queued) {
        error("overloaded", StatusCode.TRY_AGAIN_LATER,
            "the server's recognition queue is full; try again later");
        return;
      }
      pending.add(p);
      queuedSamples += samples.length;
    }
  }

  private synchronized boolean wanted() {
    return phase != Phase.CLOSED;
  }

  private synchronized void result(Pending p, EmotionResult r) {
    if (phase == Phase.CLOSED) {
      return;
    }
    p.result = r;
    flush();
  }

  private synchronized void batchFailed(RuntimeException e) {
    if (e instanceof IllegalStateException) {
      error("shutdown", StatusCode.SHUTDOWN, "server is shutting down");
    } else {
      LOG.warn("stream recognition failed: {}", e.toString());
      error("internal", StatusCode.SERVER_ERROR, "recognition failed: " + e.getMessage());
    }
  }

  /** Sends the finished results at the head of the queue, in order; then done if it is time. */
  private void flush() {
    while (!pending.isEmpty() && pending.peek().result != null && phase != Phase.CLOSED) {
      Pending p = pending.poll();
      queuedSamples -= p.modelSamples;
      EmotionResult r = p.result;
      if (r.isNoSpeech()) {
        noSpeech++; // no segment for what is not speech (as Timeline does)
        continue;
      }
      if (r.isFailed()) {
        failed++;
      }
      ObjectNode e = JSON.createObjectNode();
      e.put("type", "segment");
      e.put("index", segments++);
      e.put("start", p.segment.startSample() / (double) clientRate);
      e.put("end", p.segment.endSample() / (double) clientRate);
      e.setAll(ResultJson.toTree(r)); // the SDK's one result JSON, flattened into the event
      send(e);
    }
    if (phase == Phase.FINISHING && pending.isEmpty()) {
      Map<String, Object> d = event("done");
      d.put("segments", segments);
      d.put("no_speech", noSpeech);
      d.put("failed", failed);
      d.put("audio_seconds", receivedSamples / (double) clientRate);
      send(d);
      close(StatusCode.NORMAL, "done");
    }
  }

  private void error(String code, int status, String message) {
    if (phase == Phase.CLOSED || session == null) {
      return;
    }
    LOG.debug("stream error {}: {}", code, message);
    Map<String, Object> e = event("error");
    e.put("code", code);
    e.put("message", message);
    send(e);
    close(status, code);
  }

  private void close(int status, String reason) {
    phase = Phase.CLOSED;
    pending.clear();
    queuedSamples = 0;
    session.close(status, reason, Callback.NOOP);
  }

  private void send(Object event) {
    String text;
    try {
      text = JSON.writeValueAsString(event);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("event not serialisable: " + e.getMessage(), e);
    }
    session.sendText(text, Callback.NOOP);
  }

  private static Map<String, Object> event(String type) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("type", type);
    return m;
  }
}

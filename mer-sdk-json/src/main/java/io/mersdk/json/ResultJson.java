package io.mersdk.json;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mersdk.AudioException;
import io.mersdk.BundleException;
import io.mersdk.Device;
import io.mersdk.DeviceUnavailableException;
import io.mersdk.EmotionResult;
import io.mersdk.InferenceException;
import io.mersdk.MerException;
import io.mersdk.Outcome;
import io.mersdk.SpeechDecision;
import io.mersdk.StageTimings;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The one JSON form of an {@link EmotionResult} and of an error, for every front end (the CLI's
 * {@code --format jsonl}, the HTTP server, Spark, Spring), so that a client reads them all the
 * same way. Stateless and thread-safe.
 *
 * <pre>{@code
 * {"outcome": "emotion",                      // "emotion" | "no_speech" | "failed"
 *  "label": "happy", "confidence": 0.91,      // these five only for "emotion"
 *  "probabilities": {"neutral": 0.05, "happy": 0.91, ...},   // in the bundle's label order
 *  "transcript": "...", "transcript_supplied": false,
 *  "speech": {"speech": true, "basis": "model",  // acoustic_gate | model | acoustic_gate_only | not_checked
 *             "speech_seconds": 2.4, "no_speech_prob": 0.01, "avg_logprob": -0.2,
 *             "compression_ratio": 1.1},      // each evidence field only when it was computed
 *  "error": {"type": "AudioException", "message": "..."},    // only for "failed"
 *  "timings_ms": {"speech_gate": 0.4, "features": 3.1, "asr_encode": 80.2, "asr_decode": 40.0,
 *                 "speech_encoder": 60.3, "text_encoder": 5.2, "head": 1.0, "total": 190.1},
 *  "device": "cpu", "bundle_id": "demo"}
 * }</pre>
 *
 * <p>An error outside any result (a bad request, a bundle that cannot be loaded) is {@code
 * {"error": {"type": ..., "message": ...}}} ({@link #error}). The transcript is personal data: a
 * front end that logs these objects should log them at DEBUG only.
 */
public final class ResultJson {
  private static final ObjectMapper JSON = new ObjectMapper();

  private ResultJson() {}

  /** The JSON object of a result, fields in the order of the class comment. */
  public static ObjectNode toTree(EmotionResult r) {
    ObjectNode o = JSON.createObjectNode();
    o.put("outcome", name(r.outcome()));
    if (r.isEmotion()) {
      o.put("label", r.label());
      o.put("confidence", r.confidence());
      ObjectNode p = o.putObject("probabilities");
      r.probabilities().forEach(p::put);
      o.put("transcript", r.transcript());
      o.put("transcript_supplied", r.transcriptSupplied());
    }
    o.set("speech", speech(r.speech()));
    r.failure().ifPresent(e -> o.set("error", errorBody(e)));
    ObjectNode t = o.putObject("timings_ms");
    timingsMillis(r.timings()).forEach(t::put);
    o.put("device", r.device().toString());
    o.put("bundle_id", r.bundleId());
    return o;
  }

  /** {@link #toTree} as one line of JSON (a JSON Lines record without the newline). */
  public static String toJson(EmotionResult r) {
    return write(toTree(r));
  }

  /** {@code {"error": {"type": <simple class name>, "message": <message>}}}. */
  public static ObjectNode error(Throwable e) {
    ObjectNode o = JSON.createObjectNode();
    o.set("error", errorBody(e));
    return o;
  }

  /**
   * {@code {"error": {"type": type, "message": message}}} for an error that is no exception, e.g. a
   * front end's {@code NotFound} or {@code PayloadTooLarge}.
   */
  public static ObjectNode error(String type, String message) {
    ObjectNode o = JSON.createObjectNode();
    o.putObject("error").put("type", type).put("message", message);
    return o;
  }

  /** {@link #error} as one line of JSON. */
  public static String errorJson(Throwable e) {
    return write(error(e));
  }

  /**
   * Every stage of {@link StageTimings} by its snake_case key, in data-flow order, in
   * milliseconds (the {@code timings_ms} object; also the column names of CSV and tables).
   */
  public static Map<String, Double> timingsMillis(StageTimings t) {
    Map<String, Double> out = new LinkedHashMap<>();
    t.byKey().forEach((k, d) -> out.put(k, millis(d)));
    return out;
  }

  /** The JSON name of an outcome: {@code emotion}, {@code no_speech}, {@code failed}. */
  public static String name(Outcome o) {
    return o.name().toLowerCase(Locale.ROOT);
  }

  /** The JSON name of a basis: {@code acoustic_gate}, {@code model}, ... */
  public static String name(SpeechDecision.Basis b) {
    return b.name().toLowerCase(Locale.ROOT);
  }

  /**
   * Reads a result written by {@link #toTree} back (for clients and tests). Timings are restored
   * to the nanosecond the milliseconds carry; a failure becomes the typed exception its {@code
   * type} names (AudioException, BundleException, InferenceException, DeviceUnavailableException,
   * otherwise MerException) with the message, without the original stack trace or cause.
   *
   * @throws IllegalArgumentException if the JSON is not a result of this shape, naming the field
   */
  public static EmotionResult read(String json) {
    try {
      return read(JSON.readTree(json));
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("not JSON: " + e.getOriginalMessage(), e);
    }
  }

  /** {@link #read(String)} on a parsed tree. */
  public static EmotionResult read(JsonNode o) {
    if (o == null || !o.isObject()) {
      throw new IllegalArgumentException("a result must be a JSON object");
    }
    String outcome = text(o, "outcome");
    EmotionResult.Builder b;
    switch (outcome) {
      case "emotion" -> {
        Map<String, Double> p = new LinkedHashMap<>();
        JsonNode probs = field(o, "probabilities");
        for (Map.Entry<String, JsonNode> e : probs.properties()) {
          p.put(e.getKey(), e.getValue().asDouble());
        }
        b = EmotionResult.emotion(p).transcript(text(o, "transcript"),
            field(o, "transcript_supplied").asBoolean());
        b.speech(readSpeech(field(o, "speech")));
      }
      case "no_speech" -> b = EmotionResult.noSpeech(readSpeech(field(o, "speech")));
      case "failed" -> {
        JsonNode e = field(o, "error");
        b = EmotionResult.failed(exception(text(e, "type"), text(e, "message")));
        b.speech(readSpeech(field(o, "speech")));
      }
      default -> throw new IllegalArgumentException(
          "outcome: must be emotion, no_speech or failed, got " + outcome);
    }
    StageTimings.Builder t = StageTimings.builder();
    JsonNode times = field(o, "timings_ms");
    for (StageTimings.Stage s : StageTimings.Stage.values()) {
      if (times.has(s.key())) {
        t.set(s, Duration.ofNanos(Math.round(times.get(s.key()).asDouble() * 1e6)));
      }
    }
    return b.timings(t.build()).device(Device.parse(text(o, "device")))
        .bundleId(text(o, "bundle_id")).build();
  }

  private static ObjectNode speech(SpeechDecision d) {
    ObjectNode s = JSON.createObjectNode();
    s.put("speech", d.isSpeech());
    s.put("basis", name(d.basis()));
    d.speechDuration().ifPresent(x -> s.put("speech_seconds", x.toNanos() / 1e9));
    d.noSpeechProbability().ifPresent(x -> s.put("no_speech_prob", x));
    d.avgLogProbability().ifPresent(x -> s.put("avg_logprob", x));
    d.compressionRatio().ifPresent(x -> s.put("compression_ratio", x));
    return s;
  }

  private static SpeechDecision readSpeech(JsonNode s) {
    String basis = text(s, "basis");
    SpeechDecision.Basis parsed;
    try {
      parsed = SpeechDecision.Basis.valueOf(basis.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("speech.basis: unknown basis " + basis, e);
    }
    SpeechDecision.Builder d = SpeechDecision.builder(field(s, "speech").asBoolean(), parsed);
    if (s.has("speech_seconds")) {
      d.speechDuration(Duration.ofNanos(Math.round(s.get("speech_seconds").asDouble() * 1e9)));
    }
    if (s.has("no_speech_prob")) {
      d.noSpeechProbability(s.get("no_speech_prob").asDouble());
    }
    if (s.has("avg_logprob")) {
      d.avgLogProbability(s.get("avg_logprob").asDouble());
    }
    if (s.has("compression_ratio")) {
      d.compressionRatio(s.get("compression_ratio").asDouble());
    }
    return d.build();
  }

  private static ObjectNode errorBody(Throwable e) {
    ObjectNode o = JSON.createObjectNode();
    o.put("type", e.getClass().getSimpleName());
    o.put("message", e.getMessage() == null ? "" : e.getMessage());
    return o;
  }

  private static MerException exception(String type, String message) {
    return switch (type) {
      case "AudioException" -> new AudioException(message);
      case "BundleException" -> new BundleException(message);
      case "InferenceException" -> new InferenceException(message);
      case "DeviceUnavailableException" -> new DeviceUnavailableException(message);
      default -> new MerException(message);
    };
  }

  private static JsonNode field(JsonNode o, String name) {
    JsonNode v = o.get(name);
    if (v == null || v.isNull()) {
      throw new IllegalArgumentException("field " + name + " is missing");
    }
    return v;
  }

  private static String text(JsonNode o, String name) {
    JsonNode v = field(o, name);
    if (!v.isTextual()) {
      throw new IllegalArgumentException("field " + name + " must be a string, got " + v);
    }
    return v.asText();
  }

  private static double millis(Duration d) {
    return d.toNanos() / 1e6;
  }

  private static String write(JsonNode o) {
    try {
      return JSON.writeValueAsString(o);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a tree of strings and numbers always serialises", e);
    }
  }
}

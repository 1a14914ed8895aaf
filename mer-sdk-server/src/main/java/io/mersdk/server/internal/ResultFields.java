package io.mersdk.server.internal;

import io.mersdk.EmotionResult;
import io.mersdk.SpeechDecision;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The result JSON of api-contract.md, as a map for Jackson. TEMPORARY: the one public codec is
 * {@code io.mersdk.json.ResultJson} (module mer-sdk-json, branch java11); once it is merged this
 * class delegates to it and then goes away. Nothing else in this module builds result JSON.
 */
public final class ResultFields {
  private ResultFields() {}

  public static Map<String, Object> of(EmotionResult r) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("outcome", r.outcome().name().toLowerCase(java.util.Locale.ROOT));
    if (r.isEmotion()) {
      m.put("label", r.label());
      m.put("confidence", r.confidence());
      m.put("probabilities", r.probabilities());
      m.put("transcript", r.transcript());
      m.put("transcript_supplied", r.transcriptSupplied());
    }
    SpeechDecision d = r.speech();
    Map<String, Object> s = new LinkedHashMap<>();
    s.put("speech", d.isSpeech());
    s.put("basis", d.basis().name().toLowerCase(java.util.Locale.ROOT));
    d.speechDuration().ifPresent(v -> s.put("speech_seconds", v.toNanos() / 1e9));
    d.noSpeechProbability().ifPresent(v -> s.put("no_speech_prob", v));
    d.avgLogProbability().ifPresent(v -> s.put("avg_logprob", v));
    d.compressionRatio().ifPresent(v -> s.put("compression_ratio", v));
    m.put("speech", s);
    if (r.isFailed()) {
      Map<String, Object> e = new LinkedHashMap<>();
      e.put("type", r.error().getClass().getSimpleName());
      e.put("message", r.error().getMessage());
      m.put("error", e);
    }
    Map<String, Double> t = new LinkedHashMap<>();
    for (Map.Entry<String, Duration> e : r.timings().byKey().entrySet()) {
      t.put(e.getKey(), e.getValue().toNanos() / 1e6);
    }
    m.put("timings_ms", t);
    m.put("device", r.device().toString());
    m.put("bundle_id", r.bundleId());
    return m;
  }
}

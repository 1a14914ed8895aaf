package io.mersdk.examples;

import io.mersdk.EmotionResult;
import io.mersdk.StageTimings;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * One JSON shape for a result, shared by {@code recognize --format jsonl} and the HTTP server so
 * a client reads both the same way.
 */
final class ResultJson {
  /** A stage of {@link StageTimings}, named as in the JSON, CSV and table outputs. */
  record Stage(String name, Function<StageTimings, Duration> time) {}

  static final List<Stage> STAGES = List.of(
      new Stage("features", StageTimings::features),
      new Stage("asr_encode", StageTimings::asrEncode),
      new Stage("asr_decode", StageTimings::asrDecode),
      new Stage("wavlm", StageTimings::wavlm),
      new Stage("roberta", StageTimings::roberta),
      new Stage("head", StageTimings::head),
      new Stage("total", StageTimings::total));

  private ResultJson() {}

  /** label, confidence, probabilities (bundle label order), transcript, timings_ms, device, bundle_id. */
  static Map<String, Object> of(EmotionResult r) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("label", r.label());
    m.put("confidence", r.confidence());
    m.put("probabilities", r.probabilities());
    m.put("transcript", r.transcript());
    m.put("transcript_supplied", r.transcriptSupplied());
    Map<String, Double> timings = new LinkedHashMap<>();
    for (Stage s : STAGES) {
      timings.put(s.name(), millis(s.time().apply(r.timings())));
    }
    m.put("timings_ms", timings);
    m.put("device", r.device());
    m.put("bundle_id", r.bundleId());
    return m;
  }

  static double millis(Duration d) {
    return d.toNanos() / 1e6;
  }

  static double seconds(Duration d) {
    return d.toNanos() / 1e9;
  }
}

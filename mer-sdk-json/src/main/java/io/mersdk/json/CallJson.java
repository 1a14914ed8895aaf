package io.mersdk.json;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mersdk.audio.CallResult;
import io.mersdk.audio.CallSummary;
import io.mersdk.audio.CallSummary.PartySummary;
import io.mersdk.audio.CallSummary.Stretch;
import io.mersdk.audio.Party;
import io.mersdk.audio.PartySegment;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalDouble;

/**
 * The JSON form of a call ({@link CallResult}, from {@code CallTimeline}) and of its {@link
 * CallSummary}, for every front end (the CLI's {@code --format jsonl} rows carry {@code party}
 * and {@code channel}; the HTTP server answers a stereo POST with {@link #toTree}). Results inside
 * are {@link ResultJson}'s form. Needs mer-sdk-audio on the class path (an optional dependency of
 * this module). Stateless and thread-safe. Times are seconds; docs/calls.md defines each figure.
 *
 * <pre>{@code
 * {"duration_s": 95.2,
 *  "parties": [{"channel": 0, "name": "agent"}, {"channel": 1, "name": "customer"}],
 *  "segments": [{"party": "agent", "channel": 0, "start_s": 0.4, "end_s": 3.1,
 *                "result": {...ResultJson...}}, ...],          // by start, then channel
 *  "summary": {"negative_labels": ["angry"], "trend_window_s": 30.0, "min_gap_s": 5.0,
 *    "talk_over_s": 2.1, "silence_s": 6.0, "gaps": [{"start_s": 40.2, "end_s": 46.2}],
 *    "last_speaker": "agent",                                  // null when nobody speaks
 *    "parties": [{"channel": 0, "name": "agent", "speech_s": 41.0,
 *      "time_per_label_s": {"neutral": 30.2, ...}, "share_per_label": {"neutral": 0.74, ...},
 *      "longest_stretch": {"neutral": {"start_s": .., "end_s": .., "speech_s": .., "segments": 3}},
 *      "first_negative": {"start_s": 12.0, "end_s": 14.1, "label": "angry"},   // or null
 *      "trend": {"window_s": 20.5, "start": 0.12, "end": 0.31, "change": 0.19,
 *                "direction": "worse"}}, ...]}}                // start/end/change null if unknown
 * }</pre>
 */
public final class CallJson {
  private static final ObjectMapper JSON = new ObjectMapper();

  private CallJson() {}

  /** The call and, if not null, its summary. */
  public static ObjectNode toTree(CallResult call, CallSummary summary) {
    Objects.requireNonNull(call, "call");
    ObjectNode o = JSON.createObjectNode();
    o.put("duration_s", seconds(call.duration()));
    ArrayNode parties = o.putArray("parties");
    for (Party p : call.parties()) {
      party(parties.addObject(), p);
    }
    ArrayNode segments = o.putArray("segments");
    for (PartySegment s : call.segments()) {
      ObjectNode n = segments.addObject();
      n.put("party", s.party().name());
      n.put("channel", s.party().channel());
      n.put("start_s", seconds(s.start()));
      n.put("end_s", seconds(s.end()));
      n.set("result", ResultJson.toTree(s.result()));
    }
    if (summary != null) {
      o.set("summary", summary(summary));
    }
    return o;
  }

  public static String toJson(CallResult call, CallSummary summary) {
    return toTree(call, summary).toString();
  }

  /** The summary alone. */
  public static ObjectNode summary(CallSummary s) {
    ObjectNode o = JSON.createObjectNode();
    ArrayNode neg = o.putArray("negative_labels");
    s.negativeLabels().forEach(neg::add);
    o.put("trend_window_s", seconds(s.trendWindow()));
    o.put("min_gap_s", seconds(s.minGap()));
    o.put("talk_over_s", seconds(s.talkOver()));
    o.put("silence_s", seconds(s.silence()));
    ArrayNode gaps = o.putArray("gaps");
    for (CallSummary.Gap g : s.gaps()) {
      gaps.addObject().put("start_s", seconds(g.start())).put("end_s", seconds(g.end()));
    }
    if (s.lastSpeaker().isPresent()) {
      o.put("last_speaker", s.lastSpeaker().get().name());
    } else {
      o.putNull("last_speaker");
    }
    ArrayNode parties = o.putArray("parties");
    for (PartySummary p : s.parties()) {
      ObjectNode n = parties.addObject();
      party(n, p.party());
      n.put("speech_s", seconds(p.speech()));
      ObjectNode time = n.putObject("time_per_label_s");
      p.timePerLabel().forEach((l, d) -> time.put(l, seconds(d)));
      ObjectNode share = n.putObject("share_per_label");
      p.sharePerLabel().forEach(share::put);
      ObjectNode longest = n.putObject("longest_stretch");
      for (Map.Entry<String, Stretch> e : p.longestStretch().entrySet()) {
        Stretch st = e.getValue();
        longest.putObject(e.getKey()).put("start_s", seconds(st.start()))
            .put("end_s", seconds(st.end())).put("speech_s", seconds(st.speech()))
            .put("segments", st.segments());
      }
      if (p.firstNegative().isPresent()) {
        PartySegment f = p.firstNegative().get();
        n.putObject("first_negative").put("start_s", seconds(f.start()))
            .put("end_s", seconds(f.end())).put("label", f.result().label());
      } else {
        n.putNull("first_negative");
      }
      CallSummary.Trend t = p.trend();
      ObjectNode tn = n.putObject("trend");
      tn.put("window_s", seconds(t.window()));
      put(tn, "start", t.start());
      put(tn, "end", t.end());
      put(tn, "change", t.change());
      tn.put("direction", t.direction().name().toLowerCase(java.util.Locale.ROOT));
    }
    return o;
  }

  private static void party(ObjectNode n, Party p) {
    n.put("channel", p.channel());
    n.put("name", p.name());
  }

  private static void put(ObjectNode n, String name, OptionalDouble v) {
    if (v.isPresent()) {
      n.put(name, v.getAsDouble());
    } else {
      n.putNull(name);
    }
  }

  static double seconds(Duration d) {
    return d.toNanos() / 1e9;
  }
}

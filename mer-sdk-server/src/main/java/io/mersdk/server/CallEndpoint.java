package io.mersdk.server;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mersdk.AudioException;
import io.mersdk.EmotionRecognizer;
import io.mersdk.audio.AudioSources;
import io.mersdk.audio.CallResult;
import io.mersdk.audio.CallSummarizer;
import io.mersdk.audio.CallTimeline;
import io.mersdk.audio.DecodeOptions;
import io.mersdk.json.CallJson;
import io.mersdk.json.ResultJson;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.eclipse.jetty.util.Fields;

/**
 * {@code POST /v1/recognize?channels=split}: the body is a call whose channels are its parties
 * (docs/calls.md). Query parameters: {@code parties=agent,customer} (names in channel order),
 * {@code negative=angry,sad} (the bundle's labels that count as negative), {@code
 * trend_window_s}, {@code min_gap_s}. The answer is {@link CallJson#toTree}: every party's
 * segments and the call summary. Runs in the HTTP worker that took the request (bounded by
 * {@code httpWorkers}/{@code httpQueue}), calling the recogniser in batches of its own.
 */
final class CallEndpoint {
  /** The answer: an HTTP status and a JSON body. */
  record Answer(int status, ObjectNode body) {}

  private final EmotionRecognizer recognizer;
  private final DecodeOptions decode;

  CallEndpoint(EmotionRecognizer recognizer, DecodeOptions decode) {
    this.recognizer = recognizer;
    this.decode = decode;
  }

  /** Whether the query asks for parties; throws for a {@code channels} value it does not know. */
  static boolean wanted(Fields query) {
    String channels = query.getValue("channels");
    if (channels == null || channels.equals("mix")) {
      return false;
    }
    if (channels.equals("split")) {
      return true;
    }
    throw new IllegalArgumentException("channels: must be mix or split, got '" + channels + "'");
  }

  Answer run(byte[] body, Fields query) {
    CallTimeline timeline;
    CallSummarizer summarizer;
    try {
      CallTimeline.Builder b = CallTimeline.builder(recognizer);
      List<String> parties = list(query.getValue("parties"));
      if (parties != null) {
        b.parties(parties);
      }
      timeline = b.build();
      List<String> negative = list(query.getValue("negative"));
      CallSummarizer.Builder s = CallSummarizer.builder(recognizer.labels())
          .negativeLabels(negative == null ? List.of() : negative);
      Duration window = seconds(query, "trend_window_s");
      if (window != null) {
        s.trendWindow(window);
      }
      Duration gap = seconds(query, "min_gap_s");
      if (gap != null) {
        s.minGap(gap);
      }
      summarizer = s.build();
    } catch (IllegalArgumentException e) {
      return new Answer(400, ResultJson.error("BadRequest", e.getMessage()));
    }
    try {
      CallResult call = timeline.run(AudioSources.channels(body, "request body", decode));
      return new Answer(200, CallJson.toTree(call, summarizer.summarize(call)));
    } catch (AudioException e) {
      return new Answer(400, ResultJson.error(e));
    }
  }

  private static List<String> list(String value) {
    return value == null ? null : Arrays.stream(value.split(",", -1)).map(String::strip).toList();
  }

  private static Duration seconds(Fields query, String name) {
    String v = query.getValue(name);
    if (v == null) {
      return null;
    }
    try {
      double s = Double.parseDouble(v);
      if (!Double.isFinite(s) || Math.abs(s) > 1e6) {
        throw new NumberFormatException();
      }
      return Duration.ofNanos(Math.round(s * 1e9));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(name + ": must be a number of seconds, got '" + v + "'");
    }
  }
}

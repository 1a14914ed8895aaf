package io.mersdk.server;

import static io.mersdk.server.CallReport.esc;
import static io.mersdk.server.CallReport.fmt;
import static io.mersdk.server.CallReport.pct;

import io.mersdk.EmotionResult;
import io.mersdk.audio.CallResult;
import io.mersdk.audio.CallSummary;
import io.mersdk.audio.CallSummary.PartySummary;
import io.mersdk.audio.CallSummary.Stretch;
import io.mersdk.audio.Party;
import io.mersdk.audio.PartySegment;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * The self-contained HTML report of a call with its parties apart (the output of {@code mer report
 * --channels split}): the call summary at the top (per party: speech, share of time per label,
 * longest stretch per label, first negative segment, trend; between parties: talk-over, silence
 * gaps, who spoke last), then one timeline lane per party, all on the same time axis (0 to the
 * call's length), then every utterance with its party. Like {@link CallReport} it loads nothing.
 *
 * <pre>{@code
 * CallResult call = CallTimeline.builder(recognizer).build().run(AudioSources.channels(path));
 * CallSummary summary = CallSummarizer.builder(recognizer.labels()).build().summarize(call);
 * String html = PartyCallReport.render("call.wav", recognizer.labels(), call, summary);
 * }</pre>
 */
public final class PartyCallReport {
  private PartyCallReport() {}

  /**
   * @param title what the recording is (a file name), shown as the heading
   * @param labels the bundle's labels, in order
   */
  public static String render(String title, List<String> labels, CallResult call,
      CallSummary summary) {
    Objects.requireNonNull(title, "title");
    Objects.requireNonNull(labels, "labels");
    Objects.requireNonNull(call, "call");
    Objects.requireNonNull(summary, "summary");
    double total = seconds(call.duration());
    List<Map<String, Object>> lanes = new ArrayList<>();
    for (Party p : call.parties()) {
      List<Map<String, Object>> data = new ArrayList<>();
      for (PartySegment s : call.segments()) {
        if (!s.party().equals(p)) {
          continue;
        }
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("start", seconds(s.start()));
        d.put("end", seconds(s.end()));
        d.put("outcome", s.result().outcome().name().toLowerCase(Locale.ROOT));
        if (s.result().isEmotion()) {
          d.put("probabilities", s.result().probabilities());
        }
        data.add(d);
      }
      Map<String, Object> lane = new LinkedHashMap<>();
      lane.put("party", p.name());
      lane.put("labels", labels);
      lane.put("duration", total); // one axis for every lane
      lane.put("segments", data);
      lanes.add(lane);
    }

    StringBuilder h = new StringBuilder(32 * 1024);
    h.append("<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
        .append("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none';")
        .append(" style-src 'unsafe-inline'; script-src 'unsafe-inline'\">\n")
        .append("<title>Call report: ").append(esc(title)).append("</title>\n<style>\n")
        .append(CallReport.asset("style.css"))
        .append(".lane h3{margin:.6em 0 0}.summary td,.summary th{padding:2px 10px;"
            + "text-align:left}.worse{color:#b3261e}.better{color:#1b7f3b}</style>\n")
        .append("</head>\n<body>\n<header>\n<h1>Call report: ").append(esc(title))
        .append("</h1>\n<p class=\"muted\">").append(esc(fmt(total))).append(" · ")
        .append(call.parties().size()).append(" parties · ")
        .append(call.segments().stream().filter(s -> !s.result().isNoSpeech()).count())
        .append(" utterances</p>\n</header>\n<main>\n");
    summary(h, labels, summary);
    h.append("<section>\n<h2>Timeline per party</h2>\n");
    for (int i = 0; i < lanes.size(); i++) {
      Party p = call.parties().get(i);
      h.append("<div class=\"lane\" data-party=\"").append(esc(p.name())).append("\"><h3>")
          .append(esc(p.name())).append(" <span class=\"muted\">(channel ").append(p.channel())
          .append(")</span></h3><div class=\"chart-box\" id=\"lane-").append(i)
          .append("\"></div></div>\n");
    }
    h.append("</section>\n<section>\n<h2>Utterances</h2>\n<ol class=\"segments\" id=\"segments\">\n");
    for (PartySegment s : call.segments()) {
      EmotionResult r = s.result();
      if (r.isNoSpeech()) {
        continue;
      }
      h.append("<li class=\"mer-segment").append(r.isFailed() ? " failed" : "")
          .append("\" data-party=\"").append(esc(s.party().name()))
          .append(r.isEmotion() ? "\" data-label=\"" + esc(r.label()) : "")
          .append("\"><span class=\"when\">").append(esc(s.party().name())).append(' ')
          .append(esc(fmt(seconds(s.start())))).append(" - ").append(esc(fmt(seconds(s.end()))))
          .append("</span>");
      if (r.isEmotion()) {
        h.append("<span class=\"label\">").append(esc(r.label())).append(' ')
            .append(esc(pct(r.confidence()))).append("</span><span class=\"transcript\">")
            .append(esc(r.transcript())).append("</span>");
      } else {
        h.append("<span class=\"label\">failed: ").append(esc(r.error().getMessage()))
            .append("</span>");
      }
      h.append("</li>\n");
    }
    h.append("</ol>\n</section>\n</main>\n<script type=\"application/json\" id=\"mer-data\">")
        .append(CallReport.scriptJson(lanes)).append("</script>\n<script>\n")
        .append(CallReport.asset("chart.js"))
        .append("\nvar merLanes = JSON.parse(document.getElementById('mer-data').textContent);")
        .append("\nmerLanes.forEach(function (lane, i) {")
        .append("\n  MerChart.render(document.getElementById('lane-' + i), lane, {height: 200});")
        .append("\n});")
        .append("\nvar merLabels = merLanes[0].labels;")
        .append("\ndocument.querySelectorAll('.mer-segment[data-label]').forEach(function (li) {")
        .append("\n  li.style.borderLeftColor = MerChart.colour(merLabels.indexOf(li.dataset.label));")
        .append("\n});\n</script>\n</body>\n</html>\n");
    return h.toString();
  }

  private static void summary(StringBuilder h, List<String> labels, CallSummary s) {
    h.append("<section id=\"summary\">\n<h2>Summary</h2>\n<p class=\"between\">talk-over <b>")
        .append(esc(fmt(seconds(s.talkOver())))).append("</b> · silences over ")
        .append(esc(fmt(seconds(s.minGap())))).append(": <b>").append(s.gaps().size())
        .append("</b> (").append(esc(fmt(seconds(s.silence())))).append(")")
        .append(" · last to speak: <b>")
        .append(esc(s.lastSpeaker().map(Party::name).orElse("nobody"))).append("</b>")
        .append(s.negativeLabels().isEmpty() ? " · no negative labels set"
            : " · negative labels: " + esc(String.join(", ", s.negativeLabels())))
        .append("</p>\n<table class=\"summary\" id=\"party-summary\">\n<tr><th>party</th>")
        .append("<th>speech</th>");
    for (String l : labels) {
      h.append("<th>").append(esc(l)).append("</th>");
    }
    h.append("<th>longest stretch</th><th>first negative</th><th>trend</th></tr>\n");
    for (PartySummary p : s.parties()) {
      h.append("<tr data-party=\"").append(esc(p.party().name())).append("\"><td>")
          .append(esc(p.party().name())).append("</td><td>")
          .append(esc(fmt(seconds(p.speech())))).append("</td>");
      for (String l : labels) {
        h.append("<td>").append(esc(pct(p.sharePerLabel().getOrDefault(l, 0.0)))).append("</td>");
      }
      Stretch longest = p.longestStretch().values().stream()
          .max((a, b) -> a.speech().compareTo(b.speech())).orElse(null);
      h.append("<td>").append(longest == null ? "-" : esc(longest.label() + " "
          + fmt(seconds(longest.speech())) + " from " + fmt(seconds(longest.start()))))
          .append("</td><td>").append(p.firstNegative().map(f -> esc(f.result().label() + " at "
              + fmt(seconds(f.start())))).orElse("-")).append("</td>");
      CallSummary.Trend t = p.trend();
      String dir = t.direction().name().toLowerCase(Locale.ROOT);
      h.append("<td class=\"").append(dir).append("\">").append(dir);
      if (t.change().isPresent()) {
        h.append(String.format(Locale.ROOT, " (%.2f → %.2f over %s)", t.start().getAsDouble(),
            t.end().getAsDouble(), fmt(seconds(t.window()))));
      }
      h.append("</td></tr>\n");
    }
    h.append("</table>\n</section>\n");
  }

  private static double seconds(Duration d) {
    return d.toNanos() / 1e9;
  }
}

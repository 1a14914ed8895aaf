package io.mersdk.server;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mersdk.EmotionResult;
import io.mersdk.Segment;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * A self-contained HTML report of a whole recording (the output of {@code mer report}): the
 * timeline chart of the live page (the same chart.js, inlined), the share of time per emotion, and
 * one row per utterance with its times, label, probabilities and transcript. Stretches without
 * speech (no segment, or a segment the gate or the model called no speech) are the chart's gaps.
 * The file loads nothing: styles, script and data are inside it, and its Content-Security-Policy
 * forbids any fetch.
 *
 * <pre>{@code
 * List<Segment> parts = Timeline.builder(recognizer).build().run(samples);
 * String html = CallReport.render("call.wav", Duration.ofSeconds(samples.length / 16000),
 *     recognizer.labels(), parts);
 * }</pre>
 */
public final class CallReport {
  private static final ObjectMapper JSON = new ObjectMapper();

  private CallReport() {}

  /**
   * @param title what the recording is (a file name), shown as the heading
   * @param duration the length of the whole recording
   * @param labels the bundle's labels, in order
   * @param segments the recording's segments in order (as {@code Timeline} gives them)
   */
  public static String render(String title, Duration duration, List<String> labels,
      List<Segment> segments) {
    Objects.requireNonNull(title, "title");
    Objects.requireNonNull(duration, "duration");
    Objects.requireNonNull(labels, "labels");
    Objects.requireNonNull(segments, "segments");
    double total = seconds(duration);
    Map<String, Double> byLabel = new LinkedHashMap<>();
    labels.forEach(l -> byLabel.put(l, 0.0));
    double speech = 0;
    List<Map<String, Object>> data = new ArrayList<>();
    for (Segment s : segments) {
      EmotionResult r = s.result();
      double len = seconds(s.end()) - seconds(s.start());
      Map<String, Object> d = new LinkedHashMap<>();
      d.put("start", seconds(s.start()));
      d.put("end", seconds(s.end()));
      d.put("outcome", r.outcome().name().toLowerCase(Locale.ROOT));
      if (r.isEmotion()) {
        d.put("probabilities", r.probabilities());
        byLabel.merge(r.label(), len, Double::sum);
        speech += len;
      }
      data.add(d);
    }
    Map<String, Object> chart = new LinkedHashMap<>();
    chart.put("labels", labels);
    chart.put("duration", total);
    chart.put("segments", data);

    StringBuilder h = new StringBuilder(16 * 1024);
    h.append("<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
        .append("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none';")
        .append(" style-src 'unsafe-inline'; script-src 'unsafe-inline'\">\n")
        .append("<title>Emotion report: ").append(esc(title)).append("</title>\n<style>\n")
        .append(asset("style.css")).append("</style>\n</head>\n<body>\n<header>\n<h1>")
        .append("Emotion report: ").append(esc(title)).append("</h1>\n<p class=\"muted\">")
        .append(esc(fmt(total))).append(" · ").append(count(segments)).append(" utterances · ")
        .append(esc(pct(total > 0 ? speech / total : 0))).append(" speech with an emotion</p>\n")
        .append("</header>\n<main>\n<section>\n<h2>Timeline</h2>\n")
        .append("<div id=\"chart\" class=\"chart-box\"></div>\n</section>\n")
        .append("<section>\n<h2>Share of time</h2>\n<table class=\"share\" id=\"share\">\n")
        .append("<tr><th>emotion</th><th>time</th><th>of the call</th><th>of speech</th></tr>\n");
    for (Map.Entry<String, Double> e : byLabel.entrySet()) {
      h.append("<tr data-label=\"").append(esc(e.getKey())).append("\"><td>")
          .append(esc(e.getKey())).append("</td><td>").append(esc(fmt(e.getValue())))
          .append("</td><td>").append(esc(pct(total > 0 ? e.getValue() / total : 0)))
          .append("</td><td>").append(esc(pct(speech > 0 ? e.getValue() / speech : 0)))
          .append("</td></tr>\n");
    }
    double gaps = Math.max(0, total - speech);
    h.append("<tr data-label=\"\"><td>no speech</td><td>").append(esc(fmt(gaps)))
        .append("</td><td>").append(esc(pct(total > 0 ? gaps / total : 0)))
        .append("</td><td></td></tr>\n</table>\n</section>\n")
        .append("<section>\n<h2>Utterances</h2>\n<ol class=\"segments\" id=\"segments\">\n");
    int index = 0;
    for (Segment s : segments) {
      EmotionResult r = s.result();
      if (r.isNoSpeech()) {
        continue;
      }
      h.append("<li class=\"mer-segment").append(r.isFailed() ? " failed" : "")
          .append("\" data-index=\"").append(index++)
          .append(r.isEmotion() ? "\" data-label=\"" + esc(r.label()) : "")
          .append("\"><span class=\"when\">")
          .append(esc(fmt(seconds(s.start())))).append(" - ").append(esc(fmt(seconds(s.end()))))
          .append("</span>");
      if (r.isEmotion()) {
        h.append("<span class=\"label\">").append(esc(r.label())).append(' ')
            .append(esc(pct(r.confidence()))).append("</span><span class=\"transcript\">")
            .append(esc(r.transcript())).append("</span><span class=\"bars\">");
        for (Map.Entry<String, Double> p : r.probabilities().entrySet()) {
          h.append("<span>").append(esc(p.getKey())).append(' ').append(esc(pct(p.getValue())))
              .append("</span>");
        }
        h.append("</span>");
      } else {
        h.append("<span class=\"label\">failed: ").append(esc(r.error().getMessage()))
            .append("</span>");
      }
      h.append("</li>\n");
    }
    h.append("</ol>\n</section>\n</main>\n<script type=\"application/json\" id=\"mer-data\">")
        .append(scriptJson(chart)).append("</script>\n<script>\n").append(asset("chart.js"))
        .append("\nvar merData = JSON.parse(document.getElementById('mer-data').textContent);")
        .append("\nMerChart.render(document.getElementById('chart'), merData);")
        .append("\ndocument.querySelectorAll('.mer-segment[data-label]').forEach(function (li) {")
        .append("\n  li.style.borderLeftColor = MerChart.colour(merData.labels.indexOf(li.dataset.label));")
        .append("\n});\n</script>\n")
        .append("</body>\n</html>\n");
    return h.toString();
  }

  private static long count(List<Segment> segments) {
    return segments.stream().filter(s -> !s.result().isNoSpeech()).count();
  }

  static String asset(String name) {
    return new String(StaticPages.load(name), StandardCharsets.UTF_8);
  }

  /** JSON that cannot end its script element early. */
  static String scriptJson(Object o) {
    try {
      return JSON.writeValueAsString(o).replace("</", "<\\/").replace("\u2028", "\\u2028")
          .replace("\u2029", "\\u2029");
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("report data not serialisable: " + e.getMessage(), e);
    }
  }

  static String esc(String s) {
    StringBuilder b = new StringBuilder(s.length() + 16);
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '<' -> b.append("&lt;");
        case '>' -> b.append("&gt;");
        case '&' -> b.append("&amp;");
        case '"' -> b.append("&quot;");
        case '\'' -> b.append("&#39;");
        default -> b.append(c);
      }
    }
    return b.toString();
  }

  private static double seconds(Duration d) {
    return d.toNanos() / 1e9;
  }

  static String fmt(double s) {
    if (s < 60) {
      return String.format(Locale.ROOT, "%.1f s", s);
    }
    long m = (long) (s / 60);
    return String.format(Locale.ROOT, "%d:%04.1f", m, s - 60 * m);
  }

  static String pct(double f) {
    return String.format(Locale.ROOT, "%.0f%%", 100 * f);
  }
}

package io.mersdk.examples;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Prints {@link ClassificationMetrics} as a table for people or as one JSON object. */
final class MetricsReport {
  private final ClassificationMetrics m;
  private final int failed;
  /** Files without speech: outside the metrics, counted apart. */
  private final int noSpeech;
  private final String bundleId;

  MetricsReport(ClassificationMetrics m, int failed, int noSpeech, String bundleId) {
    this.m = m;
    this.failed = failed;
    this.noSpeech = noSpeech;
    this.bundleId = bundleId;
  }

  Map<String, Object> toJson() {
    Map<String, Object> j = new LinkedHashMap<>();
    j.put("bundle_id", bundleId);
    j.put("samples", m.samples());
    j.put("failed", failed);
    j.put("no_speech", noSpeech);
    j.put("accuracy", m.accuracy());
    j.put("uar", m.unweightedAverageRecall());
    j.put("macro_f1", m.macroF1());
    j.put("labels", m.labels());
    Map<String, Object> perLabel = new LinkedHashMap<>();
    for (int k = 0; k < m.labels().size(); k++) {
      Map<String, Object> c = new LinkedHashMap<>();
      c.put("precision", m.precision(k));
      c.put("recall", m.recall(k));
      c.put("f1", m.f1(k));
      c.put("support", m.support(k));
      perLabel.put(m.labels().get(k), c);
    }
    j.put("per_label", perLabel);
    j.put("confusion_matrix", m.confusionMatrix());
    return j;
  }

  void printJson(PrintWriter out) {
    try {
      out.println(new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(toJson()));
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e); // only maps, lists, strings and numbers
    }
  }

  void printTable(PrintWriter out) {
    List<String> labels = m.labels();
    int w = Math.max(9, labels.stream().mapToInt(String::length).max().orElse(0));
    out.printf(Locale.ROOT, "bundle    %s%n", bundleId);
    out.printf(Locale.ROOT, "samples   %d recognised, %d no speech, %d failed%n", m.samples(),
        noSpeech, failed);
    out.printf(Locale.ROOT, "accuracy  %.4f%n", m.accuracy());
    out.printf(Locale.ROOT, "UAR       %.4f  (unweighted average recall: mean of per-label recall)%n",
        m.unweightedAverageRecall());
    out.printf(Locale.ROOT, "macro-F1  %.4f%n", m.macroF1());
    out.println();
    out.println(row(w, "label", List.of("precision", "recall", "f1", "support")));
    for (int k = 0; k < labels.size(); k++) {
      out.println(row(w, labels.get(k), List.of(num(m.precision(k)), num(m.recall(k)),
          num(m.f1(k)), Long.toString(m.support(k)))));
    }
    out.println();
    out.println("confusion matrix (rows: true label, columns: predicted)");
    out.println(row(w, "", labels));
    long[][] cm = m.confusionMatrix();
    for (int i = 0; i < labels.size(); i++) {
      List<String> cells = new ArrayList<>();
      for (long c : cm[i]) {
        cells.add(Long.toString(c));
      }
      out.println(row(w, labels.get(i), cells));
    }
  }

  private static String num(double v) {
    return String.format(Locale.ROOT, "%.4f", v);
  }

  private static String row(int width, String first, List<String> cells) {
    StringBuilder b = new StringBuilder(String.format(Locale.ROOT, "%-" + width + "s", first));
    for (String c : cells) {
      b.append(String.format(Locale.ROOT, "  %" + width + "s", c));
    }
    return b.toString().stripTrailing();
  }
}

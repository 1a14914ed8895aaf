package io.mersdk.examples;

import io.mersdk.EmotionResult;
import io.mersdk.StageTimings;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Aligned columns: file, [party,] [start_s, end_s,] label, confidence, one column per label's probability,
 * per-stage timings in ms, device, transcript. A row without speech says {@code no speech} in the
 * label column and {@code -} for the numbers that exist only for an emotion. Rows are written as they come (no buffering), so
 * column widths come from what is known up front: file names and labels.
 */
final class TableWriter implements RowWriter {
  private static final int NUMBER_WIDTH = 6; // "0.1234"
  private static final int PARTY_WIDTH = 8; // "customer"

  private final PrintWriter out;
  private final List<String> labels;
  private final boolean timeline;
  private final int sourceWidth;
  private final int labelWidth;
  private final boolean parties;

  TableWriter(PrintWriter out, List<String> labels, boolean timeline, int sourceWidth,
      boolean parties) {
    this.parties = parties;
    this.out = out;
    this.labels = labels;
    this.timeline = timeline;
    this.sourceWidth = Math.max("file".length(), sourceWidth);
    this.labelWidth = Math.max(Rows.NO_SPEECH.length(),
        labels.stream().mapToInt(String::length).max().orElse(0));
    header();
  }

  private void header() {
    List<String> cells = new ArrayList<>();
    cells.add(pad("file", sourceWidth));
    if (parties) {
      cells.add(pad("party", PARTY_WIDTH));
    }
    if (timeline) {
      cells.add(left("start_s", 8));
      cells.add(left("end_s", 8));
    }
    cells.add(pad("label", labelWidth));
    cells.add(left("conf", NUMBER_WIDTH));
    for (String l : labels) {
      cells.add(left(l, probabilityWidth(l)));
    }
    for (StageTimings.Stage s : Rows.STAGES) {
      cells.add(left(s.key() + "_ms", timingWidth(s)));
    }
    cells.add(pad("device", 6));
    cells.add("transcript");
    print(cells);
  }

  @Override
  public void write(ResultRow row) {
    EmotionResult r = row.result();
    List<String> cells = new ArrayList<>();
    cells.add(pad(Rows.source(row, timeline), sourceWidth));
    if (parties) {
      cells.add(pad(row.party().name(), PARTY_WIDTH));
    }
    if (timeline) {
      cells.add(left(fixed(Rows.seconds(row.start()), 2), 8));
      cells.add(left(fixed(Rows.seconds(row.end()), 2), 8));
    }
    cells.add(pad(Rows.label(r), labelWidth));
    cells.add(left(r.isEmotion() ? fixed(r.confidence(), 4) : "-", NUMBER_WIDTH));
    for (String l : labels) {
      cells.add(left(r.isEmotion() ? fixed(r.probability(l), 4) : "-", probabilityWidth(l)));
    }
    for (StageTimings.Stage s : Rows.STAGES) {
      cells.add(left(fixed(Rows.millis(r.timings().get(s)), 1), timingWidth(s)));
    }
    cells.add(pad(r.device().toString(), 6));
    cells.add(oneLine(Rows.transcript(r)));
    print(cells);
  }

  /**
   * A transcript fit for a terminal line: whitespace runs become one space (one row per line) and
   * other control characters, which a random or confused ASR can emit, become U+FFFD.
   */
  static String oneLine(String transcript) {
    return transcript.replaceAll("\\s+", " ").replaceAll("\\p{Cntrl}", "\uFFFD").strip();
  }

  private void print(List<String> cells) {
    out.println(String.join("  ", cells).stripTrailing());
    out.flush();
  }

  private static int probabilityWidth(String label) {
    return Math.max(NUMBER_WIDTH, label.length());
  }

  private static int timingWidth(StageTimings.Stage s) {
    return s.key().length() + 3;
  }

  private static String fixed(double v, int decimals) {
    return String.format(Locale.ROOT, "%." + decimals + "f", v);
  }

  private static String pad(String s, int width) {
    return String.format(Locale.ROOT, "%-" + width + "s", s);
  }

  private static String left(String s, int width) {
    return String.format(Locale.ROOT, "%" + width + "s", s);
  }
}

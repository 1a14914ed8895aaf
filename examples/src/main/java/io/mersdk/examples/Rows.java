package io.mersdk.examples;

import io.mersdk.EmotionResult;
import io.mersdk.StageTimings;
import java.time.Duration;
import java.util.List;

/** What the table and CSV writers share: the stage columns and the cells of a no-speech row. */
final class Rows {
  /** The label cell of a row without an emotion. */
  static final String NO_SPEECH = "no speech";

  /** Every stage of {@link StageTimings}, in data-flow order, named by its key. */
  static final List<StageTimings.Stage> STAGES = List.of(StageTimings.Stage.values());

  private Rows() {}

  /** The label cell: the label, or {@code no speech}. */
  static String label(EmotionResult r) {
    return r.isEmotion() ? r.label() : NO_SPEECH;
  }

  /** The transcript cell: empty without an emotion (there is none). */
  static String transcript(EmotionResult r) {
    return r.isEmotion() ? r.transcript() : "";
  }

  static double millis(Duration d) {
    return d.toNanos() / 1e6;
  }

  static double seconds(Duration d) {
    return d.toNanos() / 1e9;
  }

  /**
   * The source column: the file, and for a segment of a long file cut without --timeline (whose
   * table and CSV have no start and end columns) its span, e.g. {@code call.wav [8.21-15.02 s]}.
   */
  static String source(ResultRow row, boolean timeline) {
    if (timeline || row.start() == null) {
      return row.source();
    }
    return String.format(java.util.Locale.ROOT, "%s [%.2f-%.2f s]", row.source(),
        seconds(row.start()), seconds(row.end()));
  }
}

package io.mersdk.examples;

import java.io.PrintWriter;
import java.util.List;

/** Writes result rows to stdout in one {@link OutputFormat}; a header (if any) comes first. */
interface RowWriter {

  void write(ResultRow row);

  /**
   * @param labels the bundle's labels, in the order of the probability columns
   * @param timeline whether rows are segments (start and end columns)
   * @param sourceWidth the longest file name, for the table's first column
   */
  static RowWriter create(
      OutputFormat format, PrintWriter out, List<String> labels, boolean timeline,
      int sourceWidth) {
    return create(format, out, labels, timeline, sourceWidth, false);
  }

  /** @param parties whether rows carry a party (party and channel columns after the file) */
  static RowWriter create(
      OutputFormat format, PrintWriter out, List<String> labels, boolean timeline,
      int sourceWidth, boolean parties) {
    return switch (format) {
      case table -> new TableWriter(out, labels, timeline, sourceWidth, parties);
      case jsonl -> new JsonlWriter(out, timeline, parties);
      case csv -> new CsvWriter(out, labels, timeline, parties);
    };
  }
}

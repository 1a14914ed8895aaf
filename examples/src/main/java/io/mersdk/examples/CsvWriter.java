package io.mersdk.examples;

import io.mersdk.EmotionResult;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

/**
 * RFC 4180 CSV: file, [start_s, end_s,] label, confidence, p_LABEL for every label, STAGE_ms,
 * device, transcript. Numbers at full precision so a spreadsheet gets what the model gave.
 */
final class CsvWriter implements RowWriter {
  private final PrintWriter out;
  private final List<String> labels;
  private final boolean timeline;

  CsvWriter(PrintWriter out, List<String> labels, boolean timeline) {
    this.out = out;
    this.labels = labels;
    this.timeline = timeline;
    List<String> header = new ArrayList<>();
    header.add("file");
    if (timeline) {
      header.add("start_s");
      header.add("end_s");
    }
    header.add("label");
    header.add("confidence");
    labels.forEach(l -> header.add("p_" + l));
    ResultJson.STAGES.forEach(s -> header.add(s.name() + "_ms"));
    header.add("device");
    header.add("transcript");
    print(header);
  }

  @Override
  public void write(ResultRow row) {
    EmotionResult r = row.result();
    List<String> cells = new ArrayList<>();
    cells.add(row.source());
    if (timeline) {
      cells.add(Double.toString(ResultJson.seconds(row.start())));
      cells.add(Double.toString(ResultJson.seconds(row.end())));
    }
    cells.add(r.label());
    cells.add(Double.toString(r.confidence()));
    labels.forEach(l -> cells.add(Double.toString(r.probability(l))));
    ResultJson.STAGES.forEach(
        s -> cells.add(Double.toString(ResultJson.millis(s.time().apply(r.timings())))));
    cells.add(r.device());
    cells.add(r.transcript());
    print(cells);
  }

  private void print(List<String> cells) {
    List<String> quoted = new ArrayList<>(cells.size());
    for (String c : cells) {
      quoted.add(quote(c));
    }
    // RFC 4180 ends records with CRLF
    out.print(String.join(",", quoted) + "\r\n");
    out.flush();
  }

  static String quote(String cell) {
    if (cell.contains(",") || cell.contains("\"") || cell.contains("\n") || cell.contains("\r")) {
      return "\"" + cell.replace("\"", "\"\"") + "\"";
    }
    return cell;
  }
}

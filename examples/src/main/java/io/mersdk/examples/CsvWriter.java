package io.mersdk.examples;

import io.mersdk.EmotionResult;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

/**
 * RFC 4180 CSV: file, [party, channel,] [start_s, end_s,] label, confidence, p_LABEL for every label, speech_basis,
 * no_speech_prob, avg_logprob, STAGE_ms, device, transcript. Numbers at full precision so a
 * spreadsheet gets what the model gave. A row without speech has the label {@code no speech} and
 * empty confidence, probabilities and transcript; evidence not computed is an empty cell.
 */
final class CsvWriter implements RowWriter {
  private final PrintWriter out;
  private final List<String> labels;
  private final boolean timeline;
  private final boolean parties;

  CsvWriter(PrintWriter out, List<String> labels, boolean timeline, boolean parties) {
    this.out = out;
    this.labels = labels;
    this.timeline = timeline;
    this.parties = parties;
    List<String> header = new ArrayList<>();
    header.add("file");
    if (parties) {
      header.add("party");
      header.add("channel");
    }
    if (timeline) {
      header.add("start_s");
      header.add("end_s");
    }
    header.add("label");
    header.add("confidence");
    labels.forEach(l -> header.add("p_" + l));
    header.add("speech_basis");
    header.add("no_speech_prob");
    header.add("avg_logprob");
    Rows.STAGES.forEach(s -> header.add(s.key() + "_ms"));
    header.add("device");
    header.add("transcript");
    print(header);
  }

  @Override
  public void write(ResultRow row) {
    EmotionResult r = row.result();
    List<String> cells = new ArrayList<>();
    cells.add(Rows.source(row, timeline));
    if (parties) {
      cells.add(row.party().name());
      cells.add(Integer.toString(row.party().channel()));
    }
    if (timeline) {
      cells.add(Double.toString(Rows.seconds(row.start())));
      cells.add(Double.toString(Rows.seconds(row.end())));
    }
    cells.add(Rows.label(r));
    cells.add(r.isEmotion() ? Double.toString(r.confidence()) : "");
    labels.forEach(l -> cells.add(r.isEmotion() ? Double.toString(r.probability(l)) : ""));
    cells.add(io.mersdk.json.ResultJson.name(r.speech().basis()));
    cells.add(optional(r.speech().noSpeechProbability()));
    cells.add(optional(r.speech().avgLogProbability()));
    Rows.STAGES.forEach(s -> cells.add(Double.toString(Rows.millis(r.timings().get(s)))));
    cells.add(r.device().toString());
    cells.add(Rows.transcript(r));
    print(cells);
  }

  private static String optional(java.util.OptionalDouble v) {
    return v.isPresent() ? Double.toString(v.getAsDouble()) : "";
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

package io.mersdk.examples;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mersdk.json.ResultJson;

/**
 * One JSON object per row: file, [party, channel,] [start_s, end_s,] then the fields of {@link ResultJson#toTree}
 * (outcome, the emotion or nothing, the speech decision and its evidence, timings, device).
 */
final class JsonlWriter implements RowWriter {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final PrintWriter out;
  private final boolean timeline;
  private final boolean parties;

  JsonlWriter(PrintWriter out, boolean timeline, boolean parties) {
    this.out = out;
    this.timeline = timeline;
    this.parties = parties;
  }

  @Override
  public void write(ResultRow row) {
    ObjectNode m = JSON.createObjectNode();
    m.put("file", row.source());
    if (parties) {
      m.put("party", row.party().name());
      m.put("channel", row.party().channel());
    }
    if (timeline || row.start() != null) { // a segment: --timeline, --channels split, or a long file cut
      m.put("start_s", Rows.seconds(row.start()));
      m.put("end_s", Rows.seconds(row.end()));
    }
    m.setAll(ResultJson.toTree(row.result()));
    try {
      out.println(JSON.writeValueAsString(m));
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e); // only strings, numbers and booleans: cannot happen
    }
    out.flush();
  }
}

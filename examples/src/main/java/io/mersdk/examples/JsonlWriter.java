package io.mersdk.examples;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;

/** One JSON object per row: file, [start_s, end_s,] then {@link ResultJson#of}. */
final class JsonlWriter implements RowWriter {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final PrintWriter out;
  private final boolean timeline;

  JsonlWriter(PrintWriter out, boolean timeline) {
    this.out = out;
    this.timeline = timeline;
  }

  @Override
  public void write(ResultRow row) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("file", row.source());
    if (timeline) {
      m.put("start_s", ResultJson.seconds(row.start()));
      m.put("end_s", ResultJson.seconds(row.end()));
    }
    m.putAll(ResultJson.of(row.result()));
    try {
      out.println(JSON.writeValueAsString(m));
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e); // only maps of strings and numbers: cannot happen
    }
    out.flush();
  }
}

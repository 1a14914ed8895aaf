package io.mersdk.dataset;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;

/**
 * A labelled-audio dataset manifest: the one file format training ({@code python -m mer_train
 * train --manifest}) and evaluation ({@code mer evaluate}, {@code python -m mer_train evaluate})
 * read. Immutable.
 *
 * <pre>{@code
 * DatasetManifest data = DatasetManifest.read(Path.of("ravdess/test.csv"));
 * for (DatasetRow row : data.rows()) {
 *   EmotionResult r = recognizer.recognize(row.source());   // the row's [start, end) cut
 *   ... r.label() against row.label() ...
 * }
 * }</pre>
 *
 * <p><b>The format</b> (docs/training.md, "Your own data"): chosen by the file's extension,
 * {@code .csv} (comma), {@code .tsv} (tab) or {@code .jsonl} / {@code .ndjson} (one JSON object a
 * line). UTF-8; a leading BOM is ignored; blank lines are skipped. CSV and TSV follow RFC 4180
 * (quoted fields may hold the separator, doubled quotes and newlines) and their first non-blank
 * row is a header naming the columns. Fields: {@code audio} and {@code label} (required), {@code
 * group}, {@code transcript}, {@code start}, {@code end} (seconds, {@code 0 <= start < end}) and
 * {@code split} ({@code train}, {@code validation}, {@code test}); other columns are ignored; an
 * empty cell is an absent field. Relative audio paths are resolved against the manifest's folder.
 *
 * <p><b>Errors.</b> {@link #read} checks every row and throws one {@link DatasetException} listing
 * every problem as {@code FILE:LINE: field: problem}, LINE being the 1-based physical line where
 * the row starts. Whether the audio files exist is not checked here (a missing file is a failure
 * of that row when it is read).
 */
public final class DatasetManifest {
  /** The fields of the contract; any other column or key is the user's own and ignored. */
  public static final List<String> FIELDS =
      List.of("audio", "label", "group", "transcript", "start", "end", "split");
  /** The values of {@code split}. */
  public static final List<String> SPLITS = List.of("train", "validation", "test");

  /**
   * A decimal number: an optional sign, digits with an optional fraction and exponent (no unit, no
   * "inf" or "nan"); mer_train.dataset's {@code _DECIMAL}, so both readers take the same cells.
   */
  private static final Pattern SECONDS =
      Pattern.compile("[+-]?(?:[0-9]+(?:\\.[0-9]*)?|\\.[0-9]+)(?:[eE][+-]?[0-9]+)?");
  /**
   * Largest manifest read: 256 MiB, a few million rows (read whole: a larger file would come close
   * to the JVM's array limit and the default heap).
   */
  public static final long MAX_BYTES = 256L << 20;
  /** Quoted values in messages are cut to this many characters. */
  private static final int QUOTE_MAX = 80;
  /** One row a line: a duplicated key or anything after the object is a bad row. */
  private static final ObjectMapper JSON = JsonMapper.builder()
      .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
      .build();

  private final Path file;
  private final List<DatasetRow> rows;

  private DatasetManifest(Path file, List<DatasetRow> rows) {
    this.file = file;
    this.rows = List.copyOf(rows);
  }

  /**
   * Reads and checks a manifest file.
   *
   * @throws DatasetException listing every bad row (and a file that cannot be read, is not UTF-8,
   *     has an unknown extension or holds no rows)
   */
  public static DatasetManifest read(Path file) {
    String name = String.valueOf(file.getFileName()).toLowerCase(Locale.ROOT);
    Format format = Format.of(name);
    if (format == null) {
      throw new DatasetException(List.of(file + ": unknown manifest type: the name must end in"
          + " .csv, .tsv, .jsonl or .ndjson"));
    }
    byte[] bytes;
    try {
      long size = Files.size(file);
      if (size > MAX_BYTES) {
        throw new DatasetException(List.of(file + ": " + size + " bytes, more than a manifest may"
            + " hold (" + MAX_BYTES + "); split it"));
      }
      bytes = Files.readAllBytes(file);
    } catch (IOException e) {
      throw new DatasetException(List.of(file + ": cannot read: " + e));
    }
    return parse(file, bytes, format);
  }

  /**
   * Parses a manifest's bytes as if read from {@code file} (its name picks the format, its folder
   * resolves relative paths); for callers that hold the bytes, and the fuzz target.
   */
  public static DatasetManifest parse(Path file, byte[] bytes) {
    Format format = Format.of(String.valueOf(file.getFileName()).toLowerCase(Locale.ROOT));
    if (format == null) {
      throw new DatasetException(List.of(file + ": unknown manifest type: the name must end in"
          + " .csv, .tsv, .jsonl or .ndjson"));
    }
    return parse(file, bytes, format);
  }

  private static DatasetManifest parse(Path file, byte[] bytes, Format format) {
    String text;
    try {
      text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
    } catch (CharacterCodingException e) {
      throw new DatasetException(List.of(file + ": not UTF-8 text"));
    }
    if (text.startsWith("\uFEFF")) {
      text = text.substring(1);
    }
    Reader r = new Reader(file, text);
    if (format == Format.JSONL) {
      r.jsonl();
    } else {
      r.delimited(format == Format.TSV ? '\t' : ',');
    }
    if (r.problems.isEmpty() && r.rows.isEmpty()) {
      r.problems.add(file + ": no rows" + (r.sawHeader ? " (only a header)" : ""));
    }
    if (!r.problems.isEmpty()) {
      throw new DatasetException(r.problems);
    }
    return new DatasetManifest(file, r.rows);
  }

  /** The manifest file. */
  public Path file() {
    return file;
  }

  /** The rows in file order. */
  public List<DatasetRow> rows() {
    return rows;
  }

  /** The distinct labels, sorted (the order training gives a bundle without {@code --labels}). */
  public List<String> labels() {
    Set<String> s = new TreeSet<>();
    rows.forEach(row -> s.add(row.label()));
    return List.copyOf(s);
  }

  /**
   * One message per row whose label is not one of {@code labels} (a bundle's), naming its line;
   * empty when every row's label is known.
   */
  public List<String> unknownLabels(Collection<String> labels) {
    List<String> problems = new ArrayList<>();
    for (DatasetRow row : rows) {
      if (!labels.contains(row.label())) {
        problems.add(row.where() + ": label: '" + quote(row.label()) + "' is not one of the"
            + " bundle's labels " + labels);
      }
    }
    return problems;
  }

  @Override
  public String toString() {
    return file + " (" + rows.size() + " rows)";
  }

  private enum Format {
    CSV, TSV, JSONL;

    static Format of(String name) {
      if (name.endsWith(".csv")) {
        return CSV;
      }
      if (name.endsWith(".tsv")) {
        return TSV;
      }
      if (name.endsWith(".jsonl") || name.endsWith(".ndjson")) {
        return JSONL;
      }
      return null;
    }
  }

  static String quote(String value) {
    String v = value.length() > QUOTE_MAX ? value.substring(0, QUOTE_MAX) + "..." : value;
    StringBuilder b = new StringBuilder(v.length());
    for (int i = 0; i < v.length(); i++) {
      char c = v.charAt(i);
      if (c == '\n') {
        b.append("\\n");
      } else if (c == '\r') {
        b.append("\\r");
      } else if (c == '\t') {
        b.append("\\t");
      } else if (Character.isISOControl(c)) {
        b.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
      } else {
        b.append(c);
      }
    }
    return b.toString();
  }

  /** One pass over the text, collecting rows and problems. */
  private static final class Reader {
    private final Path file;
    private final Path base;
    private final String text;
    /** Offsets where each physical line starts (line n starts at lineStarts[n - 1]). */
    private final int[] lineStarts;
    final List<DatasetRow> rows = new ArrayList<>();
    final List<String> problems = new ArrayList<>();
    boolean sawHeader;

    Reader(Path file, String text) {
      this.file = file;
      Path parent = file.toAbsolutePath().getParent();
      this.base = parent == null ? Path.of("") : parent;
      this.text = text;
      List<Integer> starts = new ArrayList<>();
      starts.add(0);
      for (int i = 0; i < text.length(); i++) {
        char c = text.charAt(i);
        if (c == '\n' || (c == '\r' && (i + 1 == text.length() || text.charAt(i + 1) != '\n'))) {
          starts.add(i + 1);
        }
      }
      this.lineStarts = starts.stream().mapToInt(Integer::intValue).toArray();
    }

    /** The 1-based line holding offset {@code pos}, after skipping line breaks (blank lines). */
    private int lineAt(long position) {
      int pos = (int) Math.min(position, text.length());
      while (pos < text.length() && (text.charAt(pos) == '\n' || text.charAt(pos) == '\r')) {
        pos++;
      }
      int lo = 0;
      int hi = lineStarts.length - 1;
      while (lo < hi) {
        int mid = (lo + hi + 1) >>> 1;
        if (lineStarts[mid] <= pos) {
          lo = mid;
        } else {
          hi = mid - 1;
        }
      }
      return lo + 1;
    }

    void delimited(char separator) {
      CSVFormat format = CSVFormat.RFC4180.builder().setDelimiter(separator)
          .setIgnoreEmptyLines(true).setRecordSeparator("\n").get();
      Map<String, Integer> columns = null;
      int headerSize = 0;
      long nextLine = 0; // line terminators before the next record (where a parse error is)
      try (CSVParser parser = CSVParser.parse(new StringReader(text), format)) {
        Iterator<CSVRecord> it = parser.iterator();
        while (true) {
          CSVRecord rec;
          try {
            if (!it.hasNext()) {
              break;
            }
            rec = it.next();
          } catch (UncheckedIOException | IllegalStateException e) {
            // Commons CSV: an unterminated quote or a character after a closing quote; the rest of
            // the file cannot be split into rows
            int at = lineStarts[(int) Math.min(nextLine, lineStarts.length - 1)];
            problems.add(file + ":" + lineAt(at) + ": cannot parse the row ("
                + rootMessage(e) + "); check its quotes");
            break;
          }
          nextLine = parser.getCurrentLineNumber();
          int line = lineAt(rec.getCharacterPosition());
          if (rec.size() == 1 && rec.get(0).isBlank()) {
            continue; // a line of blanks is a blank line too
          }
          if (columns == null) {
            columns = header(rec, line);
            headerSize = rec.size();
            sawHeader = true;
            if (columns == null) {
              return; // a bad header: its problems are the file's
            }
            continue;
          }
          // fewer cells than the header: the missing ones are absent (as an empty cell); more is
          // a separator inside an unquoted value
          if (rec.size() > headerSize) {
            problems.add(file + ":" + line + ": the row has " + rec.size() + " fields, the header "
                + headerSize + " (a separator inside an unquoted value?)");
            continue;
          }
          Map<String, String> fields = new HashMap<>();
          for (Map.Entry<String, Integer> c : columns.entrySet()) {
            String v = c.getValue() < rec.size() ? rec.get(c.getValue()) : "";
            if (!v.isBlank()) {
              fields.put(c.getKey(), v);
            }
          }
          row(line, fields, Map.of());
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e); // a StringReader does not fail
      }
      if (columns == null && problems.isEmpty()) {
        problems.add(file + ": no rows (the file is empty)");
      }
    }

    /** Column name -> index of the contract's fields; null (with problems) for a bad header. */
    private Map<String, Integer> header(CSVRecord rec, int line) {
      Map<String, Integer> all = new HashMap<>();
      List<String> bad = new ArrayList<>();
      for (int i = 0; i < rec.size(); i++) {
        String name = rec.get(i).strip();
        if (all.containsKey(name)) {
          bad.add(file + ":" + line + ": header: column '" + quote(name) + "' appears twice");
        } else {
          all.put(name, i);
        }
      }
      for (String required : List.of("audio", "label")) {
        if (!all.containsKey(required)) {
          bad.add(file + ":" + line + ": header: no '" + required + "' column (the first row must"
              + " name the columns, e.g. 'audio,label'; a file of bare 'path,label' lines needs"
              + " that header added)");
        }
      }
      if (!bad.isEmpty()) {
        problems.addAll(bad);
        return null;
      }
      Map<String, Integer> columns = new HashMap<>();
      for (String f : FIELDS) {
        if (all.containsKey(f)) {
          columns.put(f, all.get(f));
        }
      }
      return columns;
    }

    void jsonl() {
      for (int n = 0; n < lineStarts.length; n++) {
        int from = lineStarts[n];
        int to = n + 1 < lineStarts.length ? lineStarts[n + 1] : text.length();
        String line = text.substring(from, to).strip();
        if (line.isEmpty()) {
          continue;
        }
        int ln = n + 1;
        JsonNode node;
        try {
          node = JSON.readTree(line);
        } catch (JsonProcessingException e) {
          problems.add(file + ":" + ln + ": not a JSON object: " + e.getOriginalMessage());
          continue;
        }
        if (node == null || !node.isObject()) {
          problems.add(file + ":" + ln + ": not a JSON object: "
              + (node == null ? "empty" : node.getNodeType().toString().toLowerCase(Locale.ROOT)));
          continue;
        }
        Map<String, String> fields = new HashMap<>();
        Map<String, String> typeProblems = new HashMap<>();
        for (String f : FIELDS) {
          JsonNode v = node.get(f);
          if (v == null || v.isNull()) {
            continue;
          }
          boolean time = f.equals("start") || f.equals("end");
          if (v.isTextual() && !time) {
            if (!v.asText().isEmpty()) {
              fields.put(f, v.asText());
            }
          } else if (v.isNumber() && time) {
            fields.put(f, v.isIntegralNumber() ? v.bigIntegerValue().toString()
                : Double.toString(v.doubleValue()));
          } else if (v.isIntegralNumber() && f.equals("group")) {
            fields.put(f, v.bigIntegerValue().toString());
          } else if (v.isNumber() && f.equals("group")) {
            fields.put(f, v.decimalValue().stripTrailingZeros().toPlainString());
          } else {
            String want = time ? "a number of seconds"
                : f.equals("group") ? "a string or a number" : "a string";
            typeProblems.put(f, f + ": " + quote(v.toString()) + " is not " + want);
          }
        }
        row(ln, fields, typeProblems);
      }
    }

    /** Checks one row's fields (raw strings, absent when empty) and adds the row or its problems. */
    private void row(int line, Map<String, String> f, Map<String, String> typeProblems) {
      String at = file + ":" + line + ": ";
      List<String> bad = new ArrayList<>();
      Path audio = null;
      String audioText = f.get("audio");
      if (typeProblems.containsKey("audio")) {
        bad.add(at + typeProblems.get("audio"));
      } else if (audioText == null || audioText.isBlank()) {
        bad.add(at + "audio: missing");
      } else {
        try {
          audio = base.resolve(audioText.strip()).normalize();
        } catch (InvalidPathException e) {
          bad.add(at + "audio: '" + quote(audioText) + "' is not a path: " + e.getReason());
        }
      }
      String label = f.get("label") == null ? null : f.get("label").strip();
      if (typeProblems.containsKey("label")) {
        bad.add(at + typeProblems.get("label"));
      } else if (label == null || label.isEmpty()) {
        bad.add(at + "label: missing");
      }
      Double start = seconds(at, "start", f, typeProblems, bad);
      Double end = seconds(at, "end", f, typeProblems, bad);
      if (start != null && end != null && !(start < end)) {
        bad.add(at + "start, end: need start < end, got " + f.get("start").strip() + " >= "
            + f.get("end").strip());
      }
      if (end != null && start == null && !(end > 0)) {
        bad.add(at + "end: need end > start (0), got " + f.get("end").strip());
      }
      String split = text(f, "split", typeProblems, at, bad);
      if (split != null && !SPLITS.contains(split)) {
        bad.add(at + "split: '" + quote(split) + "' is not one of " + String.join(", ", SPLITS));
      }
      String group = text(f, "group", typeProblems, at, bad);
      // stripped, blank = absent: the text RoBERTa reads is the same in both languages
      String transcript = text(f, "transcript", typeProblems, at, bad);
      if (!bad.isEmpty()) {
        problems.addAll(bad);
        return;
      }
      rows.add(new DatasetRow(file, line, audio, label, group, transcript, start, end, split));
    }

    private static String text(Map<String, String> f, String field, Map<String, String> typeProblems,
        String at, List<String> bad) {
      if (typeProblems.containsKey(field)) {
        bad.add(at + typeProblems.get(field));
        return null;
      }
      String v = f.get(field);
      return v == null || v.isBlank() ? null : v.strip();
    }

    private static Double seconds(String at, String field, Map<String, String> f,
        Map<String, String> typeProblems, List<String> bad) {
      if (typeProblems.containsKey(field)) {
        bad.add(at + typeProblems.get(field));
        return null;
      }
      String v = f.get(field);
      if (v == null || v.isBlank()) {
        return null;
      }
      String s = v.strip();
      if (!SECONDS.matcher(s).matches()) {
        bad.add(at + field + ": '" + quote(v) + "' is not a number of seconds");
        return null;
      }
      double d = Double.parseDouble(s);
      if (!Double.isFinite(d) || d < 0) {
        bad.add(at + field + ": '" + quote(v) + "' is not a number of seconds >= 0");
        return null;
      }
      return d + 0.0; // -0 is 0
    }

    private static String rootMessage(Throwable e) {
      Throwable t = e;
      while (t.getCause() != null && t.getCause() != t) {
        t = t.getCause();
      }
      return String.valueOf(t.getMessage());
    }
  }
}

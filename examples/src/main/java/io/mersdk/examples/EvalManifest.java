package io.mersdk.examples;

import java.io.IOException;
import java.nio.charset.MalformedInputException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A labelled test set: one {@code audio-path<TAB>label} or {@code audio-path,label} per line.
 * Relative paths are resolved against the manifest's folder, so a manifest and its audio move
 * together. Blank lines and lines starting with {@code #} are skipped.
 */
record EvalManifest(Path file, List<Entry> entries) {

  /** One labelled recording and the line it came from (for messages). */
  record Entry(int line, Path audio, String label) {}

  /** Every bad line, one message each ({@code manifest.txt:7: ...}). */
  static final class BadManifestException extends Exception {
    private static final long serialVersionUID = 1L;
    private final List<String> problems;

    BadManifestException(List<String> problems) {
      super(String.join("; ", problems));
      this.problems = List.copyOf(problems);
    }

    List<String> problems() {
      return problems;
    }
  }

  static EvalManifest read(Path manifest) throws BadManifestException {
    List<String> lines;
    try {
      lines = Files.readAllLines(manifest, StandardCharsets.UTF_8);
    } catch (MalformedInputException e) {
      throw new BadManifestException(List.of(manifest + ": not UTF-8 text"));
    } catch (IOException e) {
      throw new BadManifestException(List.of(manifest + ": cannot read: " + e.getMessage()));
    }
    Path base = manifest.getParent() == null ? Path.of("") : manifest.getParent();
    List<Entry> entries = new ArrayList<>();
    List<String> problems = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      int n = i + 1;
      // trailing blanks go, leading ones stay: a line starting with a tab has an empty path
      String raw = lines.get(i).stripTrailing();
      if (i == 0 && raw.startsWith("\uFEFF")) {
        raw = raw.substring(1); // a BOM left by some editors
      }
      String line = raw.strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      // the last separator splits, so a path may hold commas (labels never do)
      int sep = raw.indexOf('\t') >= 0 ? raw.lastIndexOf('\t') : raw.lastIndexOf(',');
      if (sep < 0) {
        problems.add(manifest + ":" + n + ": expected 'audio-path<TAB>label' or"
            + " 'audio-path,label', got '" + line + "'");
        continue;
      }
      String path = raw.substring(0, sep).strip();
      String label = raw.substring(sep + 1).strip();
      if (path.isEmpty() || label.isEmpty()) {
        problems.add(manifest + ":" + n + ": " + (path.isEmpty() ? "audio path" : "label")
            + " is empty in '" + line + "'");
        continue;
      }
      Path audio;
      try {
        audio = base.resolve(path).normalize();
      } catch (java.nio.file.InvalidPathException e) {
        problems.add(manifest + ":" + n + ": bad path '" + path + "': " + e.getReason());
        continue;
      }
      entries.add(new Entry(n, audio, label));
    }
    if (!problems.isEmpty()) {
      throw new BadManifestException(problems);
    }
    if (entries.isEmpty()) {
      throw new BadManifestException(List.of(manifest + ": no entries (only blank or # lines)"));
    }
    return new EvalManifest(manifest, List.copyOf(entries));
  }

  /** A message per entry whose label is not one of {@code labels}, naming its line. */
  List<String> unknownLabels(List<String> labels) {
    List<String> problems = new ArrayList<>();
    for (Entry e : entries) {
      if (!labels.contains(e.label())) {
        problems.add(file + ":" + e.line() + ": label '" + e.label() + "' is not one of the"
            + " bundle's labels " + labels);
      }
    }
    return problems;
  }
}

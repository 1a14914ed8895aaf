package io.mersdk.dataset;

import io.mersdk.audio.AudioSources;
import io.mersdk.source.AudioSource;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * One labelled utterance of a {@link DatasetManifest}: an audio file (or its {@code [start, end)}
 * cut), its label and the optional fields of the contract (docs/training.md, "Your own data").
 * Immutable; a final class rather than a record so that fields can be added without breaking
 * callers.
 */
public final class DatasetRow {
  private final Path manifest;
  private final int line;
  private final Path audio;
  private final String label;
  private final String group;
  private final String transcript;
  private final Double start;
  private final Double end;
  private final String split;

  DatasetRow(Path manifest, int line, Path audio, String label, String group, String transcript,
      Double start, Double end, String split) {
    this.manifest = manifest;
    this.line = line;
    this.audio = audio;
    this.label = label;
    this.group = group;
    this.transcript = transcript;
    this.start = start;
    this.end = end;
    this.split = split;
  }

  /** The manifest file this row came from. */
  public Path manifest() {
    return manifest;
  }

  /** The 1-based physical line where the row starts. */
  public int line() {
    return line;
  }

  /** {@code FILE:LINE}, the prefix of every message about this row. */
  public String where() {
    return manifest + ":" + line;
  }

  /** The audio file, resolved against the manifest's folder and normalised. */
  public Path audio() {
    return audio;
  }

  /** The label, surrounding blanks stripped. */
  public String label() {
    return label;
  }

  /** Speaker or session id. */
  public Optional<String> group() {
    return Optional.ofNullable(group);
  }

  /** The words spoken, as written (used by {@code mer evaluate --transcripts manifest}). */
  public Optional<String> transcript() {
    return Optional.ofNullable(transcript);
  }

  /** Start of the utterance in the file, seconds; absent means 0. */
  public OptionalDouble start() {
    return start == null ? OptionalDouble.empty() : OptionalDouble.of(start);
  }

  /** End of the utterance in the file, seconds; absent means the end of the file. */
  public OptionalDouble end() {
    return end == null ? OptionalDouble.empty() : OptionalDouble.of(end);
  }

  /** {@code train}, {@code validation} or {@code test}. */
  public Optional<String> split() {
    return Optional.ofNullable(split);
  }

  /** Whether the row is a cut of its file (it has a start or an end). */
  public boolean isCut() {
    return start != null || end != null;
  }

  /**
   * The row's samples: the file decoded, down-mixed and resampled to {@code sampleRate} by
   * mer-sdk-audio, then cut to {@code [rint(start * rate), rint(end * rate))} (round half to even,
   * as Python's {@code round} in mer_train.dataset's {@code Item.load}, so that both languages cut a
   * file at the bundle's rate at the same samples). mer_train cuts at the file's own rate and then
   * resamples; for a file already at {@code sampleRate} the two are the same.
   *
   * @throws io.mersdk.AudioException if the file cannot be read
   * @throws DatasetException naming the row's line if the cut does not fit the file
   */
  public float[] readMono(int sampleRate) {
    return cut(AudioSources.of(audio).readMono(sampleRate), sampleRate);
  }

  /** This row as an {@link AudioSource} (its cut, when it has one), e.g. for a recogniser. */
  public AudioSource source() {
    return new AudioSource() {
      @Override
      public float[] readMono(int sampleRate) {
        return DatasetRow.this.readMono(sampleRate);
      }

      @Override
      public String description() {
        return isCut() ? audio + " [" + seconds(start == null ? 0 : start) + ", "
            + (end == null ? "end" : seconds(end)) + ")" : audio.toString();
      }
    };
  }

  /**
   * {@code [start, end)} of decoded samples at {@code sampleRate}.
   *
   * @throws DatasetException when the cut starts at or beyond the end of the audio, or ends beyond
   *     it (a silent short clip would be scored as if it were the utterance)
   */
  public float[] cut(float[] samples, int sampleRate) {
    Objects.requireNonNull(samples, "samples");
    if (!isCut()) {
      return samples;
    }
    long from = start == null ? 0 : (long) Math.rint(start * sampleRate);
    long to = end == null ? samples.length : (long) Math.rint(end * sampleRate);
    String length = seconds(samples.length / (double) sampleRate);
    if (to > samples.length) {
      throw new DatasetException(List.of(where() + ": end: " + seconds(end) + " is beyond the end of "
          + audio + " (" + length + ")"));
    }
    if (from >= samples.length) {
      throw new DatasetException(List.of(where() + ": start: " + seconds(start) + " is at or beyond"
          + " the end of " + audio + " (" + length + ")"));
    }
    if (from >= to) {
      throw new DatasetException(List.of(where() + ": start, end: [" + seconds(start) + ", "
          + seconds(end) + ") holds no sample at " + sampleRate + " Hz"));
    }
    return Arrays.copyOfRange(samples, (int) from, (int) to);
  }

  private static String seconds(double s) {
    return String.format(Locale.ROOT, "%.3f s", s);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof DatasetRow r && line == r.line && manifest.equals(r.manifest)
        && audio.equals(r.audio) && label.equals(r.label) && Objects.equals(group, r.group)
        && Objects.equals(transcript, r.transcript) && Objects.equals(start, r.start)
        && Objects.equals(end, r.end) && Objects.equals(split, r.split);
  }

  @Override
  public int hashCode() {
    return Objects.hash(manifest, line, audio, label, group, transcript, start, end, split);
  }

  /** The row without its transcript (never logged or printed above DEBUG). */
  @Override
  public String toString() {
    return where() + ": " + audio + (isCut() ? " [" + (start == null ? 0 : start) + ", "
        + (end == null ? "end" : end) + ")" : "") + " " + label;
  }
}

package io.mersdk.audio;

import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.Set;

/**
 * Figures an analyst reads off a call, computed from its segments by {@link CallSummarizer} (no
 * model runs). Every figure is defined in docs/calls.md; in short:
 *
 * @param parties one summary per party, in channel order
 * @param talkOver time during which two or more parties speak at once
 * @param gaps stretches longer than {@code minGap} between the first and the last speech of the
 *     call in which no party speaks, in order
 * @param lastSpeaker the party whose speech ends last (empty when nobody speaks)
 * @param negativeLabels the labels counted as negative (from the bundle; may be empty), in the
 *     order given
 * @param trendWindow the N of the trend: first and last N seconds of each party's speech
 * @param minGap the shortest silence reported as a gap
 */
public record CallSummary(
    List<PartySummary> parties,
    Duration talkOver,
    List<Gap> gaps,
    Optional<Party> lastSpeaker,
    Set<String> negativeLabels,
    Duration trendWindow,
    Duration minGap) {
  public CallSummary {
    parties = List.copyOf(parties);
    Objects.requireNonNull(talkOver, "talkOver");
    gaps = List.copyOf(gaps);
    Objects.requireNonNull(lastSpeaker, "lastSpeaker");
    negativeLabels = Collections.unmodifiableSet(new LinkedHashSet<>(negativeLabels));
    Objects.requireNonNull(trendWindow, "trendWindow");
    Objects.requireNonNull(minGap, "minGap");
  }

  /** The summary of {@code party}. */
  public PartySummary of(Party party) {
    return parties.stream().filter(p -> p.party().equals(party)).findFirst().orElseThrow(
        () -> new IllegalArgumentException("party: " + party + " is not a party of this call"));
  }

  /** An unmodifiable copy that keeps the bundle's label order. */
  private static <V> Map<String, V> ordered(Map<String, V> m) {
    return Collections.unmodifiableMap(new LinkedHashMap<>(m));
  }

  /** Total time of the gaps. */
  public Duration silence() {
    return gaps.stream().map(Gap::duration).reduce(Duration.ZERO, Duration::plus);
  }

  /**
   * One party's figures.
   *
   * @param speech total duration of its speech segments (EMOTION and FAILED)
   * @param timePerLabel per bundle label (maps keep the bundle's label order), the duration of its segments with that label
   * @param sharePerLabel per bundle label, that duration over the party's labelled time (all 0
   *     when nothing was labelled)
   * @param longestStretch per label that occurs, its longest run of consecutive segments
   * @param firstNegative the first segment whose label is a negative label
   * @param trend whether the party ends more or less negative than it starts
   */
  public record PartySummary(
      Party party,
      Duration speech,
      Map<String, Duration> timePerLabel,
      Map<String, Double> sharePerLabel,
      Map<String, Stretch> longestStretch,
      Optional<PartySegment> firstNegative,
      Trend trend) {
    public PartySummary {
      Objects.requireNonNull(party, "party");
      Objects.requireNonNull(speech, "speech");
      timePerLabel = ordered(timePerLabel);
      sharePerLabel = ordered(sharePerLabel);
      longestStretch = ordered(longestStretch);
      Objects.requireNonNull(firstNegative, "firstNegative");
      Objects.requireNonNull(trend, "trend");
    }
  }

  /**
   * A run of consecutive segments of one party with one label (no segment of another label and
   * no FAILED segment of that party between them).
   *
   * @param start the start of its first segment
   * @param end the end of its last segment
   * @param speech the summed durations of its segments (the pauses between them not counted)
   * @param segments how many segments it holds
   */
  public record Stretch(String label, Duration start, Duration end, Duration speech,
      int segments) {}

  /** A silence between speech in which no party speaks. */
  public record Gap(Duration start, Duration end) {
    public Duration duration() {
      return end.minus(start);
    }
  }

  /** Where a party's negativity goes. */
  public enum Direction {
    /** The end is less negative than the start by more than the threshold. */
    BETTER,
    /** The end is more negative than the start by more than the threshold. */
    WORSE,
    /** The two differ by at most the threshold. */
    STEADY,
    /** No negative labels are configured, or the party has no labelled speech. */
    UNKNOWN
  }

  /**
   * The mean negative probability at the start and at the end of a party's speech.
   *
   * @param window the length actually used at each end: {@code min(N, speech / 2)}
   * @param start mean over the first {@code window} of the party's labelled speech
   * @param end mean over the last {@code window}
   * @param direction {@code end - start} against the threshold
   */
  public record Trend(Duration window, OptionalDouble start, OptionalDouble end,
      Direction direction) {
    public Trend {
      Objects.requireNonNull(window, "window");
      Objects.requireNonNull(start, "start");
      Objects.requireNonNull(end, "end");
      Objects.requireNonNull(direction, "direction");
    }

    /** {@code end - start}, when both exist. */
    public OptionalDouble change() {
      return start.isPresent() && end.isPresent()
          ? OptionalDouble.of(end.getAsDouble() - start.getAsDouble()) : OptionalDouble.empty();
    }
  }
}

package io.mersdk.audio;

import io.mersdk.EmotionResult;
import io.mersdk.audio.CallSummary.Direction;
import io.mersdk.audio.CallSummary.Gap;
import io.mersdk.audio.CallSummary.PartySummary;
import io.mersdk.audio.CallSummary.Stretch;
import io.mersdk.audio.CallSummary.Trend;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.Set;

/**
 * Computes a {@link CallSummary} from a {@link CallResult}'s segments; no model runs. The labels
 * come from the bundle ({@code recognizer.bundle().labels()}), and so does the "negative" set:
 * nothing is hard-coded, and a negative label the bundle does not have is refused.
 *
 * <pre>{@code
 * CallSummarizer summarizer = CallSummarizer.builder(recognizer.bundle().labels())
 *     .negativeLabels("angry", "sad").build();
 * CallSummary summary = summarizer.summarize(call);
 * }</pre>
 *
 * <p>Definitions (docs/calls.md has them with examples): a party's <em>speech</em> is its
 * segments whose outcome is EMOTION or FAILED; <em>labelled</em> speech the EMOTION ones. The
 * <em>negativity</em> of a segment is the sum of its probabilities of the negative labels. The
 * trend compares the duration-weighted mean negativity over the first and the last {@code
 * min(N, T/2)} of the party's labelled speech, where T is its length with the pauses taken out.
 * Immutable and thread-safe.
 */
public final class CallSummarizer {
  private final List<String> labels;
  private final Set<String> negative;
  private final Duration trendWindow;
  private final double trendThreshold;
  private final Duration minGap;

  private CallSummarizer(Builder b) {
    this.labels = b.labels;
    this.negative = Collections.unmodifiableSet(new LinkedHashSet<>(b.negative));
    this.trendWindow = b.trendWindow;
    this.trendThreshold = b.trendThreshold;
    this.minGap = b.minGap;
  }

  /** @param labels the bundle's labels, e.g. {@code recognizer.bundle().labels()} */
  public static Builder builder(List<String> labels) {
    return new Builder(labels);
  }

  public Set<String> negativeLabels() {
    return negative;
  }

  public CallSummary summarize(CallResult call) {
    Objects.requireNonNull(call, "call");
    List<PartySegment> speech = call.segments().stream()
        .filter(s -> !s.result().isNoSpeech()).toList();
    List<PartySummary> parties = new ArrayList<>();
    for (Party p : call.parties()) {
      parties.add(party(p, speech.stream().filter(s -> s.party().equals(p)).toList()));
    }
    Optional<Party> last = speech.stream()
        .max(Comparator.comparing(PartySegment::end).thenComparing(PartySegment::start)
            .thenComparing(s -> -s.party().channel()))
        .map(PartySegment::party);
    return new CallSummary(parties, talkOver(speech), gaps(speech), last, negative, trendWindow,
        minGap);
  }

  private PartySummary party(Party party, List<PartySegment> segments) {
    long speechNs = 0;
    long labelledNs = 0;
    Map<String, Long> perLabel = new LinkedHashMap<>();
    labels.forEach(l -> perLabel.put(l, 0L));
    Map<String, Stretch> longest = new LinkedHashMap<>();
    Optional<PartySegment> firstNegative = Optional.empty();
    List<PartySegment> run = new ArrayList<>();
    for (PartySegment s : segments) {
      long ns = nanos(s);
      speechNs += ns;
      EmotionResult r = s.result();
      if (!r.isEmotion()) { // FAILED: speech without a label; it ends a stretch
        closeRun(run, longest);
        continue;
      }
      labelledNs += ns;
      perLabel.merge(r.label(), ns, Long::sum);
      if (firstNegative.isEmpty() && negative.contains(r.label())) {
        firstNegative = Optional.of(s);
      }
      if (!run.isEmpty() && !run.get(0).result().label().equals(r.label())) {
        closeRun(run, longest);
      }
      run.add(s);
    }
    closeRun(run, longest);
    Map<String, Duration> time = new LinkedHashMap<>();
    Map<String, Double> share = new LinkedHashMap<>();
    for (Map.Entry<String, Long> e : perLabel.entrySet()) {
      time.put(e.getKey(), Duration.ofNanos(e.getValue()));
      share.put(e.getKey(), labelledNs == 0 ? 0.0 : e.getValue() / (double) labelledNs);
    }
    return new PartySummary(party, Duration.ofNanos(speechNs), time, share, longest,
        firstNegative, trend(segments.stream().filter(s -> s.result().isEmotion()).toList()));
  }

  private static void closeRun(List<PartySegment> run, Map<String, Stretch> longest) {
    if (run.isEmpty()) {
      return;
    }
    String label = run.get(0).result().label();
    long ns = run.stream().mapToLong(CallSummarizer::nanos).sum();
    Stretch s = new Stretch(label, run.get(0).start(), run.get(run.size() - 1).end(),
        Duration.ofNanos(ns), run.size());
    Stretch best = longest.get(label);
    if (best == null || s.speech().compareTo(best.speech()) > 0) { // ties: the earlier stays
      longest.put(label, s);
    }
    run.clear();
  }

  /**
   * Mean negativity over the first and the last {@code w = min(N, T/2)} of the labelled speech,
   * laid end to end (pauses removed), each segment weighted by how much of it lies in the window.
   */
  private Trend trend(List<PartySegment> labelled) {
    long total = labelled.stream().mapToLong(CallSummarizer::nanos).sum();
    long w = Math.min(trendWindow.toNanos(), total / 2);
    if (negative.isEmpty() || w <= 0) {
      return new Trend(Duration.ofNanos(Math.max(w, 0)), OptionalDouble.empty(),
          OptionalDouble.empty(), Direction.UNKNOWN);
    }
    double start = meanNegativity(labelled, 0, w);
    double end = meanNegativity(labelled, total - w, total);
    double change = end - start;
    Direction d = change > trendThreshold ? Direction.WORSE
        : change < -trendThreshold ? Direction.BETTER : Direction.STEADY;
    return new Trend(Duration.ofNanos(w), OptionalDouble.of(start), OptionalDouble.of(end), d);
  }

  /** Mean negativity over {@code [from, to)} of the speech-time axis (nanoseconds). */
  private double meanNegativity(List<PartySegment> labelled, long from, long to) {
    double sum = 0;
    long at = 0;
    for (PartySegment s : labelled) {
      long ns = nanos(s);
      long overlap = Math.min(at + ns, to) - Math.max(at, from);
      if (overlap > 0) {
        sum += overlap * negativity(s.result());
      }
      at += ns;
    }
    return sum / (to - from);
  }

  private double negativity(EmotionResult r) {
    double p = 0;
    for (String l : negative) {
      p += r.probability(l);
    }
    return p;
  }

  /** Time covered by two or more parties' speech at once. */
  private static Duration talkOver(List<PartySegment> speech) {
    List<long[]> events = new ArrayList<>(); // {time, +1 | -1}
    for (PartySegment s : speech) {
      events.add(new long[] {s.start().toNanos(), 1});
      events.add(new long[] {s.end().toNanos(), -1});
    }
    // at equal times, ends first: touching segments do not overlap
    events.sort(Comparator.<long[]>comparingLong(e -> e[0]).thenComparingLong(e -> e[1]));
    long over = 0;
    int active = 0;
    long prev = 0;
    for (long[] e : events) {
      if (active >= 2) {
        over += e[0] - prev;
      }
      active += (int) e[1];
      prev = e[0];
    }
    return Duration.ofNanos(over);
  }

  /** Silences longer than {@code minGap} between the first and the last speech of any party. */
  private List<Gap> gaps(List<PartySegment> speech) {
    List<PartySegment> byStart = new ArrayList<>(speech);
    byStart.sort(Comparator.comparing(PartySegment::start));
    List<Gap> out = new ArrayList<>();
    Duration coveredTo = null;
    for (PartySegment s : byStart) {
      if (coveredTo != null && s.start().minus(coveredTo).compareTo(minGap) > 0) {
        out.add(new Gap(coveredTo, s.start()));
      }
      if (coveredTo == null || s.end().compareTo(coveredTo) > 0) {
        coveredTo = s.end();
      }
    }
    return out;
  }

  private static long nanos(PartySegment s) {
    return s.end().toNanos() - s.start().toNanos();
  }

  /** Builder; {@link #build()} checks the settings and names the bad one. */
  public static final class Builder {
    private final List<String> labels;
    private Set<String> negative = Set.of();
    private Duration trendWindow = Duration.ofSeconds(30);
    private double trendThreshold = 0.1;
    private Duration minGap = Duration.ofSeconds(5);

    private Builder(List<String> labels) {
      Objects.requireNonNull(labels, "labels");
      if (labels.isEmpty()) {
        throw new IllegalArgumentException("labels: the bundle's labels must not be empty");
      }
      this.labels = List.copyOf(labels);
    }

    /** Labels counted as negative; each must be one of the bundle's. Default: none. */
    public Builder negativeLabels(String... labels) {
      return negativeLabels(List.of(Objects.requireNonNull(labels, "labels")));
    }

    public Builder negativeLabels(Collection<String> labels) {
      this.negative = new LinkedHashSet<>(Objects.requireNonNull(labels, "labels"));
      return this;
    }

    /** N of the trend: the first and last N of each party's speech. Default 30 s. */
    public Builder trendWindow(Duration window) {
      this.trendWindow = Objects.requireNonNull(window, "window");
      return this;
    }

    /** How much the mean negativity must change to count as BETTER/WORSE. Default 0.1. */
    public Builder trendThreshold(double threshold) {
      this.trendThreshold = threshold;
      return this;
    }

    /** The shortest silence reported as a gap (a gap must be longer). Default 5 s. */
    public Builder minGap(Duration minGap) {
      this.minGap = Objects.requireNonNull(minGap, "minGap");
      return this;
    }

    public CallSummarizer build() {
      for (String l : negative) {
        if (!labels.contains(l)) {
          throw new IllegalArgumentException("negativeLabels: '" + l + "' is not a label of the"
              + " bundle; its labels are " + labels);
        }
      }
      if (trendWindow.isNegative() || trendWindow.isZero()) {
        throw new IllegalArgumentException("trendWindow: must be > 0, got " + trendWindow);
      }
      if (!(trendThreshold >= 0 && trendThreshold <= 1)) {
        throw new IllegalArgumentException("trendThreshold: must be in [0, 1], got "
            + trendThreshold);
      }
      if (minGap.isNegative()) {
        throw new IllegalArgumentException("minGap: must be >= 0, got " + minGap);
      }
      return new CallSummarizer(this);
    }
  }
}

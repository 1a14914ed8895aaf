package io.mersdk;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What became of one utterance: an emotion, no speech, or (batch items only) a failure. Immutable
 * and thread-safe.
 *
 * <p>The emotion accessors ({@link #label()}, {@link #confidence()}, {@link #probabilities()},
 * {@link #probability(String)}, {@link #transcript()}) exist only for {@link Outcome#EMOTION}: on
 * any other outcome they throw {@link IllegalStateException} saying which outcome it is, so that
 * "no speech" can never be read as an emotion. Check {@link #outcome()} or {@link #isEmotion()}
 * first:
 *
 * <pre>{@code
 * EmotionResult r = recognizer.recognize(source);
 * switch (r.outcome()) {
 *   case EMOTION -> System.out.println(r.label() + " " + r.confidence());
 *   case NO_SPEECH -> System.out.println("no speech: " + r.speech());
 *   case FAILED -> System.out.println("failed: " + r.error().getMessage());
 * }
 * }</pre>
 *
 * <p>Every other accessor works on every outcome and never returns null. Results are built by
 * backends and tests through {@link #emotion}, {@link #noSpeech} and {@link #failed}; fields may be
 * added in later versions without breaking callers.
 */
public final class EmotionResult {
  private final Outcome outcome;
  private final String label;
  private final Map<String, Double> probabilities;
  private final String transcript;
  private final boolean transcriptSupplied;
  private final List<Integer> asrTokenIds;
  private final List<Integer> textTokenIds;
  private final SpeechDecision speech;
  private final MerException error;
  private final StageTimings timings;
  private final Device device;
  private final String bundleId;

  private EmotionResult(Builder b) {
    this.outcome = b.outcome;
    this.probabilities = b.probabilities;
    this.label = b.label;
    this.transcript = b.transcript;
    this.transcriptSupplied = b.transcriptSupplied;
    this.asrTokenIds = b.asrTokenIds;
    this.textTokenIds = b.textTokenIds;
    this.speech = b.speech;
    this.error = b.error;
    this.timings = b.timings;
    this.device = b.device;
    this.bundleId = b.bundleId;
  }

  /**
   * Starts an {@link Outcome#EMOTION} result. The label is the most probable one (the first in
   * label order on a tie).
   *
   * @param probabilities every label's probability, in the bundle's label order, finite, in [0, 1]
   */
  public static Builder emotion(Map<String, Double> probabilities) {
    Builder b = new Builder(Outcome.EMOTION);
    if (probabilities == null || probabilities.isEmpty()) {
      throw new IllegalArgumentException("probabilities: must name at least one label");
    }
    String best = null;
    double bestP = Double.NEGATIVE_INFINITY;
    for (Map.Entry<String, Double> e : probabilities.entrySet()) {
      Double p = e.getValue();
      if (e.getKey() == null || p == null || !(p >= 0 && p <= 1)) {
        throw new IllegalArgumentException(
            "probabilities: label " + e.getKey() + " has probability " + p + " (must be in [0, 1])");
      }
      if (p > bestP) {
        best = e.getKey();
        bestP = p;
      }
    }
    b.probabilities = Collections.unmodifiableMap(new LinkedHashMap<>(probabilities));
    b.label = best;
    return b;
  }

  /**
   * Starts a {@link Outcome#NO_SPEECH} result.
   *
   * @param speech the decision, which must say no speech
   */
  public static Builder noSpeech(SpeechDecision speech) {
    Objects.requireNonNull(speech, "speech");
    if (speech.isSpeech()) {
      throw new IllegalArgumentException("a NO_SPEECH result needs a decision that says no speech");
    }
    Builder b = new Builder(Outcome.NO_SPEECH);
    b.speech = speech;
    return b;
  }

  /** Starts a {@link Outcome#FAILED} result carrying the item's typed exception. */
  public static Builder failed(MerException error) {
    Builder b = new Builder(Outcome.FAILED);
    b.error = Objects.requireNonNull(error, "error");
    return b;
  }

  /** A copy to change (e.g. to add the acoustic gate's evidence or timings). */
  public Builder toBuilder() {
    Builder b = new Builder(outcome);
    b.label = label;
    b.probabilities = probabilities;
    b.transcript = transcript;
    b.transcriptSupplied = transcriptSupplied;
    b.asrTokenIds = asrTokenIds;
    b.textTokenIds = textTokenIds;
    b.speech = speech;
    b.error = error;
    b.timings = timings;
    b.device = device;
    b.bundleId = bundleId;
    return b;
  }

  public Outcome outcome() {
    return outcome;
  }

  public boolean isEmotion() {
    return outcome == Outcome.EMOTION;
  }

  public boolean isNoSpeech() {
    return outcome == Outcome.NO_SPEECH;
  }

  public boolean isFailed() {
    return outcome == Outcome.FAILED;
  }

  /** The most probable label. Only for {@link Outcome#EMOTION}. */
  public String label() {
    requireEmotion("label");
    return label;
  }

  /** Probability of the top label. Only for {@link Outcome#EMOTION}. */
  public double confidence() {
    requireEmotion("confidence");
    return probabilities.get(label);
  }

  /**
   * Probability of every label, in the bundle's label order (the map's iteration order), summing
   * to 1. Only for {@link Outcome#EMOTION}.
   */
  public Map<String, Double> probabilities() {
    requireEmotion("probabilities");
    return probabilities;
  }

  /** Probability of {@code name}. Only for {@link Outcome#EMOTION}; throws for an unknown label. */
  public double probability(String name) {
    requireEmotion("probability");
    Double p = probabilities.get(name);
    if (p == null) {
      throw new IllegalArgumentException(
          "no label '" + name + "' in bundle " + bundleId + "; labels: " + probabilities.keySet());
    }
    return p;
  }

  /**
   * The transcript the text encoder read: the ASR hypothesis or the caller's; empty for a bundle
   * without the text modality. Only for {@link Outcome#EMOTION}.
   */
  public String transcript() {
    requireEmotion("transcript");
    return transcript;
  }

  /** True when the caller supplied the transcript (no ASR decoding ran). */
  public boolean transcriptSupplied() {
    return transcriptSupplied;
  }

  /**
   * The Whisper tokens of greedy decoding, without the start sequence and the end token; empty
   * unless the outcome is {@link Outcome#EMOTION} and ASR ran.
   */
  public List<Integer> asrTokenIds() {
    return isEmotion() ? asrTokenIds : List.of();
  }

  /** The text encoder's token ids, special tokens included; empty unless {@link Outcome#EMOTION}. */
  public List<Integer> textTokenIds() {
    return isEmotion() ? textTokenIds : List.of();
  }

  /**
   * The speech decision and its evidence. For {@link Outcome#FAILED} items the decision is
   * {@link SpeechDecision.Basis#NOT_CHECKED} unless it was made before the failure.
   */
  public SpeechDecision speech() {
    return speech;
  }

  /** The item's typed exception. Only for {@link Outcome#FAILED}. */
  public MerException error() {
    if (outcome != Outcome.FAILED) {
      throw new IllegalStateException("error(): the outcome is " + outcome + ", not FAILED");
    }
    return error;
  }

  /** The failure as an Optional: present exactly for {@link Outcome#FAILED}. */
  public Optional<MerException> failure() {
    return Optional.ofNullable(error);
  }

  /** Per-stage wall-clock timings of the call that produced this result. */
  public StageTimings timings() {
    return timings;
  }

  /** The device that ran the models ({@link Device#CPU} or {@code Device.cuda(n)}). */
  public Device device() {
    return device;
  }

  /** The {@code bundle_id} of the model bundle's manifest. */
  public String bundleId() {
    return bundleId;
  }

  private void requireEmotion(String accessor) {
    if (outcome != Outcome.EMOTION) {
      String why = outcome == Outcome.NO_SPEECH
          ? "no speech was found (" + speech + ")"
          : "recognition failed (" + error.getMessage() + ")";
      throw new IllegalStateException(accessor + "(): the outcome is " + outcome + ": " + why
          + "; check outcome() or isEmotion() first");
    }
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof EmotionResult r)) {
      return false;
    }
    return outcome == r.outcome && Objects.equals(label, r.label)
        && Objects.equals(probabilities, r.probabilities) && Objects.equals(transcript, r.transcript)
        && transcriptSupplied == r.transcriptSupplied && asrTokenIds.equals(r.asrTokenIds)
        && textTokenIds.equals(r.textTokenIds) && speech.equals(r.speech)
        && Objects.equals(error, r.error) && timings.equals(r.timings) && device.equals(r.device)
        && bundleId.equals(r.bundleId);
  }

  @Override
  public int hashCode() {
    return Objects.hash(outcome, label, probabilities, transcript, speech, bundleId);
  }

  /** Never prints the transcript (it may be personal data): label, probabilities, decision. */
  @Override
  public String toString() {
    switch (outcome) {
      case EMOTION:
        return "EmotionResult[EMOTION " + label + " " + probabilities + ", " + speech + ", "
            + device + ", " + bundleId + "]";
      case NO_SPEECH:
        return "EmotionResult[NO_SPEECH " + speech + ", " + device + ", " + bundleId + "]";
      default:
        return "EmotionResult[FAILED " + error + "]";
    }
  }

  /** Builds an {@link EmotionResult}; started by {@link #emotion}, {@link #noSpeech}, {@link #failed}. */
  public static final class Builder {
    private final Outcome outcome;
    private String label;
    private Map<String, Double> probabilities;
    private String transcript = "";
    private boolean transcriptSupplied;
    private List<Integer> asrTokenIds = List.of();
    private List<Integer> textTokenIds = List.of();
    private SpeechDecision speech;
    private MerException error;
    private StageTimings timings = StageTimings.zero();
    private Device device = Device.CPU;
    private String bundleId = "";

    private Builder(Outcome outcome) {
      this.outcome = outcome;
    }

    /** The transcript read by the text encoder, and whether the caller supplied it. */
    public Builder transcript(String transcript, boolean supplied) {
      this.transcript = Objects.requireNonNull(transcript, "transcript");
      this.transcriptSupplied = supplied;
      return this;
    }

    public Builder asrTokenIds(List<Integer> ids) {
      this.asrTokenIds = List.copyOf(ids);
      return this;
    }

    public Builder textTokenIds(List<Integer> ids) {
      this.textTokenIds = List.copyOf(ids);
      return this;
    }

    public Builder speech(SpeechDecision speech) {
      this.speech = Objects.requireNonNull(speech, "speech");
      return this;
    }

    public Builder timings(StageTimings timings) {
      this.timings = Objects.requireNonNull(timings, "timings");
      return this;
    }

    public Builder device(Device device) {
      this.device = Objects.requireNonNull(device, "device");
      return this;
    }

    public Builder bundleId(String bundleId) {
      this.bundleId = Objects.requireNonNull(bundleId, "bundleId");
      return this;
    }

    public EmotionResult build() {
      if (speech == null) {
        if (outcome == Outcome.EMOTION || outcome == Outcome.FAILED) {
          speech = SpeechDecision.builder(true, SpeechDecision.Basis.NOT_CHECKED).build();
        }
      } else if (outcome == Outcome.EMOTION && !speech.isSpeech()) {
        throw new IllegalArgumentException("an EMOTION result needs a decision that says speech");
      } else if (outcome == Outcome.NO_SPEECH && speech.isSpeech()) {
        throw new IllegalArgumentException("a NO_SPEECH result needs a decision that says no speech");
      }
      return new EmotionResult(this);
    }
  }
}

package io.mersdk.spi;

import io.mersdk.MerException;
import io.mersdk.StageTimings;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * SPI: what a backend computed for one item of a batch ({@link InferenceBackend#recognize}), the
 * model's side only. The recogniser turns it into the public {@link io.mersdk.EmotionResult}: it
 * makes the speech decision (the acoustic gate's activity with the Whisper evidence here, read with
 * the thresholds in effect), adds the gate's and the call's timings, the device and the bundle id.
 * A backend never decides "no speech" itself. Immutable.
 *
 * <p>Either {@link #computed computed} (every label's probability, the transcript and token ids,
 * the decoding evidence when Whisper decoded, the batch's stage timings) or {@link #failed failed}
 * with the item's typed exception (an inference error that hit this item alone).
 */
public final class ItemEvidence {
  private final Map<String, Double> probabilities;
  private final String transcript;
  private final boolean transcriptSupplied;
  private final List<Integer> asrTokenIds;
  private final List<Integer> textTokenIds;
  private final Decoding decoding;
  private final StageTimings timings;
  private final MerException error;

  private ItemEvidence(Builder b, MerException error) {
    this.probabilities = b == null ? Map.of() : b.probabilities;
    this.transcript = b == null ? "" : b.transcript;
    this.transcriptSupplied = b != null && b.transcriptSupplied;
    this.asrTokenIds = b == null ? List.of() : b.asrTokenIds;
    this.textTokenIds = b == null ? List.of() : b.textTokenIds;
    this.decoding = b == null ? null : b.decoding;
    this.timings = b == null ? StageTimings.zero() : b.timings;
    this.error = error;
  }

  /**
   * Starts the evidence of an item the models ran on.
   *
   * @param probabilities every label's probability, in the bundle's label order (checked when the
   *     recogniser builds the result)
   */
  public static Builder computed(Map<String, Double> probabilities) {
    return new Builder(probabilities);
  }

  /** An item that failed alone (the others of its batch are unaffected). */
  public static ItemEvidence failed(MerException error) {
    return new ItemEvidence(null, Objects.requireNonNull(error, "error"));
  }

  /** The item's typed exception; empty when the models ran on it. */
  public Optional<MerException> failure() {
    return Optional.ofNullable(error);
  }

  /** Every label's probability, in label order; empty for a failed item. */
  public Map<String, Double> probabilities() {
    return probabilities;
  }

  /** The transcript the text encoder read (empty without the text modality). */
  public String transcript() {
    return transcript;
  }

  public boolean transcriptSupplied() {
    return transcriptSupplied;
  }

  public List<Integer> asrTokenIds() {
    return asrTokenIds;
  }

  public List<Integer> textTokenIds() {
    return textTokenIds;
  }

  /** Whisper's evidence from greedy decoding; empty when no decoding ran for this item. */
  public Optional<Decoding> decoding() {
    return Optional.ofNullable(decoding);
  }

  /** The model stages' timings of the batch (the recogniser adds the gate's and the total). */
  public StageTimings timings() {
    return timings;
  }

  /**
   * Whisper's evidence with openai-whisper's definitions ({@link io.mersdk.SpeechDecision}).
   *
   * @param noSpeechProbability the no-speech probability; empty when the bundle has no such token
   * @param avgLogProbability the mean log-probability of the decoded tokens
   * @param compressionRatio the transcript's compression ratio
   */
  public record Decoding(
      OptionalDouble noSpeechProbability, double avgLogProbability, double compressionRatio) {
    public Decoding {
      Objects.requireNonNull(noSpeechProbability, "noSpeechProbability");
    }
  }

  /** Builds the evidence of a computed item; unset parts stay empty. */
  public static final class Builder {
    private final Map<String, Double> probabilities;
    private String transcript = "";
    private boolean transcriptSupplied;
    private List<Integer> asrTokenIds = List.of();
    private List<Integer> textTokenIds = List.of();
    private Decoding decoding;
    private StageTimings timings = StageTimings.zero();

    private Builder(Map<String, Double> probabilities) {
      this.probabilities = Collections.unmodifiableMap(
          new LinkedHashMap<>(Objects.requireNonNull(probabilities, "probabilities")));
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

    public Builder decoding(Decoding decoding) {
      this.decoding = Objects.requireNonNull(decoding, "decoding");
      return this;
    }

    public Builder timings(StageTimings timings) {
      this.timings = Objects.requireNonNull(timings, "timings");
      return this;
    }

    public ItemEvidence build() {
      return new ItemEvidence(this, null);
    }
  }
}

package io.mersdk;

import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * Whether an utterance holds speech, and the evidence the decision rests on. Immutable.
 *
 * <p>Two sources of evidence, in this order (docs/architecture.md, "Speech or not"):
 *
 * <ol>
 *   <li>the <b>acoustic gate</b>: a {@link io.mersdk.spi.SpeechDetector} looks at the samples before
 *       any model runs; silence, noise, hum, tones and music stop here, and no encoder runs;
 *   <li>the <b>model</b>: Whisper's own evidence from greedy decoding, with openai-whisper's
 *       definitions: the no-speech probability (softmax at the start-of-transcript position of the
 *       first decoder step, before token suppression, at the bundle's no-speech token), the
 *       average log-probability of the decoded tokens, and the transcript's compression ratio. No
 *       speech when {@code noSpeechProbability > noSpeech threshold} and {@code avgLogProbability <
 *       logProb threshold}, or when {@code compressionRatio > compressionRatio threshold} and
 *       {@code avgLogProbability < logProb threshold} (a repetitive, unlikely transcript). The
 *       thresholds come from the bundle ({@link BundleInfo#speechThresholds()}) unless the builder
 *       overrides them.
 * </ol>
 *
 * <p>A bundle without Whisper decoding (speech only, or an ASR tokenizer without a no-speech token)
 * has no model evidence: the acoustic gate decides alone.
 */
public final class SpeechDecision {
  /** What the decision rests on. */
  public enum Basis {
    /** The acoustic gate found no speech; no model ran. */
    ACOUSTIC_GATE,
    /** The gate passed the audio (or was off) and Whisper's evidence decided. */
    MODEL,
    /** The gate passed the audio and the bundle has no model evidence: the gate decided alone. */
    ACOUSTIC_GATE_ONLY,
    /** Neither the gate (turned off) nor the model (no evidence) looked: taken as speech. */
    NOT_CHECKED
  }

  private final boolean speech;
  private final Basis basis;
  private final Duration speechDuration;
  private final double noSpeechProbability;
  private final double avgLogProbability;
  private final double compressionRatio;

  private SpeechDecision(Builder b) {
    this.speech = b.speech;
    this.basis = b.basis;
    this.speechDuration = b.speechDuration;
    this.noSpeechProbability = b.noSpeechProbability;
    this.avgLogProbability = b.avgLogProbability;
    this.compressionRatio = b.compressionRatio;
  }

  /** Starts a decision; {@code speech} and {@code basis} are required. */
  public static Builder builder(boolean speech, Basis basis) {
    return new Builder(speech, basis);
  }

  /** A copy to change. */
  public Builder toBuilder() {
    Builder b = new Builder(speech, basis);
    b.speechDuration = speechDuration;
    b.noSpeechProbability = noSpeechProbability;
    b.avgLogProbability = avgLogProbability;
    b.compressionRatio = compressionRatio;
    return b;
  }

  /** True when the utterance holds speech (and so has an emotion). */
  public boolean isSpeech() {
    return speech;
  }

  public Basis basis() {
    return basis;
  }

  /** How much speech the acoustic gate found; empty when the gate did not run. */
  public Optional<Duration> speechDuration() {
    return Optional.ofNullable(speechDuration);
  }

  /** Whisper's no-speech probability; empty when no decoding ran or the bundle has no such token. */
  public OptionalDouble noSpeechProbability() {
    return opt(noSpeechProbability);
  }

  /** Mean log-probability of the decoded tokens (openai-whisper's avg_logprob); empty without decoding. */
  public OptionalDouble avgLogProbability() {
    return opt(avgLogProbability);
  }

  /** UTF-8 bytes of the transcript over its zlib-compressed bytes; empty without decoding. */
  public OptionalDouble compressionRatio() {
    return opt(compressionRatio);
  }

  private static OptionalDouble opt(double v) {
    return Double.isNaN(v) ? OptionalDouble.empty() : OptionalDouble.of(v);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SpeechDecision d && d.speech == speech && d.basis == basis
        && Objects.equals(d.speechDuration, speechDuration)
        && Double.compare(d.noSpeechProbability, noSpeechProbability) == 0
        && Double.compare(d.avgLogProbability, avgLogProbability) == 0
        && Double.compare(d.compressionRatio, compressionRatio) == 0;
  }

  @Override
  public int hashCode() {
    return Objects.hash(speech, basis, speechDuration, noSpeechProbability, avgLogProbability,
        compressionRatio);
  }

  @Override
  public String toString() {
    StringBuilder s = new StringBuilder(speech ? "speech" : "no speech").append(" (").append(
        basis.name().toLowerCase(Locale.ROOT));
    speechDuration().ifPresent(d -> s.append(", speech ").append(d.toMillis()).append(" ms"));
    noSpeechProbability().ifPresent(v -> s.append(String.format(Locale.ROOT, ", no_speech_prob %.3f", v)));
    avgLogProbability().ifPresent(v -> s.append(String.format(Locale.ROOT, ", avg_logprob %.3f", v)));
    compressionRatio().ifPresent(v -> s.append(String.format(Locale.ROOT, ", compression %.2f", v)));
    return s.append(')').toString();
  }

  /** Builds a {@link SpeechDecision}; unset evidence stays empty. */
  public static final class Builder {
    private final boolean speech;
    private final Basis basis;
    private Duration speechDuration;
    private double noSpeechProbability = Double.NaN;
    private double avgLogProbability = Double.NaN;
    private double compressionRatio = Double.NaN;

    private Builder(boolean speech, Basis basis) {
      this.speech = speech;
      this.basis = Objects.requireNonNull(basis, "basis");
    }

    public Builder speechDuration(Duration d) {
      if (d != null && d.isNegative()) {
        throw new IllegalArgumentException("speechDuration: must be >= 0, got " + d);
      }
      this.speechDuration = d;
      return this;
    }

    public Builder noSpeechProbability(double p) {
      if (!(p >= 0 && p <= 1)) {
        throw new IllegalArgumentException("noSpeechProbability: must be in [0, 1], got " + p);
      }
      this.noSpeechProbability = p;
      return this;
    }

    public Builder avgLogProbability(double lp) {
      if (Double.isNaN(lp) || lp > 0) {
        throw new IllegalArgumentException("avgLogProbability: must be <= 0, got " + lp);
      }
      this.avgLogProbability = lp;
      return this;
    }

    public Builder compressionRatio(double r) {
      if (!(r >= 0) || Double.isInfinite(r)) {
        throw new IllegalArgumentException("compressionRatio: must be finite and >= 0, got " + r);
      }
      this.compressionRatio = r;
      return this;
    }

    public SpeechDecision build() {
      if (speech && basis == Basis.ACOUSTIC_GATE) {
        throw new IllegalArgumentException("basis ACOUSTIC_GATE means the gate found no speech");
      }
      if (!speech && (basis == Basis.NOT_CHECKED || basis == Basis.ACOUSTIC_GATE_ONLY)) {
        throw new IllegalArgumentException("no speech needs evidence: basis ACOUSTIC_GATE or MODEL");
      }
      return new SpeechDecision(this);
    }
  }
}

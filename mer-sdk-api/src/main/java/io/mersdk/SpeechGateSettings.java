package io.mersdk;

import java.time.Duration;
import java.util.Locale;
import java.util.Objects;

/**
 * Settings of the acoustic speech gate (the default detector is Silero VAD, mer-sdk-vad), passed to
 * the {@link io.mersdk.spi.SpeechDetectorProvider} by {@code
 * EmotionRecognizer.Builder#speechGateSettings}. Immutable and thread-safe.
 *
 * <p>Per 32 ms window the detector gives a speech probability; speech starts at a window at or
 * above {@link #threshold()} and ends after {@link #minSilence()} of windows below {@code
 * threshold - 0.15} (Silero's own hysteresis); a stretch of speech shorter than {@link
 * #minSpeech()} does not count. An utterance holds speech when one stretch counts. {@link
 * #padding()} widens the stretches (it changes the reported speech time, not the decision).
 * Defaults are Silero's ({@code get_speech_timestamps}): 0.5, 250 ms, 100 ms, 30 ms. See
 * docs/audio.md, "The speech gate".
 */
public final class SpeechGateSettings {
  /** Below the start threshold by this much, a window ends speech (Silero's {@code neg_threshold}). */
  public static final double HYSTERESIS = 0.15;

  private static final SpeechGateSettings DEFAULTS = builder().build();

  private final double threshold;
  private final Duration minSpeech;
  private final Duration minSilence;
  private final Duration padding;

  private SpeechGateSettings(Builder b) {
    this.threshold = b.threshold;
    this.minSpeech = b.minSpeech;
    this.minSilence = b.minSilence;
    this.padding = b.padding;
  }

  public static SpeechGateSettings defaults() {
    return DEFAULTS;
  }

  public static Builder builder() {
    return new Builder();
  }

  public Builder toBuilder() {
    return new Builder().threshold(threshold).minSpeech(minSpeech).minSilence(minSilence)
        .padding(padding);
  }

  /** Probability at or above which a window starts speech; default 0.5. */
  public double threshold() {
    return threshold;
  }

  /** Probability below which a window counts towards the end of speech: threshold - 0.15. */
  public double negThreshold() {
    return Math.max(0.01, threshold - HYSTERESIS);
  }

  /** Shortest stretch of speech that counts; default 250 ms. */
  public Duration minSpeech() {
    return minSpeech;
  }

  /** Pause that ends a stretch of speech; default 100 ms. */
  public Duration minSilence() {
    return minSilence;
  }

  /** Added to each side of a stretch of speech; default 30 ms. */
  public Duration padding() {
    return padding;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SpeechGateSettings s && s.threshold == threshold
        && s.minSpeech.equals(minSpeech) && s.minSilence.equals(minSilence)
        && s.padding.equals(padding);
  }

  @Override
  public int hashCode() {
    return Objects.hash(threshold, minSpeech, minSilence, padding);
  }

  @Override
  public String toString() {
    return String.format(Locale.ROOT,
        "SpeechGateSettings[threshold=%.3f, minSpeech=%d ms, minSilence=%d ms, padding=%d ms]",
        threshold, minSpeech.toMillis(), minSilence.toMillis(), padding.toMillis());
  }

  /** Builder; {@link #build()} checks each setting and names the bad one. */
  public static final class Builder {
    private double threshold = 0.5;
    private Duration minSpeech = Duration.ofMillis(250);
    private Duration minSilence = Duration.ofMillis(100);
    private Duration padding = Duration.ofMillis(30);

    private Builder() {}

    public Builder threshold(double threshold) {
      this.threshold = threshold;
      return this;
    }

    public Builder minSpeech(Duration minSpeech) {
      this.minSpeech = Objects.requireNonNull(minSpeech, "minSpeech");
      return this;
    }

    public Builder minSilence(Duration minSilence) {
      this.minSilence = Objects.requireNonNull(minSilence, "minSilence");
      return this;
    }

    public Builder padding(Duration padding) {
      this.padding = Objects.requireNonNull(padding, "padding");
      return this;
    }

    public SpeechGateSettings build() {
      if (!(threshold > 0 && threshold < 1)) {
        throw new IllegalArgumentException("threshold: must be within (0, 1), got " + threshold);
      }
      if (minSpeech.isNegative() || minSpeech.compareTo(Duration.ofSeconds(10)) > 0) {
        throw new IllegalArgumentException("minSpeech: must be within [0, 10 s], got " + minSpeech);
      }
      if (minSilence.isNegative() || minSilence.compareTo(Duration.ofSeconds(10)) > 0) {
        throw new IllegalArgumentException(
            "minSilence: must be within [0, 10 s], got " + minSilence);
      }
      if (padding.isNegative() || padding.compareTo(Duration.ofSeconds(2)) > 0) {
        throw new IllegalArgumentException("padding: must be within [0, 2 s], got " + padding);
      }
      return new SpeechGateSettings(this);
    }
  }
}

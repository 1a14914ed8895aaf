package io.mersdk.audio;

import java.time.Duration;
import java.util.Objects;

/**
 * Limits applied when an {@link AudioSources} source is read. Immutable and thread-safe.
 *
 * <pre>{@code
 * DecodeOptions opts = DecodeOptions.builder().maxDuration(Duration.ofHours(3)).build();
 * AudioSource source = AudioSources.of(path, opts);
 * }</pre>
 */
public final class DecodeOptions {
  /** Longest recording read by default: one hour (230 MB of 16 kHz float samples). */
  public static final Duration DEFAULT_MAX_DURATION = Duration.ofHours(1);

  /**
   * Shortest recording read by default: 0.1 s. Shorter audio holds no utterance (see
   * docs/audio.md) and is below what the speech encoders can frame.
   */
  public static final Duration DEFAULT_MIN_DURATION = Duration.ofMillis(100);

  private static final DecodeOptions DEFAULTS = builder().build();

  private final Duration maxDuration;
  private final Duration minDuration;

  private DecodeOptions(Builder b) {
    this.maxDuration = b.maxDuration;
    this.minDuration = b.minDuration;
  }

  /** The defaults: at most {@link #DEFAULT_MAX_DURATION}, at least {@link #DEFAULT_MIN_DURATION}. */
  public static DecodeOptions defaults() {
    return DEFAULTS;
  }

  public static Builder builder() {
    return new Builder();
  }

  public Builder toBuilder() {
    return new Builder().maxDuration(maxDuration).minDuration(minDuration);
  }

  /**
   * Audio longer than this is refused with an {@code AudioException} before it is all in memory:
   * memory grows with the audio actually read and stops at this bound.
   */
  public Duration maxDuration() {
    return maxDuration;
  }

  /** Audio shorter than this is refused with an {@code AudioException}. */
  public Duration minDuration() {
    return minDuration;
  }

  @Override
  public String toString() {
    return "DecodeOptions[maxDuration=" + maxDuration + ", minDuration=" + minDuration + "]";
  }

  /** Builder; {@link #build()} checks the settings and names the bad one. */
  public static final class Builder {
    private Duration maxDuration = DEFAULT_MAX_DURATION;
    private Duration minDuration = DEFAULT_MIN_DURATION;

    private Builder() {}

    public Builder maxDuration(Duration maxDuration) {
      this.maxDuration = Objects.requireNonNull(maxDuration, "maxDuration");
      return this;
    }

    public Builder minDuration(Duration minDuration) {
      this.minDuration = Objects.requireNonNull(minDuration, "minDuration");
      return this;
    }

    public DecodeOptions build() {
      if (maxDuration.isNegative() || maxDuration.isZero()) {
        throw new IllegalArgumentException("maxDuration: must be > 0, got " + maxDuration);
      }
      // 2^31 samples is the largest float[]; at 16 kHz that is 37 hours.
      if (maxDuration.compareTo(Duration.ofHours(24)) > 0) {
        throw new IllegalArgumentException(
            "maxDuration: at most 24 h (one float[] must hold it), got " + maxDuration);
      }
      if (minDuration.isNegative()) {
        throw new IllegalArgumentException("minDuration: must be >= 0, got " + minDuration);
      }
      if (minDuration.compareTo(maxDuration) > 0) {
        throw new IllegalArgumentException(
            "minDuration: " + minDuration + " is longer than maxDuration " + maxDuration);
      }
      return new DecodeOptions(this);
    }
  }
}

package io.mersdk;

import java.time.Duration;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Wall-clock time spent in each stage of one call. Immutable. For a batch call the model stages
 * are those of the whole padded batch, shared by its results. A stage that did not run (for example
 * {@link Stage#ASR_DECODE} when the caller supplied the transcript, or every model stage when the
 * acoustic gate found no speech) is {@link Duration#ZERO}.
 */
public final class StageTimings {
  /** The stages in the order the data flows through them. */
  public enum Stage {
    /** The acoustic speech gate ({@link io.mersdk.spi.SpeechDetector}). */
    SPEECH_GATE,
    /** Log-mel features for Whisper. */
    FEATURES,
    /** Whisper encoder (context states and cross-attention K/V). */
    ASR_ENCODE,
    /** Whisper greedy decoding. */
    ASR_DECODE,
    /** The speech encoder (WavLM), {@link Modality#SPEECH}. */
    SPEECH_ENCODER,
    /** The text encoder (RoBERTa), {@link Modality#TEXT}. */
    TEXT_ENCODER,
    /** The fusion head. */
    HEAD,
    /** The whole call, from the recogniser's entry to the result. */
    TOTAL;

    /** The snake_case name used in JSON, CSV, metrics tags: {@code speech_gate}, {@code asr_encode}... */
    public String key() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  private static final StageTimings ZERO = new StageTimings(new EnumMap<>(Stage.class));

  private final EnumMap<Stage, Duration> times;

  private StageTimings(EnumMap<Stage, Duration> times) {
    this.times = times;
  }

  /** No stage ran. */
  public static StageTimings zero() {
    return ZERO;
  }

  public static Builder builder() {
    return new Builder(new EnumMap<>(Stage.class));
  }

  public Builder toBuilder() {
    return new Builder(new EnumMap<>(times));
  }

  /** The time of {@code stage}; {@link Duration#ZERO} when it did not run. */
  public Duration get(Stage stage) {
    return times.getOrDefault(Objects.requireNonNull(stage, "stage"), Duration.ZERO);
  }

  /** Every stage by its {@link Stage#key()}, in data-flow order (zeros included). */
  public Map<String, Duration> byKey() {
    Map<String, Duration> m = new LinkedHashMap<>();
    for (Stage s : Stage.values()) {
      m.put(s.key(), get(s));
    }
    return Collections.unmodifiableMap(m);
  }

  public Duration speechGate() {
    return get(Stage.SPEECH_GATE);
  }

  public Duration features() {
    return get(Stage.FEATURES);
  }

  public Duration asrEncode() {
    return get(Stage.ASR_ENCODE);
  }

  public Duration asrDecode() {
    return get(Stage.ASR_DECODE);
  }

  public Duration speechEncoder() {
    return get(Stage.SPEECH_ENCODER);
  }

  public Duration textEncoder() {
    return get(Stage.TEXT_ENCODER);
  }

  public Duration head() {
    return get(Stage.HEAD);
  }

  public Duration total() {
    return get(Stage.TOTAL);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof StageTimings t && byKey().equals(t.byKey());
  }

  @Override
  public int hashCode() {
    return byKey().hashCode();
  }

  @Override
  public String toString() {
    StringBuilder s = new StringBuilder("StageTimings[");
    String sep = "";
    for (Stage st : Stage.values()) {
      s.append(sep).append(st.key()).append('=').append(
          String.format(Locale.ROOT, "%.1f ms", get(st).toNanos() / 1e6));
      sep = ", ";
    }
    return s.append(']').toString();
  }

  /** Builds {@link StageTimings}; unset stages are zero. */
  public static final class Builder {
    private final EnumMap<Stage, Duration> times;

    private Builder(EnumMap<Stage, Duration> times) {
      this.times = times;
    }

    public Builder set(Stage stage, Duration time) {
      Objects.requireNonNull(stage, "stage");
      if (time == null || time.isNegative()) {
        throw new IllegalArgumentException(stage.key() + ": time must be >= 0, got " + time);
      }
      times.put(stage, time);
      return this;
    }

    public StageTimings build() {
      return new StageTimings(new EnumMap<>(times));
    }
  }
}

package io.mersdk.audio;

import java.time.Duration;
import java.util.Objects;

/**
 * Settings of the {@link Segmenter} and {@link StreamingSegmenter}. Immutable and thread-safe.
 *
 * <p>With {@link #speechGate()} on (the default) the frames are Silero VAD's 32 ms windows
 * (mer-sdk-vad): speech starts at a window whose speech probability is at least {@link
 * #speechThreshold()} and ends after {@link #minSilence()} below that less 0.15; runs shorter
 * than {@link #minSpeech()} are dropped; each segment is widened by {@link #padding()} on both
 * sides; speech longer than {@link #maxSegment()} is cut at a low-probability window so no
 * segment exceeds it, and the piece is reported at once. Noise, hum, tones and music give no
 * segment. With the gate off the frames are 10 ms of energy: a frame counts as speech when its
 * level (RMS, dBFS) is at least {@link #thresholdDb()} and at least {@link #noiseMarginDb()} above
 * the noise floor (the quietest frame of the last 5 s), and any loud stretch is a segment. See
 * docs/audio.md.
 */
public final class SegmenterOptions {
  /**
   * The Whisper encoder's window: it sees at most 30 s (openai/whisper audio.py, {@code
   * CHUNK_LENGTH = 30}); the default {@link #maxSegment()}.
   */
  public static final Duration WHISPER_WINDOW = Duration.ofSeconds(30);

  /** No segment is shorter than this (see docs/audio.md, "Short audio"). */
  public static final Duration MIN_SEGMENT = Duration.ofMillis(100);

  /** Slack for rounding durations to whole 10 ms frames in the maxSegment check. */
  private static final Duration FRAME_ROUNDING = Duration.ofMillis(100);

  private static final SegmenterOptions DEFAULTS = builder().build();

  private final double thresholdDb;
  private final double noiseMarginDb;
  private final Duration minSpeech;
  private final Duration minSilence;
  private final Duration padding;
  private final Duration maxSegment;
  private final boolean speechGate;
  private final double speechThreshold;

  private SegmenterOptions(Builder b) {
    this.speechThreshold = b.speechThreshold;
    this.speechGate = b.speechGate;
    this.thresholdDb = b.thresholdDb;
    this.noiseMarginDb = b.noiseMarginDb;
    this.minSpeech = b.minSpeech;
    this.minSilence = b.minSilence;
    this.padding = b.padding;
    this.maxSegment = b.maxSegment;
  }

  public static SegmenterOptions defaults() {
    return DEFAULTS;
  }

  public static Builder builder() {
    return new Builder();
  }

  public Builder toBuilder() {
    return new Builder()
        .speechThreshold(speechThreshold)
        .thresholdDb(thresholdDb)
        .noiseMarginDb(noiseMarginDb)
        .minSpeech(minSpeech)
        .minSilence(minSilence)
        .padding(padding)
        .maxSegment(maxSegment)
        .speechGate(speechGate);
  }

  /** Frames quieter than this (dBFS, RMS) are never speech. Default -45. */
  public double thresholdDb() {
    return thresholdDb;
  }

  /** Speech frames are at least this far (dB) above the noise floor. Default 10; 0 disables. */
  public double noiseMarginDb() {
    return noiseMarginDb;
  }

  /** Speech runs shorter than this are dropped (clicks, breaths). Default 200 ms. */
  public Duration minSpeech() {
    return minSpeech;
  }

  /** Pauses shorter than this do not end a segment. Default 500 ms. */
  public Duration minSilence() {
    return minSilence;
  }

  /** Audio kept before and after each segment's speech. Default 150 ms. */
  public Duration padding() {
    return padding;
  }

  /** Longest segment, padding included; longer speech is split. Default 30 s (Whisper's window). */
  public Duration maxSegment() {
    return maxSegment;
  }

  /**
   * Whether a run of loud frames must also hold speech by the acoustic gate's rule (voiced frames
   * whose pitch moves: mer-sdk-vad's {@code SpeechEvidence}) to become a segment. Default true;
   * false gives the energy-only segmenter (any loud stretch is a segment).
   */
  public boolean speechGate() {
    return speechGate;
  }

  /**
   * Silero's speech probability at or above which a window starts speech (with the gate on);
   * default 0.5, Silero's. Speech ends below this less 0.15.
   */
  public double speechThreshold() {
    return speechThreshold;
  }

  @Override
  public String toString() {
    return "SegmenterOptions[thresholdDb=" + thresholdDb + ", noiseMarginDb=" + noiseMarginDb
        + ", minSpeech=" + minSpeech + ", minSilence=" + minSilence + ", padding=" + padding
        + ", maxSegment=" + maxSegment + ", speechGate=" + speechGate
        + ", speechThreshold=" + speechThreshold + "]";
  }

  /** Builder; {@link #build()} checks the settings together and names the bad one. */
  public static final class Builder {
    private double thresholdDb = -45;
    private double noiseMarginDb = 10;
    // Silero's minimum speech; a pause of 0.2 s ends an utterance, so a listener hears of it
    // within about 0.3 s (docs/audio.md, "Stream latency"); padding at most half the pause.
    private Duration minSpeech = Duration.ofMillis(250);
    private Duration minSilence = Duration.ofMillis(200);
    private Duration padding = Duration.ofMillis(100);
    private Duration maxSegment = WHISPER_WINDOW;
    private boolean speechGate = true;
    private double speechThreshold = 0.5;

    private Builder() {}

    public Builder speechGate(boolean on) {
      this.speechGate = on;
      return this;
    }

    public Builder speechThreshold(double threshold) {
      this.speechThreshold = threshold;
      return this;
    }

    public Builder thresholdDb(double thresholdDb) {
      this.thresholdDb = thresholdDb;
      return this;
    }

    public Builder noiseMarginDb(double noiseMarginDb) {
      this.noiseMarginDb = noiseMarginDb;
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

    public Builder maxSegment(Duration maxSegment) {
      this.maxSegment = Objects.requireNonNull(maxSegment, "maxSegment");
      return this;
    }

    public SegmenterOptions build() {
      if (!(thresholdDb <= 0) || thresholdDb < -120) {
        throw new IllegalArgumentException(
            "thresholdDb: must be within [-120, 0] dBFS, got " + thresholdDb);
      }
      if (!(speechThreshold > 0 && speechThreshold < 1)) {
        throw new IllegalArgumentException(
            "speechThreshold: must be within (0, 1), got " + speechThreshold);
      }
      if (!(noiseMarginDb >= 0) || noiseMarginDb > 60) {
        throw new IllegalArgumentException(
            "noiseMarginDb: must be within [0, 60] dB, got " + noiseMarginDb);
      }
      if (minSpeech.compareTo(MIN_SEGMENT) < 0) {
        throw new IllegalArgumentException(
            "minSpeech: must be >= " + MIN_SEGMENT.toMillis() + " ms, got " + minSpeech);
      }
      if (minSilence.compareTo(Duration.ofMillis(10)) < 0) {
        throw new IllegalArgumentException("minSilence: must be >= 10 ms, got " + minSilence);
      }
      if (padding.isNegative()) {
        throw new IllegalArgumentException("padding: must be >= 0, got " + padding);
      }
      if (padding.multipliedBy(2).compareTo(minSilence) > 0) {
        throw new IllegalArgumentException("padding: at most half of minSilence (" + minSilence
            + ") so padded segments never overlap, got " + padding);
      }
      // A run cut for length is cut in its second half and at least minSpeech before its last
      // speech, which can be up to minSilence back: both must fit in half of maxSegment less the
      // padding. The 0.1 s covers rounding to 10 ms frames.
      Duration shortest = minSpeech.plus(minSilence).plus(padding).multipliedBy(2)
          .plus(FRAME_ROUNDING);
      if (maxSegment.compareTo(shortest) < 0) {
        throw new IllegalArgumentException("maxSegment: must be >= 2 x (minSpeech + minSilence +"
            + " padding) + " + FRAME_ROUNDING.toMillis() + " ms = " + shortest + ", got "
            + maxSegment);
      }
      return new SegmenterOptions(this);
    }
  }
}

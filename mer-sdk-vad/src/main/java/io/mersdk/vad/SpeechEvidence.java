package io.mersdk.vad;

import java.time.Duration;

/**
 * The frames of a stretch of audio counted by {@link FrameClassifier.Kind}, and the rule that
 * decides from them whether the stretch holds speech. Immutable.
 *
 * <p><b>The rule.</b> Speech when at least {@link #MIN_MOVING_FRAMES} frames are {@link
 * FrameClassifier.Kind#MOVING} and they are at least {@link #MIN_MOVING_SHARE} of the frames on a
 * pitch track ({@code MOVING + STEADY}). Why these values, measured by mer-sdk-vad's
 * SpeechGateTest (docs/audio.md, "The acoustic gate"): the 192 espeak-ng clips have 38 or more
 * moving frames (even at 5 dB SNR) and a moving share of 0.68 or more; of 48 non-speech clips the
 * most moving frames are 39 (a 100 Hz impulse train whose clicks vary) at a share of 0.22, and
 * every tone, chord, hum and melody has a share of 0.12 or less. 100 ms of moving pitch is less
 * than one stressed syllable; a share of one half sits between the two groups.
 */
public final class SpeechEvidence {
  /** Fewest moving-pitch frames of speech: 10 frames, 100 ms. */
  public static final int MIN_MOVING_FRAMES = 10;
  /** Smallest share of moving frames among the frames on a pitch track. */
  public static final double MIN_MOVING_SHARE = 0.5;

  private final long frames;
  private final long voiced;
  private final long steady;
  private final long moving;
  private final double hopSeconds;

  private SpeechEvidence(long frames, long voiced, long steady, long moving, double hopSeconds) {
    this.frames = frames;
    this.voiced = voiced;
    this.steady = steady;
    this.moving = moving;
    this.hopSeconds = hopSeconds;
  }

  /**
   * @param frames all frames of the stretch
   * @param voiced frames of kind {@code VOICED}
   * @param steady frames of kind {@code STEADY}
   * @param moving frames of kind {@code MOVING}
   * @param hopSeconds the length of a frame
   */
  public static SpeechEvidence of(long frames, long voiced, long steady, long moving,
      double hopSeconds) {
    if (voiced < 0 || steady < 0 || moving < 0 || voiced + steady + moving > frames) {
      throw new IllegalArgumentException("frame counts: need 0 <= voiced + steady + moving"
          + " <= frames, got " + voiced + " + " + steady + " + " + moving + " of " + frames);
    }
    if (!(hopSeconds > 0)) {
      throw new IllegalArgumentException("hopSeconds: must be > 0, got " + hopSeconds);
    }
    return new SpeechEvidence(frames, voiced, steady, moving, hopSeconds);
  }

  /** The rule (see the class comment) on bare counts. */
  public static boolean isSpeech(long steady, long moving) {
    return moving >= MIN_MOVING_FRAMES && moving >= MIN_MOVING_SHARE * (moving + steady);
  }

  public boolean isSpeech() {
    return isSpeech(steady, moving);
  }

  public long frames() {
    return frames;
  }

  public long voicedFrames() {
    return voiced;
  }

  public long steadyFrames() {
    return steady;
  }

  public long movingFrames() {
    return moving;
  }

  /** Moving frames among the frames on a pitch track; 0 when there are none. */
  public double movingShare() {
    return moving + steady == 0 ? 0 : moving / (double) (moving + steady);
  }

  /** Voiced time (every periodic frame) when the stretch is speech, else zero. */
  public Duration speechDuration() {
    if (!isSpeech()) {
      return Duration.ZERO;
    }
    return Duration.ofNanos(Math.round((voiced + steady + moving) * hopSeconds * 1e9));
  }

  @Override
  public String toString() {
    return String.format(java.util.Locale.ROOT,
        "%s: %d frames, voiced %d, steady %d, moving %d (share %.2f)",
        isSpeech() ? "speech" : "no speech", frames, voiced, steady, moving, movingShare());
  }
}

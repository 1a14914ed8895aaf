package io.mersdk.spi;

import java.time.Duration;
import java.util.Objects;

/**
 * What a {@link SpeechDetector} found in one utterance. Immutable.
 */
public final class SpeechActivity {
  private final boolean speech;
  private final Duration speechDuration;

  private SpeechActivity(boolean speech, Duration speechDuration) {
    this.speech = speech;
    this.speechDuration = speechDuration;
  }

  /**
   * @param speech whether the utterance holds speech
   * @param speechDuration how much of it is speech (the detector's voiced frames)
   */
  public static SpeechActivity of(boolean speech, Duration speechDuration) {
    Objects.requireNonNull(speechDuration, "speechDuration");
    if (speechDuration.isNegative()) {
      throw new IllegalArgumentException("speechDuration: must be >= 0, got " + speechDuration);
    }
    return new SpeechActivity(speech, speechDuration);
  }

  public boolean isSpeech() {
    return speech;
  }

  public Duration speechDuration() {
    return speechDuration;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SpeechActivity a && a.speech == speech && a.speechDuration.equals(speechDuration);
  }

  @Override
  public int hashCode() {
    return Objects.hash(speech, speechDuration);
  }

  @Override
  public String toString() {
    return (speech ? "speech " : "no speech ") + speechDuration.toMillis() + " ms";
  }
}

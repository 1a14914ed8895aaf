package io.mersdk.spring;

import io.mersdk.spi.SpeechActivity;
import io.mersdk.spi.SpeechDetector;
import java.time.Duration;

/** A test speech gate: speech when any sample reaches 0.01 in magnitude; all of it counts as speech. */
final class LoudnessDetector implements SpeechDetector {
  @Override
  public SpeechActivity detect(float[] samples, int sampleRate) {
    for (float s : samples) {
      if (Math.abs(s) >= 0.01f) {
        return SpeechActivity.of(true, Duration.ofNanos(samples.length * 1_000_000_000L / sampleRate));
      }
    }
    return SpeechActivity.of(false, Duration.ZERO);
  }
}

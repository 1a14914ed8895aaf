package io.mersdk.vad;

import io.mersdk.SpeechGateSettings;
import io.mersdk.spi.SpeechDetector;
import io.mersdk.spi.SpeechDetectorProvider;

/**
 * Provides {@link SileroSpeechDetector}, the default speech gate, to {@code EmotionRecognizer}
 * through ServiceLoader. Its priority (10) is above the spectral detector's (0).
 */
public final class SileroSpeechDetectorProvider implements SpeechDetectorProvider {
  @Override
  public String name() {
    return "silero-vad v6 (mer-sdk-vad)";
  }

  @Override
  public int priority() {
    return 10;
  }

  @Override
  public SpeechDetector create() {
    return new SileroSpeechDetector();
  }

  @Override
  public SpeechDetector create(SpeechGateSettings settings) {
    return new SileroSpeechDetector(settings);
  }
}

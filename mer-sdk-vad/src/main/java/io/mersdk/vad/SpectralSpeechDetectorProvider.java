package io.mersdk.vad;

import io.mersdk.spi.SpeechDetector;
import io.mersdk.spi.SpeechDetectorProvider;

/** Provides {@link SpectralSpeechDetector} to {@code EmotionRecognizer} through ServiceLoader. */
public final class SpectralSpeechDetectorProvider implements SpeechDetectorProvider {
  @Override
  public String name() {
    return "spectral (mer-sdk-vad)";
  }

  @Override
  public SpeechDetector create() {
    return new SpectralSpeechDetector();
  }
}

package io.mersdk.spi;

/**
 * Found with {@link java.util.ServiceLoader}: the default {@link SpeechDetector} of recognisers
 * built without {@code speechDetector(...)}. When several are on the class path the one with the
 * highest {@link #priority()} wins.
 */
public interface SpeechDetectorProvider {

  /** A short name for logs, e.g. {@code spectral}. */
  String name();

  default int priority() {
    return 0;
  }

  /** A detector with its default settings. */
  SpeechDetector create();

  /**
   * A detector with these settings ({@code EmotionRecognizer.Builder#speechGateSettings}). The
   * default ignores them and returns {@link #create()}: a detector without such settings.
   */
  default SpeechDetector create(io.mersdk.SpeechGateSettings settings) {
    return create();
  }
}

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
}

/**
 * The acoustic speech gate of mer-sdk: {@link io.mersdk.vad.SpectralSpeechDetector}, found by
 * {@code EmotionRecognizer} through {@link io.mersdk.spi.SpeechDetectorProvider}, and the {@link
 * io.mersdk.vad.FrameClassifier} that mer-sdk-audio's segmenter shares. Pure Java.
 */
module io.mersdk.vad {
  requires transitive io.mersdk.api;
  requires org.slf4j;

  exports io.mersdk.vad;

  provides io.mersdk.spi.SpeechDetectorProvider with io.mersdk.vad.SpectralSpeechDetectorProvider;
}

/**
 * mer-sdk public API. One entry point: {@link io.mersdk.EmotionRecognizer#builder()}.
 * An inference backend (mer-sdk-onnx) is found with {@link java.util.ServiceLoader}.
 */
module io.mersdk.api {
  requires org.slf4j;

  exports io.mersdk;
  exports io.mersdk.source;
  exports io.mersdk.spi;

  uses io.mersdk.spi.InferenceBackendProvider;
  uses io.mersdk.spi.SpeechDetectorProvider;
}

/**
 * mer-sdk's ONNX Runtime backend. Exports nothing: it is found through {@link
 * io.mersdk.spi.InferenceBackendProvider} and used through io.mersdk.EmotionRecognizer.
 */
module io.mersdk.onnx {
  requires io.mersdk.api;
  requires com.microsoft.onnxruntime;
  requires ai.djl.tokenizers;
  requires com.fasterxml.jackson.databind;
  requires com.sun.jna;
  requires org.slf4j;

  provides io.mersdk.spi.InferenceBackendProvider with io.mersdk.onnx.OnnxBackendProvider;
}

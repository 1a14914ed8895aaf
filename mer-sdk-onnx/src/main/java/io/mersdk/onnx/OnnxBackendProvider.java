package io.mersdk.onnx;

import io.mersdk.onnx.internal.pipeline.OnnxBackend;
import io.mersdk.spi.BackendConfig;
import io.mersdk.spi.InferenceBackend;
import io.mersdk.spi.InferenceBackendProvider;

/**
 * The ONNX Runtime backend, found by {@link java.util.ServiceLoader} (module {@code provides} and
 * {@code META-INF/services}). Users never touch it: {@code EmotionRecognizer.builder()} does.
 */
public final class OnnxBackendProvider implements InferenceBackendProvider {

  /** For {@link java.util.ServiceLoader}. */
  public OnnxBackendProvider() {}

  @Override
  public String name() {
    return "onnxruntime";
  }

  @Override
  public InferenceBackend open(BackendConfig config) {
    return OnnxBackend.open(config);
  }
}

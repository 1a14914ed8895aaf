package io.mersdk.spi;

/**
 * Found with {@link java.util.ServiceLoader}; mer-sdk-onnx provides the ONNX Runtime one. When
 * several are on the class path the one with the highest {@link #priority()} wins.
 */
public interface InferenceBackendProvider {

  /** A short name for logs, e.g. {@code onnxruntime}. */
  String name();

  default int priority() {
    return 0;
  }

  /**
   * Loads the bundle and opens the model sessions.
   *
   * @throws io.mersdk.BundleException if the bundle is missing, corrupt or inconsistent
   * @throws io.mersdk.DeviceUnavailableException if an explicitly requested device cannot be used
   */
  InferenceBackend open(BackendConfig config);
}

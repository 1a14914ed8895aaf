package io.mersdk;

/**
 * The requested device (for example {@code Device.cuda(0)}) cannot be used: no CUDA runtime in the
 * ONNX Runtime artifact on the class path, no NVIDIA driver, or no such device index. Thrown by
 * {@link EmotionRecognizer.Builder#build()} only when the device was asked for explicitly;
 * {@link Device#AUTO} falls back to the CPU instead.
 */
public class DeviceUnavailableException extends MerException {
  private static final long serialVersionUID = 1L;

  public DeviceUnavailableException(String message) {
    super(message);
  }

  public DeviceUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}

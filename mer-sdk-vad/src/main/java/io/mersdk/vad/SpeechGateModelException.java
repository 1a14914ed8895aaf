package io.mersdk.vad;

import io.mersdk.MerException;

/**
 * The speech gate's model (Silero VAD, a resource of mer-sdk-vad) is missing, corrupt (its SHA-256
 * is not the one this release was built with) or cannot be opened by ONNX Runtime.
 */
public final class SpeechGateModelException extends MerException {
  private static final long serialVersionUID = 1L;

  public SpeechGateModelException(String message) {
    super(message);
  }

  public SpeechGateModelException(String message, Throwable cause) {
    super(message, cause);
  }
}

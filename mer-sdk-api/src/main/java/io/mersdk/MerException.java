package io.mersdk;

/**
 * Base of every exception the SDK throws on purpose. Unchecked: callers catch what they can act on
 * ({@link BundleException}, {@link AudioException}, {@link InferenceException}).
 */
public class MerException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public MerException(String message) {
    super(message);
  }

  public MerException(String message, Throwable cause) {
    super(message, cause);
  }
}

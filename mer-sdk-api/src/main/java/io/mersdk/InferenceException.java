package io.mersdk;

/** The inference runtime failed while running a model stage. The message names the stage. */
public class InferenceException extends MerException {
  private static final long serialVersionUID = 1L;

  public InferenceException(String message) {
    super(message);
  }

  public InferenceException(String message, Throwable cause) {
    super(message, cause);
  }
}

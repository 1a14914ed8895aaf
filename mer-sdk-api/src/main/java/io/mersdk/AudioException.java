package io.mersdk;

/**
 * Audio could not be read or is unusable (format, truncation, empty, non-finite samples, too
 * short). The message names the source (usually a file) and the problem.
 */
public class AudioException extends MerException {
  private static final long serialVersionUID = 1L;

  public AudioException(String message) {
    super(message);
  }

  public AudioException(String message, Throwable cause) {
    super(message, cause);
  }
}

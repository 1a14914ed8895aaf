package io.mersdk;

/**
 * The model bundle is missing, corrupt, of an unsupported format version, or inconsistent
 * (checksums, label count, graph inputs). The message names the file and the field.
 */
public class BundleException extends MerException {
  private static final long serialVersionUID = 1L;

  public BundleException(String message) {
    super(message);
  }

  public BundleException(String message, Throwable cause) {
    super(message, cause);
  }
}

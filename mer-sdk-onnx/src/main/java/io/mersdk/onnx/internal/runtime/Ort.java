package io.mersdk.onnx.internal.runtime;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtLoggingLevel;

/**
 * The process-wide ONNX Runtime environment. ONNX Runtime allows one per process and it must never
 * be closed while sessions exist, so it is created on first use and lives until the JVM exits.
 */
public final class Ort {
  private Ort() {}

  private static final class Holder {
    // ERROR, not WARNING: native warnings (e.g. "some nodes were not assigned to the preferred
    // execution provider") bypass SLF4J and would make the SDK noisy on stderr.
    static final OrtEnvironment ENV =
        OrtEnvironment.getEnvironment(OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR, "mer-sdk");
  }

  public static OrtEnvironment env() {
    return Holder.ENV;
  }
}

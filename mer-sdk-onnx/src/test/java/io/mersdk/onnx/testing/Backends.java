package io.mersdk.onnx.testing;

import io.mersdk.Device;
import io.mersdk.onnx.OnnxBackendProvider;
import io.mersdk.onnx.internal.pipeline.OnnxBackend;
import io.mersdk.spi.BackendConfig;
import io.mersdk.spi.BundleLocation;
import java.nio.file.Path;
import java.util.Optional;

/** Opens the internal backend directly, for tests that look at intermediate arrays. */
public final class Backends {
  private Backends() {}

  public static OnnxBackend cpu(Path bundle) {
    return cpu(bundle, false);
  }

  /**
   * The model's speech rule switched off (no threshold can be crossed), so that every item that
   * passes the audio checks is an emotion and parity tests see every output; the evidence is still
   * computed and reported.
   */
  public static OnnxBackend cpuWithoutSpeechRule(Path bundle) {
    return (OnnxBackend) new OnnxBackendProvider().open(new BackendConfig(
        new BundleLocation.Directory(bundle), Device.CPU, 1, false,
        Optional.of(new BackendConfig.ThresholdOverrides(1.0, Double.NaN, Double.MAX_VALUE))));
  }

  /** With {@code fitAsrWindow}: Whisper's encoder over the utterances' own length. */
  public static OnnxBackend cpu(Path bundle, boolean fitAsrWindow) {
    return (OnnxBackend) new OnnxBackendProvider().open(
        new BackendConfig(new BundleLocation.Directory(bundle), Device.CPU, 1, fitAsrWindow, Optional.empty()));
  }
}

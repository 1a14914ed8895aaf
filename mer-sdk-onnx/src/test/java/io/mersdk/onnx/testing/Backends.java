package io.mersdk.onnx.testing;

import io.mersdk.Device;
import io.mersdk.onnx.OnnxBackendProvider;
import io.mersdk.onnx.internal.pipeline.OnnxBackend;
import io.mersdk.spi.BackendConfig;
import io.mersdk.spi.BundleLocation;
import java.nio.file.Path;
import java.util.Set;

/** Opens the internal backend directly, for tests that look at intermediate arrays. */
public final class Backends {
  private Backends() {}

  public static OnnxBackend cpu(Path bundle) {
    return cpu(bundle, false);
  }

  /** With {@code fitAsrWindow}: Whisper's encoder over the utterances' own length. */
  public static OnnxBackend cpu(Path bundle, boolean fitAsrWindow) {
    return (OnnxBackend) new OnnxBackendProvider().open(
        new BackendConfig(new BundleLocation.Directory(bundle), Device.CPU, 1, Set.of(), fitAsrWindow));
  }
}

package io.mersdk.onnx;

import static org.assertj.core.api.Assertions.assertThat;

import io.mersdk.Device;
import io.mersdk.SpeechThresholds;
import io.mersdk.onnx.internal.pipeline.OnnxBackend;
import io.mersdk.onnx.testing.TestData;
import io.mersdk.spi.BackendConfig;
import io.mersdk.spi.BundleLocation;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The backend decides with the bundle's speech_decision, each builder override replacing one. */
class SpeechThresholdsTest {
  static java.util.List<Path> bundles() {
    return TestData.bundles();
  }

  @ParameterizedTest
  @MethodSource("bundles")
  void overridesReplaceOnlyTheThresholdsTheyName(Path bundle) {
    BundleLocation where = new BundleLocation.Directory(bundle);
    try (OnnxBackend plain = open(new BackendConfig(where, Device.CPU, 1));
        OnnxBackend one = open(new BackendConfig(where, Device.CPU, 1, false, Optional.of(
            new BackendConfig.ThresholdOverrides(Double.NaN, -0.5, Double.NaN))))) {
      SpeechThresholds bundled = plain.bundle().speechThresholds();
      assertThat(plain.speechThresholds()).isEqualTo(bundled);
      assertThat(one.speechThresholds()).isEqualTo(
          new SpeechThresholds(bundled.noSpeech(), -0.5, bundled.compressionRatio()));
    }
  }

  private static OnnxBackend open(BackendConfig config) {
    return (OnnxBackend) new OnnxBackendProvider().open(config);
  }
}

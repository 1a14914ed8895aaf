package io.mersdk.onnx.internal.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtProvider;
import io.mersdk.Device;
import io.mersdk.onnx.internal.bundle.BundleLoader;
import io.mersdk.onnx.internal.bundle.LoadedBundle;
import io.mersdk.onnx.internal.runtime.NvidiaDriver;
import io.mersdk.onnx.testing.StdErr;
import io.mersdk.onnx.testing.TestData;
import io.mersdk.spi.BundleLocation;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * {@link Device#AUTO} on a machine whose GPU is there but cannot be used: the driver probe is told
 * the driver is present, so CUDA is tried and the fallback is the one WARN with cause and remedy.
 */
class AutoFallbackTest {
  @Test
  void aGpuThatCannotBeUsedFallsBackToTheCpuWithOneWarningThatNamesCauseAndRemedy() {
    boolean gpuRuntime = OrtEnvironment.getAvailableProviders().contains(OrtProvider.CUDA);
    assumeFalse(gpuRuntime && NvidiaDriver.absenceReason().isEmpty(), "CUDA is usable here");
    try (LoadedBundle bundle = BundleLoader.load(new BundleLocation.Directory(TestData.bundles().get(0)))) {
      StdErr.Captured<Models> opened = StdErr.capture(() -> OnnxBackend.openAuto(bundle, 1, Optional.empty(), Optional.empty()));
      try (Models models = opened.value()) {
        assertThat(models.device()).isEqualTo(Device.CPU);
        assertThat(opened.sdkWarnings()).singleElement().asString()
            .startsWith("WARN io.mersdk.onnx.internal.pipeline.OnnxBackend - device AUTO: running on the CPU "
                + "because CUDA cannot be used: device cuda:0: ")
            .contains(gpuRuntime ? "install the NVIDIA driver" : "has no CUDA execution provider")
            .contains(gpuRuntime ? "no NVIDIA driver found" : "onnxruntime_gpu")
            .doesNotContain("DefaultLogger");
      }
    }
  }
}

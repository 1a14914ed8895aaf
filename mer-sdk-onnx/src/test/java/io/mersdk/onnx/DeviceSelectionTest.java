package io.mersdk.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtProvider;
import io.mersdk.onnx.internal.runtime.NvidiaDriver;

import io.mersdk.Device;
import io.mersdk.DeviceUnavailableException;
import io.mersdk.EmotionRecognizer;
import io.mersdk.EmotionResult;
import io.mersdk.onnx.testing.StdErr;
import io.mersdk.onnx.testing.TestData;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * Device selection for real. The default build uses the CPU-only ONNX Runtime jar, whose {@code
 * addCUDA} fails with "Failed to find CUDA shared provider": that is the path CI takes. A {@code
 * -Pcuda} build (GPU runtime) takes the other tests' branches: CUDA runs, or fails naming the
 * missing driver or device.
 */
class DeviceSelectionTest {
  private final Path bundle = TestData.bundles().get(0);

  private static boolean runtimeHasCuda() {
    return OrtEnvironment.getAvailableProviders().contains(OrtProvider.CUDA);
  }

  @Test
  void explicitCudaFailsFastAndSaysHowToGetTheGpuRuntime() {
    assumeFalse(runtimeHasCuda(), "the GPU runtime is on the class path (-Pcuda)");
    assertThatThrownBy(() -> EmotionRecognizer.builder().speechGate(false).bundle(bundle).device(Device.cuda(0)).build())
        .isInstanceOf(DeviceUnavailableException.class)
        .hasMessageContaining("cuda:0")
        .hasMessageContaining("no CUDA execution provider")
        .hasMessageContaining("com.microsoft.onnxruntime:onnxruntime_gpu")
        .hasMessageContaining("-Pcuda")
        .hasCauseInstanceOf(ai.onnxruntime.OrtException.class);
  }

  @Test
  void autoFallsBackToTheCpuWithExactlyOneWarning() {
    assumeFalse(runtimeHasCuda() && NvidiaDriver.absenceReason().isEmpty(), "CUDA is usable here");
    StdErr.Captured<EmotionRecognizer> built = StdErr.capture(() ->
        EmotionRecognizer.builder().speechGate(false).bundle(bundle).device(Device.AUTO).threads(1).build());
    try (EmotionRecognizer recognizer = built.value()) {
      assertThat(built.sdkWarnings()).hasSize(1);
      assertThat(built.sdkWarnings().get(0))
          .contains("AUTO").contains("CPU").contains("CUDA").contains("onnxruntime_gpu");
      assertThat(recognizer.device()).isEqualTo(Device.CPU);

      StdErr.Captured<EmotionResult> call = StdErr.capture(() ->
          recognizer.recognize(TestData.fixtures(bundle.getFileName().toString()).orElseThrow()
              .cases().get(0).waveform()));
      assertThat(call.value().device()).isEqualTo(Device.CPU);
      assertThat(call.sdkWarnings()).as("no further warning per call").isEmpty();
    }
  }

  @Test
  void cpuNeverTriesCudaAndDoesNotWarn() {
    StdErr.Captured<EmotionRecognizer> built = StdErr.capture(() ->
        EmotionRecognizer.builder().speechGate(false).bundle(bundle).device(Device.CPU).threads(1).build());
    try (EmotionRecognizer recognizer = built.value()) {
      assertThat(built.sdkWarnings()).isEmpty();
      assertThat(recognizer.device()).isEqualTo(Device.CPU);
    }
  }

  @Test
  void withTheGpuRuntimeCudaRunsOrNamesWhatIsMissing() {
    assumeTrue(runtimeHasCuda(), "only with the GPU runtime (-Pcuda)");
    if (NvidiaDriver.absenceReason().isPresent()) {
      assertThatThrownBy(() -> EmotionRecognizer.builder().speechGate(false).bundle(bundle).device(Device.cuda(0)).build())
          .isInstanceOf(DeviceUnavailableException.class).hasMessageContaining("driver");
    } else {
      try (EmotionRecognizer r = EmotionRecognizer.builder().speechGate(false).bundle(bundle).device(Device.cuda(0)).build()) {
        assertThat(r.device()).isEqualTo(Device.cuda(0));
      }
    }
  }
}

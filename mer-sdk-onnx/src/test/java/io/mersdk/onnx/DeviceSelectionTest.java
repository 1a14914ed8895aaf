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
  void autoWithoutTheNvidiaDriverTakesTheCpuWithOneInfoAndNoWarning() {
    String noDriver = NvidiaDriver.absenceReason().orElse(null);
    assumeTrue(noDriver != null, "the NVIDIA driver is installed here");
    StdErr.Captured<EmotionRecognizer> built = StdErr.capture(() ->
        EmotionRecognizer.builder().speechGate(false).bundle(bundle).device(Device.AUTO).threads(1).build());
    try (EmotionRecognizer recognizer = built.value()) {
      assertThat(built.sdkWarnings()).as("nothing to fall back from").isEmpty();
      assertThat(built.lines()).filteredOn(l -> l.contains("device AUTO")).containsExactly(
          "INFO io.mersdk.onnx.internal.pipeline.OnnxBackend - device AUTO: running on the CPU: " + noDriver);
      assertThat(noDriver).startsWith("no NVIDIA driver found");
      assertThat(recognizer.device()).isEqualTo(Device.CPU);

      StdErr.Captured<EmotionResult> call = StdErr.capture(() ->
          recognizer.recognize(TestData.fixtures(bundle.getFileName().toString()).orElseThrow()
              .cases().get(0).waveform()));
      assertThat(call.value().device()).isEqualTo(Device.CPU);
      assertThat(call.lines()).as("nothing logged per call").isEmpty();
    }
  }

  @Test
  void explicitCudaWithTheGpuRuntimeButNoDriverNamesTheDriver() {
    assumeTrue(runtimeHasCuda(), "only with the GPU runtime (-Pcuda)");
    assumeTrue(NvidiaDriver.absenceReason().isPresent(), "the NVIDIA driver is installed here");
    assertThatThrownBy(() -> EmotionRecognizer.builder().speechGate(false).bundle(bundle).device(Device.cuda(0)).build())
        .isInstanceOf(DeviceUnavailableException.class)
        .hasMessage("device cuda:0: " + NvidiaDriver.absenceReason().get()
            + "; install the NVIDIA driver or ask for Device.CPU / Device.AUTO");
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
          .isInstanceOf(DeviceUnavailableException.class).hasMessageContaining("no NVIDIA driver found")
          .hasMessageNotContaining("DefaultLogger");
    } else {
      try (EmotionRecognizer r = EmotionRecognizer.builder().speechGate(false).bundle(bundle).device(Device.cuda(0)).build()) {
        assertThat(r.device()).isEqualTo(Device.cuda(0));
      }
    }
  }
}

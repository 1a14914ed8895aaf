package io.mersdk.onnx;

import static org.assertj.core.api.Assertions.assertThat;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtProvider;
import io.mersdk.Device;
import io.mersdk.EmotionRecognizer;
import io.mersdk.onnx.internal.runtime.NvidiaDriver;
import io.mersdk.onnx.testing.TestData;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a user sees on the first run: a fresh JVM (DJL loads its native tokenizer library, and probes
 * for CUDA, once per process) with an empty DJL cache builds a recogniser with the default
 * device, every logger at INFO, and the lines it logs are asserted whole.
 */
class FirstRunLogTest {
  @TempDir Path djlCache;

  /** The child: builds one recogniser on {@link Device#AUTO} and closes it. */
  public static final class BuildOnce {
    public static void main(String[] args) {
      try (EmotionRecognizer r = EmotionRecognizer.builder().bundle(Path.of(args[0])).threads(1).build()) {
        System.out.println("device " + r.device());
      }
    }
  }

  @Test
  void aRecogniserBuildLogsItsDeviceAndReadinessAndNothingElse() throws Exception {
    Path bundle = TestData.bundles().get(0);
    Run run = runChild(bundle);
    assertThat(run.exitCode).as("child stderr: %s", run.stderr).isZero();

    List<String> others = new ArrayList<>(run.stderr);
    Optional<String> noDriver = NvidiaDriver.absenceReason();
    boolean gpuRuntime = OrtEnvironment.getAvailableProviders().contains(OrtProvider.CUDA);
    if (noDriver.isPresent()) {
      // Nothing to fall back from: one INFO, no WARN, whichever ONNX Runtime build is present.
      assertThat(run.stderr).filteredOn(l -> l.contains("device AUTO"))
          .containsExactly("INFO io.mersdk.onnx.internal.pipeline.OnnxBackend - device AUTO: running on the CPU: "
              + noDriver.get());
      assertThat(run.stdout).containsExactly("device cpu");
    } else if (!gpuRuntime) {
      assertThat(run.stderr).filteredOn(l -> l.contains("device AUTO"))
          .singleElement().asString()
          .startsWith("WARN io.mersdk.onnx.internal.pipeline.OnnxBackend - device AUTO: running on the CPU")
          .contains("no CUDA execution provider").contains("onnxruntime_gpu");
    }
    others.removeIf(l -> l.contains("device AUTO"));
    assertThat(others).filteredOn(l -> l.startsWith("INFO io.mersdk.EmotionRecognizer"))
        .singleElement().asString().startsWith("INFO io.mersdk.EmotionRecognizer - emotion recogniser ready: ");
    others.removeIf(l -> l.startsWith("INFO io.mersdk.EmotionRecognizer"));
    assertThat(others).as("no other warning (DJL's CUDA probe among them)")
        .noneMatch(l -> l.startsWith("WARN") || l.startsWith("ERROR"))
        .noneMatch(l -> l.contains("CudaUtils") || l.contains("GPU"));
    assertThat(others).as("other lines: DJL's own INFO about extracting its library, at most")
        .allMatch(l -> l.startsWith("INFO ai.djl."));
  }

  private record Run(int exitCode, List<String> stdout, List<String> stderr) {}

  /** Surefire puts the modules on the module path: the child gets them all on its class path. */
  private static String classPath() {
    String modules = System.getProperty("jdk.module.path", "");
    String classes = System.getProperty("java.class.path", "");
    return modules.isEmpty() ? classes : modules + java.io.File.pathSeparator + classes;
  }

  private Run runChild(Path bundle) throws IOException, InterruptedException {
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    ProcessBuilder pb = new ProcessBuilder(java.toString(),
        "-cp", classPath(),
        // Every logger at INFO, DJL's too (the test resources keep ai.djl at WARN).
        "-Dorg.slf4j.simpleLogger.defaultLogLevel=info",
        "-Dorg.slf4j.simpleLogger.log.ai.djl=info",
        BuildOnce.class.getName(), bundle.toString());
    pb.environment().put("DJL_CACHE_DIR", djlCache.toString());
    pb.environment().put("ENGINE_CACHE_DIR", djlCache.toString());
    pb.environment().remove("DJL_OFFLINE");
    Path out = djlCache.resolve("child.out");
    Path err = djlCache.resolve("child.err");
    Process p = pb.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
    p.getOutputStream().close();
    if (!p.waitFor(5, TimeUnit.MINUTES)) {
      p.destroyForcibly();
      throw new AssertionError("the child JVM did not exit");
    }
    List<String> errLines = Files.readAllLines(err, StandardCharsets.UTF_8);
    errLines.forEach(System.err::println);
    return new Run(p.exitValue(), Files.readAllLines(out, StandardCharsets.UTF_8), errLines);
  }
}

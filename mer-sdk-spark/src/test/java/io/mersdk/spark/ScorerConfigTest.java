package io.mersdk.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mersdk.BundleException;
import io.mersdk.Device;
import java.nio.file.Path;
import java.util.Map;
import org.apache.spark.resource.ResourceInformation;
import org.junit.jupiter.api.Test;

/** What an executor makes of the settings outside a task (no TaskContext: the driver, a test). */
class ScorerConfigTest {
  @Test
  void deviceWithoutATaskGpu() {
    assertThat(ScorerConfig.device("auto", null)).isEqualTo(Device.AUTO);
    assertThat(ScorerConfig.device("cpu", null)).isEqualTo(Device.CPU);
    assertThat(ScorerConfig.device("cuda", null)).isEqualTo(Device.cuda(0));
    assertThat(ScorerConfig.device("CUDA:3", null)).isEqualTo(Device.cuda(3));
    assertThat(ScorerConfig.taskGpu(null)).isEqualTo(-1);
  }

  /**
   * What a task with {@code spark.task.resource.gpu.amount} sees. Not run through Spark: local mode
   * does not hand resources to tasks (a job that asks for them waits for ever).
   */
  @Test
  void autoAndCudaTakeTheTasksGpu() {
    Map<String, ResourceInformation> gpu1 = Map.of("gpu", new ResourceInformation("gpu", new String[] {"1"}));
    assertThat(ScorerConfig.device("auto", gpu1)).isEqualTo(Device.cuda(1));
    assertThat(ScorerConfig.device("cuda", gpu1)).isEqualTo(Device.cuda(1));
    assertThat(ScorerConfig.device("cuda:0", gpu1)).isEqualTo(Device.cuda(0));
    assertThat(ScorerConfig.device("cpu", gpu1)).isEqualTo(Device.CPU);
    assertThat(ScorerConfig.device("auto", Map.of())).isEqualTo(Device.AUTO);
    Map<String, ResourceInformation> odd = Map.of("gpu", new ResourceInformation("gpu", new String[] {"GPU-5f1c"}));
    assertThatThrownBy(() -> ScorerConfig.device("auto", odd))
        .hasMessageContaining("gpu resource address 'GPU-5f1c' is not a CUDA device index");
  }

  @Test
  void threadsAreTheSettingOrTheTaskCpus() {
    assertThat(ScorerConfig.threads(3, null)).isEqualTo(3);
    assertThat(ScorerConfig.threads(0, null)).isEqualTo(1);
  }

  @Test
  void bundleSettingsResolve() {
    assertThat(ScorerConfig.resolveBundle("classpath:io/mersdk/demo/bundle"))
        .isEqualTo("classpath:io/mersdk/demo/bundle");
    assertThat(ScorerConfig.resolveBundle("rel/bundle"))
        .isEqualTo(Path.of("rel/bundle").toAbsolutePath().normalize().toString());
    assertThat(ScorerConfig.resolveBundle("file:///opt/models/b")).isEqualTo("/opt/models/b");
  }

  @Test
  void missingSparkFileIsABundleException() {
    TestSpark.session(); // SparkFiles needs a running SparkContext
    assertThatThrownBy(() -> ScorerConfig.resolveBundle("sparkfiles:no-such-bundle"))
        .isInstanceOf(BundleException.class)
        .hasMessageContaining("bundle sparkfiles:no-such-bundle: not found")
        .hasMessageContaining("--archives bundle.zip#no-such-bundle");
  }
}

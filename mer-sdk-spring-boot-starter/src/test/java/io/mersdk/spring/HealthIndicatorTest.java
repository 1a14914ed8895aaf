package io.mersdk.spring;

import static org.assertj.core.api.Assertions.assertThat;

import io.mersdk.EmotionRecognizer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/** Health: UP with what runs; DOWN when closed or when a required GPU is not what runs. */
class HealthIndicatorTest {
  private static final ApplicationContextRunner RUNNER = RecognizerFromPropertiesTest.RUNNER
      .withPropertyValues("mer.bundle=classpath:fake-bundle");

  @BeforeEach
  void reset() {
    FakeBackendProvider.reset();
  }

  @Test
  void upWithBundleLabelsAndTheDeviceUsed() {
    RUNNER.run(context -> {
      Health h = context.getBean(MerHealthIndicator.class).health();
      assertThat(h.getStatus()).isEqualTo(Status.UP);
      assertThat(h.getDetails()).containsEntry("bundleId", "fake-two-labels")
          .containsEntry("device", "cpu").containsEntry("speechGate", true);
      assertThat(h.getDetails().get("labels")).asList().containsExactly("calm", "angry");
    });
  }

  @Test
  void downOnceTheRecognizerIsClosed() {
    RUNNER.run(context -> {
      context.getBean(EmotionRecognizer.class).close();
      Health h = context.getBean(MerHealthIndicator.class).health();
      assertThat(h.getStatus()).isEqualTo(Status.DOWN);
      assertThat(h.getDetails()).containsEntry("reason", "the recogniser is closed");
    });
  }

  @Test
  void downWhenCudaWasAskedForAndTheBackendRunsOnTheCpu() {
    FakeBackendProvider.cudaFallsBack = true;
    RUNNER.withPropertyValues("mer.device=cuda").run(context -> {
      Health h = context.getBean(MerHealthIndicator.class).health();
      assertThat(h.getStatus()).isEqualTo(Status.DOWN);
      assertThat(h.getDetails()).containsEntry("device", "cpu");
      assertThat((String) h.getDetails().get("reason")).contains("CUDA device is required");
    });
  }

  @Test
  void autoThatFellBackIsDownOnlyWhenCudaIsRequired() {
    RUNNER.withPropertyValues("mer.device=auto").run(context ->
        assertThat(context.getBean(MerHealthIndicator.class).health().getStatus()).isEqualTo(Status.UP));
    RUNNER.withPropertyValues("mer.device=auto", "mer.health.require-cuda=true").run(context ->
        assertThat(context.getBean(MerHealthIndicator.class).health().getStatus()).isEqualTo(Status.DOWN));
  }

  @Test
  void offWithTheActuatorSwitch() {
    RUNNER.withPropertyValues("management.health.mer.enabled=false").run(context ->
        assertThat(context).hasNotFailed().doesNotHaveBean(MerHealthIndicator.class));
  }
}

package io.mersdk.spring;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.observation.ObservationRegistry;
import io.mersdk.EmotionRecognizer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/** The application's own beans win; the auto-configuration then needs no mer.* property. */
class BackOffTest {
  private static final ApplicationContextRunner RUNNER = RecognizerFromPropertiesTest.RUNNER;

  @BeforeEach
  void reset() {
    FakeBackendProvider.reset();
  }

  static EmotionRecognizer own() {
    return EmotionRecognizer.builder()
        .bundleResource(BackOffTest.class.getClassLoader(), "fake-bundle")
        .speechGate(false).threads(1).build();
  }

  @Test
  void anApplicationRecognizerReplacesTheAutoConfiguredOne() {
    RUNNER.withBean("mine", EmotionRecognizer.class, BackOffTest::own).run(context -> {
      assertThat(context).hasNotFailed().hasSingleBean(EmotionRecognizer.class);
      assertThat(context).getBean("mine").isSameAs(context.getBean(EmotionRecognizer.class));
      assertThat(context.getBean(EmotionRecognitionService.class).recognizer())
          .isSameAs(context.getBean("mine"));
      assertThat(context.getBean(MerHealthIndicator.class)).isNotNull();
    });
  }

  @Test
  void anApplicationServiceReplacesTheAutoConfiguredOne() {
    RUNNER.withPropertyValues("mer.bundle=classpath:fake-bundle")
        .withBean("myService", EmotionRecognitionService.class,
            () -> new EmotionRecognitionService(own(), new SimpleMeterRegistry(), ObservationRegistry.NOOP))
        .run(context -> {
          assertThat(context).hasSingleBean(EmotionRecognitionService.class);
          assertThat(context).getBean("myService").isSameAs(
              context.getBean(EmotionRecognitionService.class));
        });
  }

  @Test
  void anApplicationHealthIndicatorReplacesOurs() {
    RUNNER.withPropertyValues("mer.bundle=classpath:fake-bundle")
        .withBean("merHealthIndicator", MerHealthIndicator.class,
            () -> new MerHealthIndicator(own(), true))
        .run(context -> assertThat(context).hasSingleBean(MerHealthIndicator.class)
            .getBean("merHealthIndicator").isNotSameAs(null));
  }

  @Test
  void twoApplicationRecognizersGetNoSharedServiceOrHealth() {
    RUNNER.withBean("a", EmotionRecognizer.class, BackOffTest::own)
        .withBean("b", EmotionRecognizer.class, BackOffTest::own)
        .run(context -> assertThat(context).hasNotFailed()
            .doesNotHaveBean(EmotionRecognitionService.class)
            .doesNotHaveBean(MerHealthIndicator.class));
  }
}

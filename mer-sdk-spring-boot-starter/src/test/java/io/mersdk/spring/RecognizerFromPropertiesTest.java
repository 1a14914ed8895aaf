package io.mersdk.spring;

import static org.assertj.core.api.Assertions.assertThat;

import io.mersdk.Device;
import io.mersdk.EmotionRecognizer;
import io.mersdk.spi.BackendConfig;
import io.mersdk.spi.BundleLocation;
import io.mersdk.spi.SpeechDetector;
import io.mersdk.testkit.FakeDetector;
import java.net.URISyntaxException;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/** mer.* properties become the settings of the one shared recogniser. */
class RecognizerFromPropertiesTest {
  static final ApplicationContextRunner RUNNER = new ApplicationContextRunner()
      .withConfiguration(AutoConfigurations.of(MerAutoConfiguration.class,
          MerHealthAutoConfiguration.class))
      .withBean(SpeechDetector.class, FakeDetector::new);

  @BeforeEach
  void reset() {
    FakeBackendProvider.reset();
  }

  @Test
  void everyPropertyReachesTheBuilder() {
    RUNNER.withPropertyValues("mer.bundle=classpath:fake-bundle", "mer.device=cpu",
            "mer.threads=3", "mer.fit-asr-window=true", "mer.no-speech-threshold=0.5",
            "mer.log-prob-threshold=-0.8", "mer.compression-ratio-threshold=2.0",
            "mer.parallel-encoders=true", "mer.prepack-weights=true")
        .run(context -> {
          assertThat(context).hasSingleBean(EmotionRecognizer.class)
              .hasSingleBean(EmotionRecognitionService.class);
          EmotionRecognizer r = context.getBean(EmotionRecognizer.class);
          assertThat(r.labels()).containsExactly("calm", "angry");
          assertThat(r.device()).isEqualTo(Device.CPU);
          assertThat(r.speechGate()).isTrue();
          BackendConfig c = FakeBackendProvider.lastConfig;
          assertThat(c.bundle()).isInstanceOf(BundleLocation.Resource.class);
          assertThat(((BundleLocation.Resource) c.bundle()).name()).isEqualTo("fake-bundle");
          assertThat(c.device()).isEqualTo(Device.CPU);
          assertThat(c.threads()).isEqualTo(3);
          assertThat(c.fitAsrWindow()).isTrue();
          assertThat(c.parallelEncoders()).isTrue();
          assertThat(c.prepackWeights()).hasValue(true);
          assertThat(r.speechThresholds()).isEqualTo(new io.mersdk.SpeechThresholds(0.5, -0.8, 2.0));
        });
  }

  @Test
  void defaultsAreTheBuildersAndTheBundlesThresholds() {
    RUNNER.withPropertyValues("mer.bundle=classpath:/fake-bundle/").run(context -> {
      BackendConfig c = FakeBackendProvider.lastConfig;
      assertThat(c.device()).isEqualTo(Device.AUTO);
      assertThat(c.threads()).isEqualTo(Runtime.getRuntime().availableProcessors());
      assertThat(c.fitAsrWindow()).isFalse();
      assertThat(c.parallelEncoders()).isFalse();
      assertThat(c.prepackWeights()).as("unset: the backend decides per graph").isEmpty();
      assertThat(context.getBean(EmotionRecognizer.class).speechThresholds())
          .isEqualTo(context.getBean(EmotionRecognizer.class).bundle().speechThresholds());
    });
  }

  @Test
  void concurrentCallsSizeTheDefaultThreads() {
    RUNNER.withPropertyValues("mer.bundle=classpath:/fake-bundle/", "mer.concurrent-calls=4").run(context -> {
      assertThat(FakeBackendProvider.lastConfig.threads()).isEqualTo(
          EmotionRecognizer.Builder.threadsFor(Runtime.getRuntime().availableProcessors(), 4));
    });
  }

  @Test
  void aFolderOnDiskIsABundleToo() throws URISyntaxException {
    Path folder = Path.of(getClass().getResource("/fake-bundle/bundle.json").toURI()).getParent();
    RUNNER.withPropertyValues("mer.bundle=" + folder).run(context -> {
      assertThat(context).hasNotFailed();
      assertThat(FakeBackendProvider.lastConfig.bundle())
          .isEqualTo(new BundleLocation.Directory(folder));
    });
  }

  @Test
  void theGateCanBeTurnedOffAndThenNeedsNoDetector() {
    new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(MerAutoConfiguration.class))
        .withPropertyValues("mer.bundle=classpath:fake-bundle", "mer.speech-gate=false")
        .run(context -> assertThat(context.getBean(EmotionRecognizer.class).speechGate()).isFalse());
  }
}

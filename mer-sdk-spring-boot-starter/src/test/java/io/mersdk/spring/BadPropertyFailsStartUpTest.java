package io.mersdk.spring;

import static org.assertj.core.api.Assertions.assertThat;

import io.mersdk.spi.SpeechDetector;
import io.mersdk.testkit.FakeDetector;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.beans.factory.NoUniqueBeanDefinitionException;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.core.NestedExceptionUtils;

/** A bad mer.* property fails start-up with an exception naming the property and its value. */
class BadPropertyFailsStartUpTest {
  private static final ApplicationContextRunner RUNNER = RecognizerFromPropertiesTest.RUNNER;

  @BeforeEach
  void reset() {
    FakeBackendProvider.reset();
  }

  @ParameterizedTest(name = "{0}={1}")
  @CsvSource(delimiter = '|', value = {
      "mer.threads                     | 0                  | must be >= 1",
      "mer.concurrent-calls            | 0                  | must be >= 1",
      "mer.device                      | tpu                | unknown device 'tpu'",
      "mer.device                      | cuda:x             | bad CUDA device index",
      "mer.device                      | cuda:1             | not available",
      "mer.no-speech-threshold         | 1.5                | must be in [0, 1]",
      "mer.log-prob-threshold          | 0.5                | must be finite and <= 0",
      "mer.compression-ratio-threshold | -1.0               | must be finite and > 0",
      "mer.bundle                      | /no/such/bundle    | no such folder",
      "mer.bundle                      | classpath:no-such  | no no-such/bundle.json on the class path",
      "mer.bundle                      | classpath:META-INF | no META-INF/bundle.json on the class path"})
  void namesThePropertyAndValue(String property, String value, String reason) {
    ApplicationContextRunner runner = property.equals("mer.bundle")
        ? RUNNER : RUNNER.withPropertyValues("mer.bundle=classpath:fake-bundle");
    runner.withPropertyValues(property + "=" + value).run(context -> {
      assertThat(context).hasFailed();
      InvalidConfigurationPropertyValueException e = invalid(context.getStartupFailure());
      assertThat(e.getName()).isEqualTo(property);
      assertThat(String.valueOf(e.getValue())).isEqualTo(value);
      assertThat(e.getReason()).contains(reason);
      assertThat(e.getMessage()).contains(property).contains(value);
    });
  }

  @Test
  void aBundleTheLoaderRejectsIsNamedWithTheLoadersReason() {
    // The class-path folder exists (bundle.json is there) but the backend finds no labels.txt.
    RUNNER.withPropertyValues("mer.bundle=classpath:no-labels-bundle").run(context -> {
      InvalidConfigurationPropertyValueException e = invalid(context.getStartupFailure());
      assertThat(e.getName()).isEqualTo("mer.bundle");
      assertThat(e.getReason()).contains("labels.txt not found");
      assertThat(e.getSuppressed()).hasSize(1);
    });
  }

  @Test
  void aMissingBundleSaysHowToSetIt() {
    RUNNER.run(context -> {
      InvalidConfigurationPropertyValueException e = invalid(context.getStartupFailure());
      assertThat(e.getName()).isEqualTo("mer.bundle");
      assertThat(e.getReason()).contains("not set").contains("classpath:");
    });
  }

  @Test
  void aValueOfTheWrongTypeIsNamedByTheBinder() {
    RUNNER.withPropertyValues("mer.bundle=classpath:fake-bundle", "mer.threads=many").run(context -> {
      Throwable root = context.getStartupFailure();
      BindException e = find(root, BindException.class);
      assertThat(e.getProperty().getName().toString()).isEqualTo("mer.threads");
      assertThat(e.getProperty().getValue()).isEqualTo("many");
    });
  }

  @Test
  void theGateWithoutADetectorNamesTheGateProperty() {
    new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(MerAutoConfiguration.class))
        .withPropertyValues("mer.bundle=classpath:fake-bundle")
        .run(context -> {
          InvalidConfigurationPropertyValueException e = invalid(context.getStartupFailure());
          assertThat(e.getName()).isEqualTo("mer.speech-gate");
          assertThat(e.getReason()).contains("mer-sdk-vad").contains("mer.speech-gate=false");
        });
  }

  @Test
  void twoDetectorBeansAreNotGuessedBetween() {
    RUNNER.withBean("second", SpeechDetector.class, FakeDetector::new)
        .withPropertyValues("mer.bundle=classpath:fake-bundle")
        .run(context -> find(context.getStartupFailure(), NoUniqueBeanDefinitionException.class));
  }

  static InvalidConfigurationPropertyValueException invalid(Throwable t) {
    return find(t, InvalidConfigurationPropertyValueException.class);
  }

  static <T extends Throwable> T find(Throwable t, Class<T> type) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (type.isInstance(c)) {
        return type.cast(c);
      }
    }
    throw new AssertionError("no " + type.getSimpleName() + " in " + t,
        NestedExceptionUtils.getMostSpecificCause(t));
  }
}

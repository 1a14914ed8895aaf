package io.mersdk.spring;

import static org.assertj.core.api.Assertions.assertThat;

import io.mersdk.audio.AudioSources;
import io.mersdk.audio.Party;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/** {@link CallRecognitionService}: made from mer.call.*, answers per party, fails on bad values. */
class CallRecognitionServiceTest {
  static final ApplicationContextRunner RUNNER = new ApplicationContextRunner()
      .withConfiguration(AutoConfigurations.of(MerAutoConfiguration.class,
          MerCallAutoConfiguration.class))
      .withBean(SimpleMeterRegistry.class)
      .withPropertyValues("mer.bundle=classpath:fake-bundle", "mer.speech-gate=false");

  @BeforeEach
  void reset() {
    FakeBackendProvider.reset();
  }

  @Test
  void aStereoCallIsAnsweredPerPartyWithItsSummary() {
    RUNNER.withPropertyValues("mer.call.parties=left,right", "mer.call.negative-labels=angry",
        "mer.call.min-gap=1s").run(context -> {
          CallRecognitionService calls = context.getBean(CallRecognitionService.class);
          int r = 16000;
          float[] left = new float[6 * r];
          float[] right = new float[6 * r];
          tone(left, r, 1 * r, 2 * r);
          tone(right, r, 4 * r, 5 * r);
          CallRecognitionService.Call c = calls.recognize(
              AudioSources.channels(new float[][] {left, right}, r));
          assertThat(c.result().parties()).containsExactly(new Party(0, "left"),
              new Party(1, "right"));
          assertThat(c.result().segments()).extracting(s -> s.party().name())
              .containsExactly("left", "right");
          assertThat(c.summary().lastSpeaker()).contains(new Party(1, "right"));
          assertThat(c.summary().negativeLabels()).containsExactly("angry");
          assertThat(c.summary().minGap()).isEqualTo(Duration.ofSeconds(1));
          assertThat(c.summary().gaps()).hasSize(1);
          assertThat(context.getBean(SimpleMeterRegistry.class).find("mer.results")
              .counters().stream().mapToDouble(x -> x.count()).sum()).isEqualTo(2.0);
        });
  }

  @Test
  void aBadValueFailsStartUpNamingIt() {
    RUNNER.withPropertyValues("mer.call.negative-labels=furious").run(context ->
        assertThat(context).getFailure().rootCause()
            .hasMessageContaining("negativeLabels: 'furious' is not a label of the bundle"));
  }

  /** A 220 Hz tone with vibrato in [from, to), which the segmenter takes for speech. */
  static void tone(float[] x, int rate, int from, int to) {
    for (int i = from; i < to; i++) {
      double t = (double) (i - from) / rate;
      x[i] = (float) (0.3 * Math.sin(2 * Math.PI * (220 + 20 * Math.sin(6 * t)) * t));
    }
  }
}

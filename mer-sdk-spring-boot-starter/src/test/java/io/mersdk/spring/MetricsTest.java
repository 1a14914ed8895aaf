package io.mersdk.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationHandler;
import io.micrometer.observation.ObservationRegistry;
import io.mersdk.AudioException;
import io.mersdk.EmotionResult;
import io.mersdk.Outcome;
import io.mersdk.Utterance;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/** The service meters and observes every call; the meter names are in docs/spring-boot.md. */
class MetricsTest {
  /** Observations stopped, in order. */
  private final List<Observation.Context> stopped = new CopyOnWriteArrayList<>();

  private ApplicationContextRunner runner() {
    ObservationRegistry observations = ObservationRegistry.create();
    observations.observationConfig().observationHandler(new ObservationHandler<>() {
      @Override
      public boolean supportsContext(Observation.Context context) {
        return true;
      }

      @Override
      public void onStop(Observation.Context context) {
        stopped.add(context);
      }
    });
    return RecognizerFromPropertiesTest.RUNNER
        .withPropertyValues("mer.bundle=classpath:fake-bundle")
        .withBean(MeterRegistry.class, SimpleMeterRegistry::new)
        .withBean(ObservationRegistry.class, () -> observations);
  }

  @BeforeEach
  void reset() {
    FakeBackendProvider.reset();
  }

  @Test
  void anEmotionCountsByLabelAndTimesEveryStageThatRan() {
    runner().run(context -> {
      EmotionResult r = context.getBean(EmotionRecognitionService.class)
          .recognize(ShutdownTest.loud(), "angry");
      assertThat(r.label()).isEqualTo("angry");
      MeterRegistry m = context.getBean(MeterRegistry.class);
      assertThat(m.get("mer.results").tag("label", "angry").counter().count()).isEqualTo(1);
      assertThat(m.get("mer.results").tag("label", "calm").counter().count()).isZero();
      for (String stage : List.of("speech_gate", "speech_encoder", "head", "total")) {
        assertThat(m.get("mer.stage").tag("stage", stage).timer().count()).as(stage).isEqualTo(1);
      }
      // The fake backend runs no ASR: those stages got no sample.
      assertThat(m.get("mer.stage").tag("stage", "asr_decode").timer().count()).isZero();
      assertThat(m.get("mer.stage").tag("stage", "head").tag("bundle", "fake-two-labels").timer()
          .totalTime(TimeUnit.MILLISECONDS)).isEqualTo(1.0);
      assertThat(m.get("mer.in_flight").gauge().value()).isZero();
    });
  }

  @Test
  void silenceCountsAsNoSpeechByBasis() {
    runner().run(context -> {
      EmotionResult r = context.getBean(EmotionRecognitionService.class).recognize(new float[16_000]);
      assertThat(r.outcome()).isEqualTo(Outcome.NO_SPEECH);
      MeterRegistry m = context.getBean(MeterRegistry.class);
      assertThat(m.get("mer.no_speech").tag("basis", "acoustic_gate").counter().count()).isEqualTo(1);
      assertThat(m.find("mer.results").counters()).allMatch(c -> c.count() == 0);
    });
  }

  @Test
  void aFailedCallCountsItsErrorTypeAndFailsItsObservation() {
    runner().run(context -> {
      EmotionRecognitionService service = context.getBean(EmotionRecognitionService.class);
      float[] bad = ShutdownTest.loud();
      bad[7] = Float.NaN;
      assertThatThrownBy(() -> service.recognize(bad)).isInstanceOf(AudioException.class);
      MeterRegistry m = context.getBean(MeterRegistry.class);
      assertThat(m.get("mer.errors").tag("type", "AudioException").counter().count()).isEqualTo(1);
      assertThat(stopped).singleElement().satisfies(c -> {
        assertThat(c.getName()).isEqualTo(EmotionRecognitionService.OBSERVATION);
        assertThat(c.getError()).isInstanceOf(AudioException.class);
        assertThat(c.getLowCardinalityKeyValue("mer.outcome").getValue()).isEqualTo("failed");
      });
    });
  }

  @Test
  void aBatchCountsEveryItemAndIsOneObservation() {
    runner().run(context -> {
      List<EmotionResult> rs = context.getBean(EmotionRecognitionService.class).recognizeBatch(List.of(
          Utterance.of(ShutdownTest.loud(), "calm"), Utterance.of(new float[16_000]),
          Utterance.of(new float[] {0.5f, -0.5f}), Utterance.of(ShutdownTest.loud(), "angry")));
      assertThat(rs).extracting(EmotionResult::outcome).containsExactly(
          Outcome.EMOTION, Outcome.NO_SPEECH, Outcome.FAILED, Outcome.EMOTION);
      MeterRegistry m = context.getBean(MeterRegistry.class);
      assertThat(m.get("mer.results").tag("label", "calm").counter().count()).isEqualTo(1);
      assertThat(m.get("mer.results").tag("label", "angry").counter().count()).isEqualTo(1);
      assertThat(m.get("mer.no_speech").tag("basis", "acoustic_gate").counter().count()).isEqualTo(1);
      assertThat(m.get("mer.errors").tag("type", "AudioException").counter().count()).isEqualTo(1);
      // One call: one sample per stage, not one per item.
      assertThat(m.get("mer.stage").tag("stage", "total").timer().count()).isEqualTo(1);
      assertThat(stopped).singleElement().satisfies(c -> {
        assertThat(c.getLowCardinalityKeyValue("mer.call").getValue()).isEqualTo("batch");
        assertThat(c.getLowCardinalityKeyValue("mer.bundle").getValue()).isEqualTo("fake-two-labels");
      });
    });
  }

  @Test
  void theInFlightGaugeCountsCallsRunningNow() {
    FakeBackendProvider.entered = new CountDownLatch(1);
    FakeBackendProvider.release = new CountDownLatch(1);
    runner().run(context -> {
      EmotionRecognitionService service = context.getBean(EmotionRecognitionService.class);
      CompletableFuture<EmotionResult> call =
          CompletableFuture.supplyAsync(() -> service.recognize(ShutdownTest.loud()));
      assertThat(FakeBackendProvider.entered.await(30, TimeUnit.SECONDS)).isTrue();
      MeterRegistry m = context.getBean(MeterRegistry.class);
      assertThat(m.get("mer.in_flight").gauge().value()).isEqualTo(1);
      FakeBackendProvider.release.countDown();
      call.get(30, TimeUnit.SECONDS);
      assertThat(m.get("mer.in_flight").gauge().value()).isZero();
    });
  }

  @Test
  void withoutARegistryTheServiceStillWorks() {
    RecognizerFromPropertiesTest.RUNNER.withPropertyValues("mer.bundle=classpath:fake-bundle")
        .run(context -> assertThat(context.getBean(EmotionRecognitionService.class)
            .recognize(ShutdownTest.loud()).label()).isEqualTo("calm"));
  }
}

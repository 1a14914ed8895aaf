package io.mersdk.spring;

import static org.assertj.core.api.Assertions.assertThat;

import io.mersdk.EmotionRecognizer;
import io.mersdk.EmotionResult;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.ConfigurableApplicationContext;

/** Closing the context closes the recogniser, after the calls in flight have returned. */
class ShutdownTest {
  private static final ApplicationContextRunner RUNNER = RecognizerFromPropertiesTest.RUNNER
      .withPropertyValues("mer.bundle=classpath:fake-bundle");

  @AfterEach
  void reset() {
    FakeBackendProvider.reset();
  }

  @Test
  void closingTheContextClosesTheRecognizer() {
    EmotionRecognizer[] seen = new EmotionRecognizer[1];
    RUNNER.run(context -> {
      seen[0] = context.getBean(EmotionRecognizer.class);
      assertThat(seen[0].isClosed()).isFalse();
    });
    assertThat(seen[0].isClosed()).isTrue();
  }

  @Test
  void closingWaitsForTheCallInFlight() throws Exception {
    FakeBackendProvider.entered = new CountDownLatch(1);
    FakeBackendProvider.release = new CountDownLatch(1);
    RUNNER.run(context -> {
      EmotionRecognitionService service = context.getBean(EmotionRecognitionService.class);
      float[] loud = loud();
      CompletableFuture<EmotionResult> call =
          CompletableFuture.supplyAsync(() -> service.recognize(loud, "angry"));
      assertThat(FakeBackendProvider.entered.await(30, TimeUnit.SECONDS)).isTrue();

      Thread closer = new Thread(((ConfigurableApplicationContext) context)::close, "closer");
      closer.start();
      // close() takes the recogniser's write lock, which the call holds: it cannot finish yet.
      closer.join(200);
      // (Not isClosed() here: its read lock queues behind the waiting close.)
      assertThat(closer.isAlive()).isTrue();

      FakeBackendProvider.release.countDown();
      assertThat(call.get(30, TimeUnit.SECONDS).label()).isEqualTo("angry");
      closer.join(30_000);
      assertThat(closer.isAlive()).isFalse();
      assertThat(service.recognizer().isClosed()).isTrue();
    });
  }

  static float[] loud() {
    float[] s = new float[16_000];
    for (int i = 0; i < s.length; i++) {
      s[i] = (float) (0.3 * Math.sin(2 * Math.PI * 220 * i / 16_000.0));
    }
    return s;
  }
}

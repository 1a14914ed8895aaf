package io.mersdk;

import static io.mersdk.RecognizerTestSupport.builder;
import static io.mersdk.RecognizerTestSupport.speech;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mersdk.testkit.FakeBackend;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** close() waits for calls in flight; async calls run on the configured executor. */
class LifecycleAndAsyncTest {

  @Test
  void closeWaitsForACallInFlightThenClosesTheBackendOnce() throws Exception {
    EmotionRecognizer r = builder().build();
    FakeBackend.hold = new CountDownLatch(1);
    CompletableFuture<EmotionResult> call = r.recognizeAsync(Utterance.of(speech(0.3f)));
    assertThat(FakeBackend.ENTERED.tryAcquire(10, TimeUnit.SECONDS)).isTrue();

    Thread closer = new Thread(r::close);
    closer.start();
    closer.join(300);
    assertThat(closer.isAlive()).as("close() returned while a call was in flight").isTrue();
    assertThat(FakeBackend.CLOSED).hasValue(0);

    FakeBackend.hold.countDown();
    closer.join(10_000);
    assertThat(closer.isAlive()).isFalse();
    assertThat(call.get(10, TimeUnit.SECONDS).label()).isEqualTo("happy");
    assertThat(FakeBackend.CLOSED).hasValue(1);
    assertThat(r.isClosed()).isTrue();

    r.close(); // twice is harmless
    assertThat(FakeBackend.CLOSED).hasValue(1);
    assertThatThrownBy(() -> r.recognize(speech(0.3f))).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("closed");
    // an async call after close fails its future the same way (the own executor is shut down)
    assertThatThrownBy(() -> r.recognizeAsync(Utterance.of(speech(0.3f))).get(10, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(IllegalStateException.class);
  }

  @Test
  void asyncCallsRunOnTheCallersExecutorWhichCloseLeavesRunning() throws Exception {
    ExecutorService mine = Executors.newSingleThreadExecutor(t -> new Thread(t, "callers-pool"));
    try {
      AtomicReference<String> thread = new AtomicReference<>();
      FakeBackend.reset();
      EmotionRecognizer r = EmotionRecognizer.builder().bundle(java.nio.file.Path.of("x"))
          .executor(mine).build();
      FakeBackend.scorer = (u, bundle) -> {
        thread.set(Thread.currentThread().getName());
        return io.mersdk.spi.ItemEvidence.computed(java.util.Map.of("neutral", 1.0)).build();
      };
      assertThat(r.recognizeAsync(Utterance.of(speech(0.1f))).get(10, TimeUnit.SECONDS).label())
          .isEqualTo("neutral");
      assertThat(thread.get()).isEqualTo("callers-pool");
      List<EmotionResult> batch = r.recognizeBatchAsync(List.of(Utterance.of(speech(0.1f))))
          .get(10, TimeUnit.SECONDS);
      assertThat(batch).hasSize(1);
      r.close();
      assertThat(mine.isShutdown()).isFalse();
    } finally {
      mine.shutdownNow();
    }
  }

  @Test
  void anAsyncFailureCompletesTheFutureWithTheTypedException() {
    try (EmotionRecognizer r = builder().build()) {
      float[] bad = speech(0.2f);
      bad[3] = Float.NaN;
      CompletableFuture<EmotionResult> f = r.recognizeAsync(Utterance.of(bad));
      assertThatThrownBy(() -> f.get(10, TimeUnit.SECONDS))
          .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(AudioException.class);
      // a batch never fails for an item: the item carries it
      List<EmotionResult> out = r.recognizeBatchAsync(List.of(Utterance.of(bad))).join();
      assertThat(out.get(0).isFailed()).isTrue();
    }
  }
}

package io.mersdk.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mersdk.BundleException;
import io.mersdk.Device;
import io.mersdk.EmotionRecognizer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The registry without Spark: one build per key however many threads ask, leases, closeIdle. */
class RecognizerRegistryTest {
  @TempDir Path tmp;

  RecognizerRegistry.Key key(String name) {
    Path b = FakeBackendProvider.writeBundle(tmp.resolve(name), name, List.of("a", "b"), 8);
    return new RecognizerRegistry.Key(b.toString(), Device.CPU, 1, false);
  }

  @Test
  void concurrentTasksShareOneBuild() throws Exception {
    RecognizerRegistry.Key k = key("reg-concurrent");
    AtomicInteger builds = new AtomicInteger();
    ExecutorService pool = Executors.newFixedThreadPool(8);
    CountDownLatch go = new CountDownLatch(1);
    List<Future<RecognizerRegistry.Lease>> leases = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      leases.add(pool.submit(() -> {
        go.await();
        return RecognizerRegistry.acquire(k, key -> {
          builds.incrementAndGet();
          return ScorerConfig.build(key);
        });
      }));
    }
    go.countDown();
    List<EmotionRecognizer> got = new ArrayList<>();
    for (Future<RecognizerRegistry.Lease> f : leases) {
      got.add(f.get(60, TimeUnit.SECONDS).recognizer());
    }
    pool.shutdown();
    assertThat(builds).hasValue(1);
    assertThat(got).allSatisfy(r -> assertThat(r).isSameAs(got.get(0)));
    assertThat(RecognizerRegistry.leases(k)).isEqualTo(8);
    for (Future<RecognizerRegistry.Lease> f : leases) {
      f.get().close();
      f.get().close(); // a second close does not count twice
    }
    assertThat(RecognizerRegistry.leases(k)).isZero();
  }

  @Test
  void idleRecognizersCloseOnDemandAndHeldOnesStay() {
    RecognizerRegistry.Key idle = key("reg-idle");
    RecognizerRegistry.Key held = key("reg-held");
    RecognizerRegistry.Lease a = RecognizerRegistry.acquire(idle, ScorerConfig::build);
    EmotionRecognizer first = a.recognizer();
    a.close();
    RecognizerRegistry.Lease b = RecognizerRegistry.acquire(held, ScorerConfig::build);

    assertThat(RecognizerRegistry.closeIdle()).isGreaterThanOrEqualTo(1);
    assertThat(first.isClosed()).isTrue();
    assertThat(b.recognizer().isClosed()).isFalse();

    long before = RecognizerRegistry.recognizersBuilt();
    try (RecognizerRegistry.Lease again = RecognizerRegistry.acquire(idle, ScorerConfig::build)) {
      assertThat(again.recognizer()).isNotSameAs(first);
      assertThat(again.recognizer().isClosed()).isFalse();
    }
    assertThat(RecognizerRegistry.recognizersBuilt() - before).isEqualTo(1);
    b.close();
  }

  @Test
  void aFailedBuildIsNotRemembered() {
    RecognizerRegistry.Key missing = new RecognizerRegistry.Key(
        tmp.resolve("no-bundle").toString(), Device.CPU, 1, false);
    long before = RecognizerRegistry.recognizersBuilt();
    assertThatThrownBy(() -> RecognizerRegistry.acquire(missing, ScorerConfig::build))
        .isInstanceOf(BundleException.class);
    assertThatThrownBy(() -> RecognizerRegistry.acquire(missing, ScorerConfig::build))
        .isInstanceOf(BundleException.class);
    assertThat(RecognizerRegistry.recognizersBuilt()).isEqualTo(before);
    assertThat(RecognizerRegistry.leases(missing)).isZero();
  }
}

package io.mersdk.audio;

import io.mersdk.BundleInfo;
import io.mersdk.Device;
import io.mersdk.InferenceException;
import io.mersdk.Utterance;
import io.mersdk.spi.BackendConfig;
import io.mersdk.spi.InferenceBackend;
import io.mersdk.spi.ItemEvidence;
import io.mersdk.spi.InferenceBackendProvider;
import io.mersdk.testkit.RealBackend;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A test backend provider (src/test/resources/META-INF/services) that outranks every other: it
 * opens the real backend beside it on the class path (mer-sdk-onnx) and wraps it to record the
 * size of every batch the recogniser hands over. Results stay the real pipeline's, so the Timeline
 * tests can count recogniser calls without giving up real inference.
 */
public final class CountingBackendProvider implements InferenceBackendProvider {
  /** Batch sizes of every {@link InferenceBackend#recognize} call, in order, since {@link #reset}. */
  private static final List<Integer> BATCHES = new CopyOnWriteArrayList<>();
  /** Utterance numbers (counted over all calls since {@link #reset}) whose result is made FAILED. */
  private static final java.util.Set<Integer> FAIL = java.util.concurrent.ConcurrentHashMap.newKeySet();
  private static final java.util.concurrent.atomic.AtomicInteger SEEN =
      new java.util.concurrent.atomic.AtomicInteger();

  /** For {@link ServiceLoader}. */
  public CountingBackendProvider() {}

  static void reset() {
    BATCHES.clear();
    FAIL.clear();
    SEEN.set(0);
  }

  /**
   * From now on the {@code n}-th utterance (0-based, counted over all calls since {@link #reset})
   * gets a FAILED result, as when inference fails on that item alone.
   */
  static void failUtterance(int n) {
    FAIL.add(n);
  }

  /** The batch sizes handed to any backend this provider opened, since the last {@link #reset}. */
  static List<Integer> batches() {
    return List.copyOf(BATCHES);
  }

  @Override
  public String name() {
    return "counting";
  }

  @Override
  public int priority() {
    return Integer.MAX_VALUE;
  }

  @Override
  public InferenceBackend open(BackendConfig config) {
    return new Counting(RealBackend.open(CountingBackendProvider.class, config,
        "no real backend to wrap (mer-sdk-onnx is a test dependency of mer-sdk-audio)"));
  }

  private record Counting(InferenceBackend delegate) implements InferenceBackend {
    @Override
    public BundleInfo bundle() {
      return delegate.bundle();
    }

    @Override
    public Device device() {
      return delegate.device();
    }

    @Override
    public List<ItemEvidence> recognize(List<Utterance> batch) {
      BATCHES.add(batch.size());
      List<ItemEvidence> out = new ArrayList<>(delegate.recognize(batch));
      for (int i = 0; i < out.size(); i++) {
        if (FAIL.contains(SEEN.getAndIncrement())) {
          out.set(i, ItemEvidence.failed(new InferenceException("test: inference failed on this item")));
        }
      }
      return out;
    }

    @Override
    public void close() {
      delegate.close();
    }
  }
}

package io.mersdk.audio;

import io.mersdk.BundleInfo;
import io.mersdk.EmotionResult;
import io.mersdk.MerException;
import io.mersdk.Utterance;
import io.mersdk.spi.BackendConfig;
import io.mersdk.spi.InferenceBackend;
import io.mersdk.spi.InferenceBackendProvider;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.ServiceLoader;
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

  /** For {@link ServiceLoader}. */
  public CountingBackendProvider() {}

  static void reset() {
    BATCHES.clear();
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
    List<InferenceBackendProvider> real = new ArrayList<>();
    for (InferenceBackendProvider p : ServiceLoader.load(InferenceBackendProvider.class,
        CountingBackendProvider.class.getClassLoader())) {
      if (!(p instanceof CountingBackendProvider)) {
        real.add(p);
      }
    }
    InferenceBackendProvider delegate = real.stream()
        .max(Comparator.comparingInt(InferenceBackendProvider::priority))
        .orElseThrow(() -> new MerException("CountingBackendProvider: no real backend to wrap"
            + " (mer-sdk-onnx is a test dependency of mer-sdk-audio)"));
    return new Counting(delegate.open(config));
  }

  private record Counting(InferenceBackend delegate) implements InferenceBackend {
    @Override
    public BundleInfo bundle() {
      return delegate.bundle();
    }

    @Override
    public String device() {
      return delegate.device();
    }

    @Override
    public List<EmotionResult> recognize(List<Utterance> batch) {
      BATCHES.add(batch.size());
      return delegate.recognize(batch);
    }

    @Override
    public void close() {
      delegate.close();
    }
  }
}

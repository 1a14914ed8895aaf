package io.mersdk;

import io.mersdk.spi.BackendConfig;
import io.mersdk.spi.InferenceBackend;
import io.mersdk.spi.InferenceBackendProvider;
import io.mersdk.spi.ItemEvidence;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * A backend for the API's own tests: two labels; item i gets p(happy) = first sample + 0.5 (so a
 * test picks the label by the first sample). Hooks let a test block a call, fail a batch that
 * holds a marked item, and see every batch and config it got.
 */
public final class FakeBackend implements InferenceBackend {
  /** Samples whose first value is this make the whole batch throw (a poisoned item). */
  public static final float POISON = 0.25f;

  static final List<List<Utterance>> BATCHES = new CopyOnWriteArrayList<>();
  static final List<BackendConfig> CONFIGS = new CopyOnWriteArrayList<>();
  static final AtomicInteger CLOSED = new AtomicInteger();
  /** When set, every call waits on it (after counting down {@link #ENTERED}). */
  static volatile CountDownLatch gate;
  static volatile CountDownLatch entered = new CountDownLatch(0);
  static volatile Set<Modality> modalities = Set.of(Modality.SPEECH, Modality.TEXT);
  static volatile Function<Utterance, ItemEvidence> perItem;

  static void reset() {
    BATCHES.clear();
    CONFIGS.clear();
    CLOSED.set(0);
    gate = null;
    entered = new CountDownLatch(0);
    modalities = Set.of(Modality.SPEECH, Modality.TEXT);
    perItem = null;
  }

  private final BundleInfo info;

  private FakeBackend(BackendConfig config) {
    CONFIGS.add(config);
    this.info = BundleInfo.builder("fake", List.of("neutral", "happy"), modalities, 16000)
        .formatVersion(2).layerAdapter(true).multimodalFusion(true)
        .asrWindowSamples(OptionalInt.of(16000 * 8))
        .speechThresholds(SpeechThresholds.WHISPER_DEFAULTS).modelSpeechEvidence(true).build();
  }

  @Override
  public BundleInfo bundle() {
    return info;
  }

  @Override
  public Device device() {
    return Device.CPU;
  }

  @Override
  public List<ItemEvidence> recognize(List<Utterance> batch) {
    BATCHES.add(batch);
    entered.countDown();
    CountDownLatch g = gate;
    if (g != null) {
      try {
        g.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    if (batch.stream().anyMatch(u -> u.samples().length > 0 && u.samples()[0] == POISON)) {
      throw new InferenceException("poisoned batch");
    }
    List<ItemEvidence> out = new ArrayList<>();
    for (Utterance u : batch) {
      if (perItem != null) {
        out.add(perItem.apply(u));
        continue;
      }
      double happy = Math.min(1, Math.max(0, u.samples()[0] + 0.5));
      Map<String, Double> p = new LinkedHashMap<>();
      p.put("neutral", 1 - happy);
      p.put("happy", happy);
      out.add(ItemEvidence.computed(p).transcript(u.transcript() == null ? "asr" : u.transcript(),
          u.transcript() != null).build());
    }
    return out;
  }

  @Override
  public void close() {
    CLOSED.incrementAndGet();
  }

  /** Found through META-INF/services in the test class path. */
  public static final class Provider implements InferenceBackendProvider {
    @Override
    public String name() {
      return "fake";
    }

    @Override
    public InferenceBackend open(BackendConfig config) {
      return new FakeBackend(config);
    }
  }
}

package io.mersdk.testkit;

import io.mersdk.BundleInfo;
import io.mersdk.Device;
import io.mersdk.InferenceException;
import io.mersdk.Modality;
import io.mersdk.SpeechThresholds;
import io.mersdk.Utterance;
import io.mersdk.spi.BackendConfig;
import io.mersdk.spi.InferenceBackend;
import io.mersdk.spi.InferenceBackendProvider;
import io.mersdk.spi.ItemEvidence;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.ToDoubleFunction;

/**
 * A backend for tests that need no model: a bundle of {@link #labels} at 16 kHz (ASR window 8 s)
 * whose scores come from a {@link Scorer} ({@link #BY_FIRST_SAMPLE} by default, {@link
 * #BY_LOUDNESS} for tests that want different scores for different utterances). A module
 * registers {@link Provider} (name "fake") in its src/test/resources/META-INF/services.
 *
 * <p>Settings and records are static (the recogniser opens the backend through ServiceLoader):
 * {@link #reset} before each test. Hooks let a test hold a call ({@link #hold}, {@link #ENTERED}),
 * slow it ({@link #delayMillis}), fail a whole batch ({@link #failWith}, {@link #POISON}) and see
 * every batch, config and close it got.
 */
public final class FakeBackend implements InferenceBackend {
  /** Samples whose first value is this make the whole batch throw (a poisoned item). */
  public static final float POISON = 0.25f;
  /** The longest a batch waits on {@link #hold}: a test that forgets to release it fails, not hangs. */
  private static final long HOLD_SECONDS = 60;

  /** Scores one utterance of a batch against the bundle: the model's evidence for it. */
  @FunctionalInterface
  public interface Scorer {
    ItemEvidence score(Utterance u, BundleInfo bundle);
  }

  /**
   * The last label gets p = first sample + 0.5 (clamped to [0, 1]), the others share the rest (so
   * a test picks the label by the first sample); the transcript is the supplied one, else "asr".
   */
  public static final Scorer BY_FIRST_SAMPLE = lastLabelGets(
      x -> Math.min(1, Math.max(0, x[0] + 0.5)), (u, b) -> "asr");

  /**
   * The last label gets p = RMS x 2 (clamped to [0.05, 0.95]), the others share the rest (louder
   * utterances score higher); the transcript is the supplied one, else "utterance of N.NN s".
   */
  public static final Scorer BY_LOUDNESS = lastLabelGets(x -> {
    double sum = 0;
    for (float s : x) {
      sum += s * s;
    }
    return Math.min(0.95, Math.max(0.05, Math.sqrt(sum / Math.max(1, x.length)) * 2));
  }, (u, b) -> String.format(Locale.ROOT, "utterance of %.2f s",
      u.samples().length / (double) b.sampleRate()));

  /** Every batch handed over, in order. */
  public static final List<List<Utterance>> BATCHES = new CopyOnWriteArrayList<>();
  /** The config of every backend opened. */
  public static final List<BackendConfig> CONFIGS = new CopyOnWriteArrayList<>();
  /** How many backends were closed. */
  public static final AtomicInteger CLOSED = new AtomicInteger();
  /** One permit for every batch that reached the model (before {@link #hold}). */
  public static final Semaphore ENTERED = new Semaphore(0);

  public static volatile String bundleId;
  public static volatile List<String> labels;
  public static volatile Set<Modality> modalities;
  public static volatile Scorer scorer;
  /** When set, every batch waits for it (a busy model the test releases), a minute at most. */
  public static volatile CountDownLatch hold;
  /** When positive, every batch takes this long (the model's work). */
  public static volatile long delayMillis;
  /** When set, every batch fails as a whole with this message (a model that breaks). */
  public static volatile String failWith;

  static {
    reset();
  }

  /** Clears the records and restores the defaults: bundle "fake", neutral/happy, first sample. */
  public static void reset() {
    reset("fake", BY_FIRST_SAMPLE);
  }

  /** Clears the records and restores the defaults, with this bundle id and scorer. */
  public static void reset(String bundle, Scorer scoring) {
    BATCHES.clear();
    CONFIGS.clear();
    CLOSED.set(0);
    ENTERED.drainPermits();
    bundleId = bundle;
    labels = List.of("neutral", "happy");
    modalities = Set.of(Modality.SPEECH, Modality.TEXT);
    scorer = scoring;
    hold = null;
    delayMillis = 0;
    failWith = null;
  }

  /** The size of every batch handed over, in order. */
  public static List<Integer> batchSizes() {
    return BATCHES.stream().map(List::size).toList();
  }

  private final BundleInfo info;

  private FakeBackend(BackendConfig config) {
    CONFIGS.add(config);
    this.info = BundleInfo.builder(bundleId, labels, modalities, 16000).formatVersion(2)
        .layerAdapter(true).multimodalFusion(true).asrWindowSamples(OptionalInt.of(16000 * 8))
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
    ENTERED.release();
    CountDownLatch h = hold;
    try {
      if (h != null && !h.await(HOLD_SECONDS, TimeUnit.SECONDS)) {
        throw new InferenceException("FakeBackend.hold was never released");
      }
      if (delayMillis > 0) {
        Thread.sleep(delayMillis);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (failWith != null) {
      throw new InferenceException(failWith);
    }
    if (batch.stream().anyMatch(u -> u.samples().length > 0 && u.samples()[0] == POISON)) {
      throw new InferenceException("poisoned batch");
    }
    Scorer s = scorer;
    List<ItemEvidence> out = new ArrayList<>(batch.size());
    for (Utterance u : batch) {
      out.add(s.score(u, info));
    }
    return out;
  }

  @Override
  public void close() {
    CLOSED.incrementAndGet();
  }

  /** The last label gets {@code top(samples)}, every other label an equal share of the rest. */
  private static Scorer lastLabelGets(ToDoubleFunction<float[]> top,
      java.util.function.BiFunction<Utterance, BundleInfo, String> asr) {
    return (u, b) -> {
      List<String> names = b.labels();
      double p = top.applyAsDouble(u.samples());
      double rest = (1 - p) / Math.max(1, names.size() - 1);
      Map<String, Double> probabilities = new LinkedHashMap<>();
      for (int i = 0; i < names.size(); i++) {
        probabilities.put(names.get(i), i == names.size() - 1 ? p : rest);
      }
      return ItemEvidence.computed(probabilities)
          .transcript(u.transcript() != null ? u.transcript() : asr.apply(u, b), u.transcript() != null)
          .build();
    };
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

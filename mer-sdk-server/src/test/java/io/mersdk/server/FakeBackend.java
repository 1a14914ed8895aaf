package io.mersdk.server;

import io.mersdk.BundleInfo;
import io.mersdk.Device;
import io.mersdk.Modality;
import io.mersdk.SpeechThresholds;
import io.mersdk.Utterance;
import io.mersdk.spi.BackendConfig;
import io.mersdk.spi.InferenceBackend;
import io.mersdk.spi.ItemEvidence;
import io.mersdk.spi.InferenceBackendProvider;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A backend for the server's tests, two labels at 16 kHz: p(happy) grows with the utterance's
 * loudness (RMS x 2), so a test (and the chart) sees different scores for different utterances.
 * Records the size of every batch; {@link #delayMillis} makes each batch take a while.
 */
public final class FakeBackend implements InferenceBackend {
  static final List<Integer> BATCH_SIZES = new CopyOnWriteArrayList<>();
  static volatile long delayMillis;
  static volatile List<String> labels = List.of("neutral", "happy");
  /** When set, every batch fails as a whole with this message (a model that breaks). */
  static volatile String failWith;
  /**
   * When set, every batch waits for this latch (a busy model the test releases); {@link #ENTERED}
   * counts the batches that reached the model. Bounded: a batch never waits more than a minute.
   */
  static volatile java.util.concurrent.CountDownLatch hold;
  static final java.util.concurrent.Semaphore ENTERED = new java.util.concurrent.Semaphore(0);

  static void reset() {
    BATCH_SIZES.clear();
    delayMillis = 0;
    failWith = null;
    hold = null;
    ENTERED.drainPermits();
    labels = List.of("neutral", "happy");
  }

  private final BundleInfo info = BundleInfo.builder("fake-server", labels,
      Set.of(Modality.SPEECH, Modality.TEXT), 16000).formatVersion(2).layerAdapter(true)
      .multimodalFusion(true).asrWindowSamples(OptionalInt.of(16000 * 8))
      .speechThresholds(SpeechThresholds.WHISPER_DEFAULTS).modelSpeechEvidence(true).build();

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
    BATCH_SIZES.add(batch.size());
    ENTERED.release();
    java.util.concurrent.CountDownLatch h = hold;
    if (h != null) {
      try {
        if (!h.await(60, java.util.concurrent.TimeUnit.SECONDS)) {
          throw new io.mersdk.InferenceException("FakeBackend.hold was never released");
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    if (delayMillis > 0) {
      try {
        Thread.sleep(delayMillis);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    if (failWith != null) {
      throw new io.mersdk.InferenceException(failWith);
    }
    List<ItemEvidence> out = new ArrayList<>();
    List<String> names = info.labels();
    for (Utterance u : batch) {
      double sum = 0;
      for (float s : u.samples()) {
        sum += s * s;
      }
      double rms = Math.sqrt(sum / Math.max(1, u.samples().length));
      double top = Math.min(0.95, Math.max(0.05, rms * 2));
      Map<String, Double> p = new LinkedHashMap<>();
      for (int i = 0; i < names.size(); i++) {
        double rest = (1 - top) / Math.max(1, names.size() - 1);
        p.put(names.get(i), i == names.size() - 1 ? top : rest);
      }
      String text = u.transcript() != null ? u.transcript()
          : String.format(java.util.Locale.ROOT, "utterance of %.2f s",
              u.samples().length / 16000.0);
      out.add(ItemEvidence.computed(p).transcript(text, u.transcript() != null).build());
    }
    return out;
  }

  @Override
  public void close() {}

  public static final class Provider implements InferenceBackendProvider {
    @Override
    public String name() {
      return "fake";
    }

    @Override
    public InferenceBackend open(BackendConfig config) {
      return new FakeBackend();
    }
  }
}

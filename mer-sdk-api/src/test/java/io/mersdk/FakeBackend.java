package io.mersdk;

import io.mersdk.spi.BackendConfig;
import io.mersdk.spi.InferenceBackend;
import io.mersdk.spi.InferenceBackendProvider;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A backend for the API's own tests, found by ServiceLoader (src/test/resources): every item with
 * speech is an emotion whose probabilities come from its first sample, so results can be told
 * apart. A batch that holds an item whose first sample is {@link #POISON} fails as a whole (as an
 * ONNX Runtime error would); an item whose first sample is {@link #QUIET} is no speech by the
 * model. It records the batches it was given and how often it was closed.
 */
final class FakeBackend implements InferenceBackend {
  static final float POISON = 0.75f;
  static final float QUIET = 0.25f;
  static final List<Integer> BATCHES = new CopyOnWriteArrayList<>();
  static final AtomicInteger CLOSED = new AtomicInteger();
  static volatile BackendConfig lastConfig;

  private final BundleInfo info = new BundleInfo("fake", 2, List.of("calm", "upset"),
      EnumSet.of(Modality.SPEECH), false, false, 16000, OptionalInt.empty(),
      SpeechThresholds.WHISPER_DEFAULTS, false);

  static void reset() {
    BATCHES.clear();
    CLOSED.set(0);
    lastConfig = null;
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
  public List<EmotionResult> recognize(List<Utterance> batch) {
    BATCHES.add(batch.size());
    for (Utterance u : batch) {
      if (u.samples().length > 0 && u.samples()[0] == POISON) {
        throw new IllegalArgumentException("native failure on the whole batch");
      }
    }
    List<EmotionResult> out = new ArrayList<>();
    for (Utterance u : batch) {
      float first = u.samples().length == 0 ? 0 : u.samples()[0];
      if (first == QUIET) {
        out.add(EmotionResult.noSpeech(SpeechDecision.builder(false, SpeechDecision.Basis.MODEL)
            .noSpeechProbability(0.9).avgLogProbability(-2).build()).bundleId("fake").build());
        continue;
      }
      double p = Math.min(1, Math.abs(first));
      Map<String, Double> probabilities = new LinkedHashMap<>();
      probabilities.put("calm", 1 - p);
      probabilities.put("upset", p);
      out.add(EmotionResult.emotion(probabilities).bundleId("fake").build());
    }
    return out;
  }

  @Override
  public void close() {
    CLOSED.incrementAndGet();
  }

  /** For ServiceLoader. */
  public static final class Provider implements InferenceBackendProvider {
    public Provider() {}

    @Override
    public String name() {
      return "fake";
    }

    @Override
    public InferenceBackend open(BackendConfig config) {
      lastConfig = config;
      return new FakeBackend();
    }
  }
}

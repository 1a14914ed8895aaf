package io.mersdk.spark;

import io.mersdk.AudioException;
import io.mersdk.BundleException;
import io.mersdk.BundleInfo;
import io.mersdk.Device;
import io.mersdk.Modality;
import io.mersdk.SpeechThresholds;
import io.mersdk.StageTimings;
import io.mersdk.Utterance;
import io.mersdk.spi.BackendConfig;
import io.mersdk.spi.BundleLocation;
import io.mersdk.spi.InferenceBackend;
import io.mersdk.spi.ItemEvidence;
import io.mersdk.spi.InferenceBackendProvider;
import io.mersdk.testkit.RealBackend;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Properties;

/**
 * A test backend (src/test/resources/META-INF/services) that outranks every other. For a bundle
 * folder holding {@code fake-bundle.properties} (written by {@link #writeBundle}) it answers with a
 * deterministic function of the samples, so the Spark tests run without model files; any other
 * bundle goes to the real backend beside it on the class path (mer-sdk-onnx), unchanged.
 */
public final class FakeBackendProvider implements InferenceBackendProvider {
  static final String MARKER = "fake-bundle.properties";

  public FakeBackendProvider() {}

  /** A fake bundle folder with these labels and this ASR window (seconds). */
  static Path writeBundle(Path dir, String id, List<String> labels, int windowSeconds) {
    try {
      Files.createDirectories(dir);
      Files.writeString(dir.resolve(MARKER), "bundle_id=" + id + "\nlabels=" + String.join(",", labels)
          + "\nwindow_seconds=" + windowSeconds + "\n");
      return dir;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public String name() {
    return "fake";
  }

  @Override
  public int priority() {
    return Integer.MAX_VALUE;
  }

  @Override
  public InferenceBackend open(BackendConfig config) {
    if (config.bundle() instanceof BundleLocation.Directory d && Files.exists(d.path().resolve(MARKER))) {
      // It "runs" where it is told (AUTO: the CPU), so tests can see which device was asked for.
      Device on = config.device().kind() == Device.Kind.CUDA ? config.device() : Device.CPU;
      return new Fake(read(d.path().resolve(MARKER)), on);
    }
    return RealBackend.open(FakeBackendProvider.class, config, config.bundle().describe()
        + " is not a fake bundle and no real backend is on the class path");
  }

  private static BundleInfo read(Path file) {
    Properties p = new Properties();
    try (Reader r = Files.newBufferedReader(file)) {
      p.load(r);
    } catch (IOException e) {
      throw new BundleException(file + ": " + e.getMessage(), e);
    }
    List<String> labels = List.of(p.getProperty("labels").split(","));
    int window = Integer.parseInt(p.getProperty("window_seconds"));
    return BundleInfo.builder(p.getProperty("bundle_id"), labels, EnumSet.of(Modality.SPEECH), 16000)
        .asrWindowSamples(OptionalInt.of(window * 16000))
        .speechThresholds(SpeechThresholds.WHISPER_DEFAULTS).build();
  }

  /** Probabilities from a few signal statistics; the same for an utterance alone or in a batch. */
  static Map<String, Double> probabilities(List<String> labels, float[] x) {
    double energy = 0;
    double crossings = 0;
    double slope = 0;
    double peak = 0;
    for (int i = 0; i < x.length; i++) {
      energy += x[i] * (double) x[i];
      peak = Math.max(peak, Math.abs(x[i]));
      if (i > 0) {
        crossings += (x[i] >= 0) != (x[i - 1] >= 0) ? 1 : 0;
        slope += Math.abs(x[i] - x[i - 1]);
      }
    }
    int n = Math.max(1, x.length);
    double[] stats = {Math.sqrt(energy / n) * 20, crossings / n * 20, slope / n * 50, peak * 3,
        x.length / 16000.0 / 4};
    double[] logits = new double[labels.size()];
    double max = Double.NEGATIVE_INFINITY;
    for (int k = 0; k < logits.length; k++) {
      logits[k] = stats[k % stats.length] * (1 + k / 10.0);
      max = Math.max(max, logits[k]);
    }
    double sum = 0;
    for (int k = 0; k < logits.length; k++) {
      logits[k] = Math.exp(logits[k] - max);
      sum += logits[k];
    }
    Map<String, Double> p = new LinkedHashMap<>();
    for (int k = 0; k < logits.length; k++) {
      p.put(labels.get(k), logits[k] / sum);
    }
    return p;
  }

  private record Fake(BundleInfo bundle, Device device) implements InferenceBackend {

    @Override
    public List<ItemEvidence> recognize(List<Utterance> batch) {
      List<ItemEvidence> out = new ArrayList<>(batch.size());
      int window = bundle.asrWindowSamples().getAsInt();
      for (Utterance u : batch) {
        if (u.samples().length > window) {
          out.add(ItemEvidence.failed(new AudioException("utterance is " + u.samples().length
              + " samples; the bundle's ASR window is " + window)));
          continue;
        }
        out.add(ItemEvidence.computed(probabilities(bundle.labels(), u.samples()))
            .timings(StageTimings.builder().set(StageTimings.Stage.SPEECH_ENCODER, Duration.ofMillis(1))
                .set(StageTimings.Stage.HEAD, Duration.ofMillis(1)).build())
            .build());
      }
      return out;
    }

    @Override
    public void close() {}
  }
}

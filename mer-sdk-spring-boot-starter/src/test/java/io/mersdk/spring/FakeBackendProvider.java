package io.mersdk.spring;

import io.mersdk.AudioException;
import io.mersdk.BundleException;
import io.mersdk.BundleInfo;
import io.mersdk.Device;
import io.mersdk.DeviceUnavailableException;
import io.mersdk.Modality;
import io.mersdk.SpeechThresholds;
import io.mersdk.StageTimings;
import io.mersdk.Utterance;
import io.mersdk.spi.BackendConfig;
import io.mersdk.spi.BundleLocation;
import io.mersdk.spi.InferenceBackend;
import io.mersdk.spi.ItemEvidence;
import io.mersdk.spi.InferenceBackendProvider;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * A test backend (src/test/resources/META-INF/services) so the auto-configuration is tested without
 * ONNX Runtime. A "bundle" is a folder with {@code bundle.json} and {@code labels.txt} (one label a
 * line). Each utterance gets the label its supplied transcript names (else the first label) with
 * probability 0.9; fewer than 160 samples fail the item with {@link AudioException}. {@code cuda}
 * throws {@link DeviceUnavailableException} unless {@link #cudaFallsBack} makes the backend report
 * the CPU instead (what health must catch).
 */
public final class FakeBackendProvider implements InferenceBackendProvider {
  /** The config of the last backend opened. */
  static volatile BackendConfig lastConfig;
  /** When true, a CUDA request opens on the CPU instead of failing. */
  static volatile boolean cudaFallsBack;
  /** When set, a recognize call counts it down and waits on {@link #release}. */
  static volatile CountDownLatch entered;
  static volatile CountDownLatch release;

  static void reset() {
    lastConfig = null;
    cudaFallsBack = false;
    entered = null;
    release = null;
  }

  /** For {@link java.util.ServiceLoader}. */
  public FakeBackendProvider() {}

  @Override
  public String name() {
    return "fake";
  }

  /** Outranks the ONNX backend should it be on the test class path. */
  @Override
  public int priority() {
    return Integer.MAX_VALUE;
  }

  @Override
  public InferenceBackend open(BackendConfig config) {
    lastConfig = config;
    List<String> labels = labels(config.bundle());
    Device device = config.device().kind() == Device.Kind.CUDA
        ? fallBackOrFail(config.device()) : Device.CPU;
    BundleInfo info = BundleInfo.builder("fake-two-labels", labels, Set.of(Modality.SPEECH), 16_000)
        .speechThresholds(SpeechThresholds.WHISPER_DEFAULTS).build();
    return new Fake(info, device);
  }

  private static Device fallBackOrFail(Device asked) {
    if (cudaFallsBack) {
      return Device.CPU;
    }
    throw new DeviceUnavailableException(asked + " is not available (fake backend)");
  }

  private static List<String> labels(BundleLocation location) {
    try (InputStream in = open(location)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines()
          .map(String::trim).filter(s -> !s.isEmpty()).collect(Collectors.toList());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static InputStream open(BundleLocation location) throws IOException {
    if (location instanceof BundleLocation.Directory d) {
      Path p = d.path().resolve("labels.txt");
      if (!Files.isRegularFile(p)) {
        throw new BundleException("bundle " + d.path() + ": labels.txt not found (fake backend)");
      }
      return Files.newInputStream(p);
    }
    BundleLocation.Resource r = (BundleLocation.Resource) location;
    InputStream in = r.loader().getResourceAsStream(r.name() + "/labels.txt");
    if (in == null) {
      throw new BundleException("bundle " + r.describe() + ": labels.txt not found (fake backend)");
    }
    return in;
  }

  private record Fake(BundleInfo bundle, Device device) implements InferenceBackend {
    @Override
    public List<ItemEvidence> recognize(List<Utterance> batch) {
      CountDownLatch e = entered;
      CountDownLatch r = release;
      if (e != null && r != null) {
        e.countDown();
        try {
          r.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException ex) {
          Thread.currentThread().interrupt();
        }
      }
      StageTimings t = StageTimings.builder()
          .set(StageTimings.Stage.SPEECH_ENCODER, Duration.ofMillis(2))
          .set(StageTimings.Stage.HEAD, Duration.ofMillis(1)).build();
      return batch.stream().map(u -> one(u, t)).collect(Collectors.toList());
    }

    private ItemEvidence one(Utterance u, StageTimings t) {
      if (u.samples().length < 160) {
        return ItemEvidence.failed(new AudioException("utterance: " + u.samples().length
            + " samples, at least 160 needed (fake backend)"));
      }
      String chosen = u.suppliedTranscript().filter(bundle.labels()::contains)
          .orElse(bundle.labels().get(0));
      Map<String, Double> p = new LinkedHashMap<>();
      double rest = 0.1 / Math.max(1, bundle.labels().size() - 1);
      for (String l : bundle.labels()) {
        p.put(l, l.equals(chosen) ? 0.9 : rest);
      }
      return ItemEvidence.computed(p).transcript(u.suppliedTranscript().orElse(""),
          u.suppliedTranscript().isPresent()).timings(t).build();
    }

    @Override
    public void close() {}
  }
}

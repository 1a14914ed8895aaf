package io.mersdk.onnx.testing;

import io.mersdk.Device;
import io.mersdk.EmotionRecognizer;
import io.mersdk.EmotionResult;
import io.mersdk.SpeechThresholds;
import io.mersdk.Utterance;
import io.mersdk.onnx.OnnxBackendProvider;
import io.mersdk.onnx.internal.bundle.Manifest;
import io.mersdk.onnx.internal.pipeline.OnnxBackend;
import io.mersdk.onnx.internal.pipeline.Probe;
import io.mersdk.spi.BackendConfig;
import io.mersdk.spi.BundleLocation;
import java.nio.file.Path;
import java.util.List;

/**
 * Opens the internal backend directly, for tests that look at intermediate arrays. Its results
 * are assembled by the recogniser, the one layer that decides speech and builds results, with the
 * acoustic gate off.
 */
public final class Backends {
  private Backends() {}

  /** An open backend and the thresholds its results are decided with. */
  public static final class TestBackend implements AutoCloseable {
    private final OnnxBackend backend;
    private final boolean speechRule;

    private TestBackend(OnnxBackend backend, boolean speechRule) {
      this.backend = backend;
      this.speechRule = speechRule;
    }

    public List<EmotionResult> recognize(List<Utterance> batch) {
      return recognize(batch, Probe.NONE);
    }

    /** Through a recogniser around this backend, the probe seeing every stage. */
    public List<EmotionResult> recognize(List<Utterance> batch, Probe probe) {
      EmotionRecognizer.Builder b = EmotionRecognizer.builder().backend(backend.probed(probe))
          .speechGate(false);
      if (!speechRule) {
        b.noSpeechThreshold(1.0).compressionRatioThreshold(Double.MAX_VALUE);
      }
      try (EmotionRecognizer r = b.build()) {
        return r.recognizeBatch(batch);
      }
    }

    /** The thresholds the results are decided with (the bundle's, or the rule switched off). */
    public SpeechThresholds speechThresholds() {
      SpeechThresholds t = backend.bundle().speechThresholds();
      return speechRule ? t : t.withNoSpeech(1.0).withCompressionRatio(Double.MAX_VALUE);
    }

    public io.mersdk.BundleInfo bundle() {
      return backend.bundle();
    }

    public Manifest manifest() {
      return backend.manifest();
    }

    public OnnxBackend backend() {
      return backend;
    }

    @Override
    public void close() {
      backend.close();
    }
  }

  /** Results of {@code backend} decided with the bundle's thresholds; closing it closes the backend. */
  public static TestBackend wrap(OnnxBackend backend) {
    return new TestBackend(backend, true);
  }

  public static TestBackend cpu(Path bundle) {
    return cpu(bundle, false);
  }

  /**
   * The model's speech rule switched off (no threshold can be crossed), so that every item that
   * passes the audio checks is an emotion and parity tests see every output; the evidence is still
   * computed and reported.
   */
  public static TestBackend cpuWithoutSpeechRule(Path bundle) {
    return cpuWithoutSpeechRule(bundle, false);
  }

  /** {@link #cpuWithoutSpeechRule(Path)} with or without {@code fitAsrWindow}. */
  public static TestBackend cpuWithoutSpeechRule(Path bundle, boolean fitAsrWindow) {
    return new TestBackend(open(bundle, fitAsrWindow), false);
  }

  /** With {@code fitAsrWindow}: Whisper's encoder over the utterances' own length. */
  public static TestBackend cpu(Path bundle, boolean fitAsrWindow) {
    return new TestBackend(open(bundle, fitAsrWindow), true);
  }

  /** The backend itself, opened on the CPU with one thread. */
  public static OnnxBackend open(Path bundle, boolean fitAsrWindow) {
    return (OnnxBackend) new OnnxBackendProvider().open(BackendConfig.builder(
        new BundleLocation.Directory(bundle)).device(Device.CPU).threads(1)
        .fitAsrWindow(fitAsrWindow).build());
  }
}

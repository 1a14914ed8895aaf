package io.mersdk.spi;

import io.mersdk.Device;
import java.util.Objects;
import java.util.Optional;

/**
 * What the builder hands to a backend, already validated.
 *
 * @param bundle where the model bundle is
 * @param device the device asked for
 * @param threads intra-op threads per model session (&gt;= 1)
 * @param fitAsrWindow run Whisper's encoder over the batch's longest utterance rounded up to whole
 *     seconds instead of the bundle's full window (see {@code
 *     EmotionRecognizer.Builder#fitAsrWindow})
 * @param speechThresholds the caller's thresholds for the model side of the speech decision; empty:
 *     the bundle's ({@code speech_decision} in its manifest)
 * @param parallelEncoders run the speech encoder concurrently with the ASR chain of the same call
 *     (each in its own session, so up to 2 x {@code threads} threads), instead of one after the
 *     other (see {@code EmotionRecognizer.Builder#parallelEncoders})
 * @param prepackWeights whether ONNX Runtime pre-packs constant MatMul weights on the CPU: faster
 *     products, for fp32 weights a second copy of much of them; empty: the backend decides per
 *     graph (see {@code EmotionRecognizer.Builder#prepackWeights})
 */
public record BackendConfig(
    BundleLocation bundle,
    Device device,
    int threads,
    boolean fitAsrWindow,
    Optional<ThresholdOverrides> speechThresholds,
    boolean parallelEncoders,
    Optional<Boolean> prepackWeights) {
  public BackendConfig {
    Objects.requireNonNull(bundle, "bundle");
    Objects.requireNonNull(device, "device");
    speechThresholds = speechThresholds == null ? Optional.empty() : speechThresholds;
    prepackWeights = prepackWeights == null ? Optional.empty() : prepackWeights;
  }

  /** The defaults: full ASR window, the bundle's thresholds, encoders in turn, pre-packing decided per graph. */
  public BackendConfig(BundleLocation bundle, Device device, int threads) {
    this(bundle, device, threads, false, Optional.empty());
  }

  /** Encoders in turn, pre-packing decided per graph (the builder's defaults). */
  public BackendConfig(BundleLocation bundle, Device device, int threads, boolean fitAsrWindow,
      Optional<ThresholdOverrides> speechThresholds) {
    this(bundle, device, threads, fitAsrWindow, speechThresholds, false, Optional.empty());
  }

  /**
   * Thresholds set on the builder, each NaN when not set (the bundle's value applies).
   *
   * @param noSpeech overrides {@code speech_decision.no_speech_threshold}
   * @param logProb overrides {@code speech_decision.logprob_threshold}
   * @param compressionRatio overrides {@code speech_decision.compression_ratio_threshold}
   */
  public record ThresholdOverrides(double noSpeech, double logProb, double compressionRatio) {
    /** The bundle's thresholds with these overrides applied. */
    public io.mersdk.SpeechThresholds applyTo(io.mersdk.SpeechThresholds bundle) {
      io.mersdk.SpeechThresholds t = bundle;
      if (!Double.isNaN(noSpeech)) {
        t = t.withNoSpeech(noSpeech);
      }
      if (!Double.isNaN(logProb)) {
        t = t.withLogProb(logProb);
      }
      if (!Double.isNaN(compressionRatio)) {
        t = t.withCompressionRatio(compressionRatio);
      }
      return t;
    }
  }
}

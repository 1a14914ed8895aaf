package io.mersdk;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;

/**
 * What a loaded model bundle is, read from its manifest.
 *
 * @param bundleId the manifest's {@code bundle_id}
 * @param formatVersion the manifest's {@code format_version}
 * @param labels the labels in output order
 * @param modalities the modalities the fusion head uses
 * @param layerAdapter whether the head uses layer adapters (paper eqs. 1-2)
 * @param multimodalFusion whether the head uses the MLF fusion module (paper eqs. 3-8)
 * @param sampleRate the sample rate the models expect, in Hz
 * @param asrWindowSamples the Whisper window ({@code audio.n_samples}): the longest utterance the
 *     bundle accepts when Whisper reads it (context modality, or text without a supplied
 *     transcript); empty for a bundle that never runs Whisper (speech only)
 * @param speechThresholds the bundle's thresholds for the model side of the speech decision
 *     ({@code speech_decision}; openai-whisper's defaults for bundles of format version 1)
 * @param modelSpeechEvidence whether the bundle gives Whisper's no-speech evidence: it decodes (text
 *     modality) and its ASR tokenizer has a no-speech token. Without it the acoustic gate decides
 *     alone ({@link SpeechDecision.Basis#ACOUSTIC_GATE_ONLY})
 */
public record BundleInfo(
    String bundleId,
    int formatVersion,
    List<String> labels,
    Set<Modality> modalities,
    boolean layerAdapter,
    boolean multimodalFusion,
    int sampleRate,
    OptionalInt asrWindowSamples,
    SpeechThresholds speechThresholds,
    boolean modelSpeechEvidence) {
  public BundleInfo {
    if (speechThresholds == null) {
      speechThresholds = SpeechThresholds.WHISPER_DEFAULTS;
    }
    labels = List.copyOf(labels);
    modalities = Set.copyOf(modalities);
    if (asrWindowSamples == null) {
      asrWindowSamples = OptionalInt.empty();
    }
  }

  /** {@link #asrWindowSamples()} as a duration: split longer recordings (e.g. with Timeline). */
  public Optional<Duration> asrWindow() {
    return asrWindowSamples.isPresent()
        ? Optional.of(Duration.ofNanos(Math.round(asrWindowSamples.getAsInt() * 1e9 / sampleRate)))
        : Optional.empty();
  }
}

package io.mersdk;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;

/**
 * What a loaded model bundle is, read from its manifest. Immutable. Public API (a recogniser's
 * {@link EmotionRecognizer#bundle()}) and SPI (a backend builds one with {@link #builder}): it can
 * gain fields without breaking either, as {@link EmotionResult} can.
 */
public final class BundleInfo {
  private final String bundleId;
  private final int formatVersion;
  private final List<String> labels;
  private final Set<Modality> modalities;
  private final boolean layerAdapter;
  private final boolean multimodalFusion;
  private final int sampleRate;
  private final int minSamples;
  private final OptionalInt asrWindowSamples;
  private final SpeechThresholds speechThresholds;
  private final boolean modelSpeechEvidence;

  private BundleInfo(Builder b) {
    this.bundleId = b.bundleId;
    this.formatVersion = b.formatVersion;
    this.labels = b.labels;
    this.modalities = b.modalities;
    this.layerAdapter = b.layerAdapter;
    this.multimodalFusion = b.multimodalFusion;
    this.sampleRate = b.sampleRate;
    this.minSamples = b.minSamples;
    this.asrWindowSamples = b.asrWindowSamples;
    this.speechThresholds = b.speechThresholds;
    this.modelSpeechEvidence = b.modelSpeechEvidence;
  }

  /**
   * Starts a description; the other fields default to: format version 1, no layer adapter, no MLF
   * fusion, no minimum length, no ASR window, openai-whisper's thresholds, no model evidence.
   *
   * @param bundleId the manifest's {@code bundle_id}
   * @param labels the labels in output order (at least one)
   * @param modalities the modalities the fusion head uses (at least one)
   * @param sampleRate the sample rate the models expect, in Hz (&gt; 0)
   */
  public static Builder builder(String bundleId, List<String> labels, Set<Modality> modalities,
      int sampleRate) {
    return new Builder(bundleId, labels, modalities, sampleRate);
  }

  /** A copy to change. */
  public Builder toBuilder() {
    return new Builder(bundleId, labels, modalities, sampleRate).formatVersion(formatVersion)
        .layerAdapter(layerAdapter).multimodalFusion(multimodalFusion).minSamples(minSamples)
        .asrWindowSamples(asrWindowSamples).speechThresholds(speechThresholds)
        .modelSpeechEvidence(modelSpeechEvidence);
  }

  /** The manifest's {@code bundle_id}. */
  public String bundleId() {
    return bundleId;
  }

  /** The manifest's {@code format_version}. */
  public int formatVersion() {
    return formatVersion;
  }

  /** The labels in output order. */
  public List<String> labels() {
    return labels;
  }

  /** The modalities the fusion head uses. */
  public Set<Modality> modalities() {
    return modalities;
  }

  /** Whether the head uses layer adapters (paper eqs. 1-2). */
  public boolean layerAdapter() {
    return layerAdapter;
  }

  /** Whether the head uses the MLF fusion module (paper eqs. 3-8). */
  public boolean multimodalFusion() {
    return multimodalFusion;
  }

  /** The sample rate the models expect, in Hz. */
  public int sampleRate() {
    return sampleRate;
  }

  /**
   * The shortest utterance the bundle accepts, in samples ({@code audio.min_samples}); 0 when there
   * is no minimum. The recogniser fails a shorter item before any model runs.
   */
  public int minSamples() {
    return minSamples;
  }

  /**
   * The Whisper window ({@code audio.n_samples}): the longest utterance the bundle accepts when
   * Whisper reads it (context modality, or text without a supplied transcript; see {@link
   * #readsWithWhisper}); empty for a bundle that never runs Whisper (speech only).
   */
  public OptionalInt asrWindowSamples() {
    return asrWindowSamples;
  }

  /**
   * Whether Whisper's output for an utterance is used: always with the context modality; with the
   * text modality only when the transcript comes from ASR ({@code transcriptSupplied} false). A
   * speech-only bundle never runs Whisper, and a caller's transcript on a speech+text bundle makes
   * its window irrelevant.
   */
  public boolean readsWithWhisper(boolean transcriptSupplied) {
    return asrWindowSamples.isPresent() && (modalities.contains(Modality.CONTEXT)
        || (modalities.contains(Modality.TEXT) && !transcriptSupplied));
  }

  /**
   * The bundle's thresholds for the model side of the speech decision ({@code speech_decision};
   * openai-whisper's defaults for bundles of format version 1).
   */
  public SpeechThresholds speechThresholds() {
    return speechThresholds;
  }

  /**
   * Whether the bundle gives Whisper's no-speech evidence: it decodes (text modality) and its ASR
   * tokenizer has a no-speech token. Without it the acoustic gate decides alone ({@link
   * SpeechDecision.Basis#ACOUSTIC_GATE_ONLY}).
   */
  public boolean modelSpeechEvidence() {
    return modelSpeechEvidence;
  }

  /** {@link #asrWindowSamples()} as a duration: split longer recordings (e.g. with Timeline). */
  public Optional<Duration> asrWindow() {
    return asrWindowSamples.isPresent()
        ? Optional.of(Duration.ofNanos(Math.round(asrWindowSamples.getAsInt() * 1e9 / sampleRate)))
        : Optional.empty();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof BundleInfo b && b.bundleId.equals(bundleId)
        && b.formatVersion == formatVersion && b.labels.equals(labels)
        && b.modalities.equals(modalities) && b.layerAdapter == layerAdapter
        && b.multimodalFusion == multimodalFusion && b.sampleRate == sampleRate
        && b.minSamples == minSamples && b.asrWindowSamples.equals(asrWindowSamples)
        && b.speechThresholds.equals(speechThresholds)
        && b.modelSpeechEvidence == modelSpeechEvidence;
  }

  @Override
  public int hashCode() {
    return Objects.hash(bundleId, formatVersion, labels, modalities, layerAdapter,
        multimodalFusion, sampleRate, minSamples, asrWindowSamples, speechThresholds,
        modelSpeechEvidence);
  }

  @Override
  public String toString() {
    return "BundleInfo[bundleId=" + bundleId + ", formatVersion=" + formatVersion + ", labels="
        + labels + ", modalities=" + modalities + ", layerAdapter=" + layerAdapter
        + ", multimodalFusion=" + multimodalFusion + ", sampleRate=" + sampleRate
        + ", minSamples=" + minSamples + ", asrWindowSamples=" + asrWindowSamples
        + ", speechThresholds=" + speechThresholds + ", modelSpeechEvidence="
        + modelSpeechEvidence + "]";
  }

  /** Builds a {@link BundleInfo}; {@link #build()} checks the fields, naming a bad one. */
  public static final class Builder {
    private final String bundleId;
    private final List<String> labels;
    private final Set<Modality> modalities;
    private final int sampleRate;
    private int formatVersion = 1;
    private boolean layerAdapter;
    private boolean multimodalFusion;
    private int minSamples;
    private OptionalInt asrWindowSamples = OptionalInt.empty();
    private SpeechThresholds speechThresholds = SpeechThresholds.WHISPER_DEFAULTS;
    private boolean modelSpeechEvidence;

    private Builder(String bundleId, List<String> labels, Set<Modality> modalities, int sampleRate) {
      this.bundleId = Objects.requireNonNull(bundleId, "bundleId");
      this.labels = List.copyOf(Objects.requireNonNull(labels, "labels"));
      this.modalities = Set.copyOf(Objects.requireNonNull(modalities, "modalities"));
      this.sampleRate = sampleRate;
    }

    public Builder formatVersion(int v) {
      this.formatVersion = v;
      return this;
    }

    public Builder layerAdapter(boolean on) {
      this.layerAdapter = on;
      return this;
    }

    public Builder multimodalFusion(boolean on) {
      this.multimodalFusion = on;
      return this;
    }

    /** The shortest utterance accepted, in samples (&gt;= 0; 0: no minimum). */
    public Builder minSamples(int samples) {
      this.minSamples = samples;
      return this;
    }

    /** The Whisper window in samples; empty: the bundle never runs Whisper. */
    public Builder asrWindowSamples(OptionalInt samples) {
      this.asrWindowSamples = Objects.requireNonNull(samples, "asrWindowSamples");
      return this;
    }

    public Builder speechThresholds(SpeechThresholds t) {
      this.speechThresholds = Objects.requireNonNull(t, "speechThresholds");
      return this;
    }

    public Builder modelSpeechEvidence(boolean on) {
      this.modelSpeechEvidence = on;
      return this;
    }

    /** @throws IllegalArgumentException for a bad field, named in the message */
    public BundleInfo build() {
      if (sampleRate <= 0) {
        throw new IllegalArgumentException("sampleRate: must be > 0, got " + sampleRate);
      }
      if (minSamples < 0) {
        throw new IllegalArgumentException("minSamples: must be >= 0, got " + minSamples);
      }
      if (asrWindowSamples.isPresent() && asrWindowSamples.getAsInt() <= 0) {
        throw new IllegalArgumentException("asrWindowSamples: must be > 0, got "
            + asrWindowSamples.getAsInt());
      }
      return new BundleInfo(this);
    }
  }
}

package io.mersdk;

import io.mersdk.spi.ItemEvidence;
import io.mersdk.spi.SpeechActivity;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;

/**
 * The one place that admits an item and assembles its result: the audio checks (finite samples,
 * the bundle's length limits), the speech decision (the acoustic gate's activity with the model's
 * evidence, read with the thresholds resolved at build time), and every {@link EmotionResult} of a
 * call: emotion, no speech, failed, each with the call's TOTAL time. {@link EmotionRecognizer} runs
 * the gate and the backend in between.
 */
final class ItemAssembly {
  private final BundleInfo info;
  private final Device device;
  private final SpeechThresholds thresholds;

  ItemAssembly(BundleInfo info, Device device, SpeechThresholds thresholds) {
    this.info = info;
    this.device = device;
    this.thresholds = thresholds;
  }

  SpeechThresholds thresholds() {
    return thresholds;
  }

  /** What became of one item so far; {@link #result} turns it into the result. */
  static final class Item {
    MerException error;
    SpeechActivity activity;
    Duration gateTime;
    ItemEvidence evidence;
  }

  static String which(int i, int n) {
    return n == 1 ? "utterance" : "utterance " + i + " of the batch";
  }

  /** Samples must be finite (a NaN would spread through every stage into the probabilities). */
  static Optional<AudioException> checkFinite(float[] s, int i, int n) {
    for (int k = 0; k < s.length; k++) {
      if (!Float.isFinite(s[k])) {
        return Optional.of(new AudioException(which(i, n) + ": sample " + k + " is " + s[k]
            + "; audio must be finite (check the decoder or resampler that produced it)"));
      }
    }
    return Optional.empty();
  }

  /**
   * The bundle's limits: too short for the models, or too long for the ASR window when Whisper
   * reads the utterance.
   */
  Optional<AudioException> checkLength(Utterance u, int i, int n) {
    int min = info.minSamples();
    int rate = info.sampleRate();
    int length = u.samples().length;
    String which = which(i, n);
    if (length < min) {
      return Optional.of(new AudioException(which + " has " + length + " samples ("
          + seconds(length, rate) + " at " + rate + " Hz) but the bundle needs at least " + min
          + " (audio.min_samples)"));
    }
    // Whisper sees one window of audio.n_samples (features.onnx is fed exactly that many, as
    // WhisperFeatureExtractor(padding="max_length") does), so a longer utterance would lose its
    // tail without a word: the context states and the transcript would cover only its start.
    int window = info.asrWindowSamples().orElse(Integer.MAX_VALUE);
    if (length > window && info.readsWithWhisper(u.transcript() != null)) {
      return Optional.of(new AudioException(which + " is " + seconds(length, rate) + " long ("
          + length + " samples at " + rate + " Hz), longer than the bundle's ASR window of "
          + seconds(window, rate) + " (audio.n_samples = " + window + "); Whisper would see only"
          + " its first " + seconds(window, rate) + ". Split it into utterances that fit, e.g."
          + " with io.mersdk.audio.Timeline (or io.mersdk.audio.Segmenter)"));
    }
    return Optional.empty();
  }

  private static String seconds(long samples, int rate) {
    return String.format(Locale.ROOT, "%.3f s", samples / (double) rate);
  }

  /**
   * The speech decision, the one place it is made. The gate first: no speech there is final
   * ({@code ACOUSTIC_GATE}). Then the model (openai-whisper's rule, {@link SpeechThresholds#noSpeech})
   * on the item's decoding evidence, which is reported whenever it was computed; without a
   * no-speech probability the model does not decide, and the gate has decided alone ({@code
   * ACOUSTIC_GATE_ONLY}) or nobody has ({@code NOT_CHECKED}).
   *
   * @param gate the gate's activity; null when the gate is off
   * @param decoding the model's evidence; empty when no decoding ran (or the gate stopped the item)
   */
  SpeechDecision decide(SpeechActivity gate, Optional<ItemEvidence.Decoding> decoding) {
    if (gate != null && !gate.isSpeech()) {
      return SpeechDecision.builder(false, SpeechDecision.Basis.ACOUSTIC_GATE)
          .speechDuration(gate.speechDuration()).build();
    }
    ItemEvidence.Decoding d = decoding.orElse(null);
    boolean decides = d != null && info.modelSpeechEvidence() && d.noSpeechProbability().isPresent();
    boolean speech = !decides || !thresholds.noSpeech(d.noSpeechProbability().getAsDouble(),
        d.avgLogProbability(), d.compressionRatio());
    SpeechDecision.Basis basis = decides ? SpeechDecision.Basis.MODEL
        : gate != null ? SpeechDecision.Basis.ACOUSTIC_GATE_ONLY : SpeechDecision.Basis.NOT_CHECKED;
    SpeechDecision.Builder b = SpeechDecision.builder(speech, basis);
    if (gate != null) {
      b.speechDuration(gate.speechDuration());
    }
    if (d != null) {
      d.noSpeechProbability().ifPresent(b::noSpeechProbability);
      b.avgLogProbability(d.avgLogProbability()).compressionRatio(d.compressionRatio());
    }
    return b.build();
  }

  /** The item's result, the one place results are built: failed, no speech or an emotion. */
  EmotionResult result(Item item, Duration total) {
    StageTimings.Builder t = item.evidence != null && item.evidence.failure().isEmpty()
        ? item.evidence.timings().toBuilder() : StageTimings.builder();
    if (item.gateTime != null) {
      t.set(StageTimings.Stage.SPEECH_GATE, item.gateTime);
    }
    StageTimings timings = t.set(StageTimings.Stage.TOTAL, total).build();
    MerException error = item.error != null ? item.error
        : item.evidence != null ? item.evidence.failure().orElse(null) : null;
    EmotionResult.Builder r;
    if (error != null) {
      // the decision made before the failure: the gate's, when it ran
      r = EmotionResult.failed(error).speech(decide(item.activity, Optional.empty()));
    } else {
      ItemEvidence e = item.evidence;
      SpeechDecision d = decide(item.activity,
          e == null ? Optional.empty() : e.decoding());
      r = !d.isSpeech() ? EmotionResult.noSpeech(d)
          : EmotionResult.emotion(e.probabilities()).transcript(e.transcript(), e.transcriptSupplied())
              .asrTokenIds(e.asrTokenIds()).textTokenIds(e.textTokenIds()).speech(d);
    }
    return r.timings(timings).device(device).bundleId(info.bundleId()).build();
  }
}

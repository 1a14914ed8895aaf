package io.mersdk;

import java.util.OptionalDouble;

/**
 * The thresholds of the model side of the speech decision ({@link SpeechDecision}), with
 * openai-whisper's meaning: {@code transcribe.py} treats a window as silence when {@code
 * no_speech_prob > noSpeech} and {@code avg_logprob < logProb}, and a transcript whose
 * compression ratio exceeds {@code compressionRatio} as a repetition loop.
 *
 * @param noSpeech no-speech probability above which the model says "no speech" (0.6 in
 *     openai-whisper), in [0, 1]
 * @param logProb average log-probability below which the transcript is unlikely (-1.0), &lt;= 0
 * @param compressionRatio compression ratio above which the transcript is repetitive (2.4), &gt; 0
 */
public record SpeechThresholds(double noSpeech, double logProb, double compressionRatio) {
  /** openai-whisper's defaults (also faster-whisper's and whisper.cpp's): 0.6, -1.0, 2.4. */
  public static final SpeechThresholds WHISPER_DEFAULTS = new SpeechThresholds(0.6, -1.0, 2.4);

  public SpeechThresholds {
    checkNoSpeech(noSpeech);
    checkLogProb(logProb);
    checkCompressionRatio(compressionRatio);
  }

  /** The bundle's thresholds (these) with each override that is present replacing one. */
  SpeechThresholds with(OptionalDouble noSpeech, OptionalDouble logProb,
      OptionalDouble compressionRatio) {
    return new SpeechThresholds(noSpeech.orElse(this.noSpeech), logProb.orElse(this.logProb),
        compressionRatio.orElse(this.compressionRatio));
  }

  static void checkNoSpeech(double noSpeech) {
    if (!(noSpeech >= 0 && noSpeech <= 1)) {
      throw new IllegalArgumentException("noSpeechThreshold: must be in [0, 1], got " + noSpeech);
    }
  }

  static void checkLogProb(double logProb) {
    if (!(logProb <= 0) || Double.isInfinite(logProb)) {
      throw new IllegalArgumentException("logProbThreshold: must be finite and <= 0, got " + logProb);
    }
  }

  static void checkCompressionRatio(double compressionRatio) {
    if (!(compressionRatio > 0) || Double.isInfinite(compressionRatio)) {
      throw new IllegalArgumentException(
          "compressionRatioThreshold: must be finite and > 0, got " + compressionRatio);
    }
  }

  /**
   * The decision rule on model evidence; NaN evidence (not computed) never says "no speech".
   *
   * @return true when the evidence says there is no speech
   */
  public boolean noSpeech(double noSpeechProbability, double avgLogProbability, double ratio) {
    boolean unlikely = avgLogProbability < logProb;
    return unlikely && (noSpeechProbability > noSpeech || ratio > compressionRatio);
  }

  public SpeechThresholds withNoSpeech(double v) {
    return new SpeechThresholds(v, logProb, compressionRatio);
  }

  public SpeechThresholds withLogProb(double v) {
    return new SpeechThresholds(noSpeech, v, compressionRatio);
  }

  public SpeechThresholds withCompressionRatio(double v) {
    return new SpeechThresholds(noSpeech, logProb, v);
  }
}

package io.mersdk;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * openai-whisper's rule at its edges (transcribe.py): "no speech" needs {@code avg_logprob <
 * logprob_threshold} strictly, and then {@code no_speech_prob > no_speech_threshold} or {@code
 * compression_ratio > compression_ratio_threshold}, both strictly. Evidence exactly at a threshold
 * is therefore speech; one ulp past it is not.
 */
class SpeechThresholdsBoundaryTest {
  private static final SpeechThresholds T = new SpeechThresholds(0.6, -1.0, 2.4);
  private static final double BELOW_LOGPROB = Math.nextDown(-1.0);

  @Test
  void noSpeechProbabilityExactlyAtTheThresholdIsSpeech() {
    assertThat(T.noSpeech(0.6, BELOW_LOGPROB, 1.0)).isFalse();
    assertThat(T.noSpeech(Math.nextUp(0.6), BELOW_LOGPROB, 1.0)).isTrue();
  }

  @Test
  void avgLogProbabilityExactlyAtTheThresholdIsSpeech() {
    assertThat(T.noSpeech(0.9, -1.0, 1.0)).isFalse();
    assertThat(T.noSpeech(0.9, BELOW_LOGPROB, 1.0)).isTrue();
  }

  @Test
  void compressionRatioExactlyAtTheThresholdIsSpeech() {
    assertThat(T.noSpeech(0.1, BELOW_LOGPROB, 2.4)).isFalse();
    assertThat(T.noSpeech(0.1, BELOW_LOGPROB, Math.nextUp(2.4))).isTrue();
  }

  @Test
  void eitherReasonSufficesOnlyWhenTheTranscriptIsUnlikely() {
    assertThat(T.noSpeech(0.9, -0.5, 3.0)).isFalse();
    assertThat(T.noSpeech(0.1, -2.0, 1.0)).isFalse();
    assertThat(T.noSpeech(0.9, -2.0, 1.0)).isTrue();
    assertThat(T.noSpeech(0.1, -2.0, 3.0)).isTrue();
  }

  @Test
  void evidenceNotComputedNeverSaysNoSpeech() {
    assertThat(T.noSpeech(Double.NaN, Double.NaN, Double.NaN)).isFalse();
    assertThat(T.noSpeech(0.9, Double.NaN, 3.0)).isFalse();
    assertThat(T.noSpeech(Double.NaN, -2.0, Double.NaN)).isFalse();
  }
}

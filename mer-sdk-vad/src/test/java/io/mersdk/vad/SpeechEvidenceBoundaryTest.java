package io.mersdk.vad;

import static io.mersdk.vad.SpeechEvidence.MIN_MOVING_FRAMES;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The gate's rule on the counts at its two edges: the moving-frame minimum and the moving share. */
class SpeechEvidenceBoundaryTest {
  @Test
  void exactlyTheMinimumOfMovingFramesIsSpeech() {
    assertThat(SpeechEvidence.isSpeech(0, MIN_MOVING_FRAMES)).isTrue();
    assertThat(SpeechEvidence.isSpeech(0, MIN_MOVING_FRAMES - 1)).isFalse();
  }

  @Test
  void exactlyHalfOfTheFramesMovingIsSpeech() {
    assertThat(SpeechEvidence.isSpeech(20, 20)).isTrue();
    assertThat(SpeechEvidence.isSpeech(21, 20)).isFalse();
    assertThat(SpeechEvidence.isSpeech(19, 20)).isTrue();
  }

  @Test
  void noFramesIsNoSpeech() {
    assertThat(SpeechEvidence.isSpeech(0, 0)).isFalse();
    assertThat(SpeechEvidence.isSpeech(100, 0)).isFalse();
  }
}

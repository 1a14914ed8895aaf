package io.mersdk.onnx;

import static org.assertj.core.api.Assertions.assertThat;

import io.mersdk.onnx.internal.whisper.ContextFrames;
import org.junit.jupiter.api.Test;

/** The context cut of docs/model-bundle.md: min(F, ceil(n / hop)) frames, zero-padded, masked. */
class ContextFramesTest {
  @Test
  void anUtteranceOwnsTheFramesItsSamplesReach() {
    assertThat(ContextFrames.frames(48898, 320, 1500)).isEqualTo(153); // 152.8 -> 153
    assertThat(ContextFrames.frames(320, 320, 1500)).isEqualTo(1);
    assertThat(ContextFrames.frames(321, 320, 1500)).isEqualTo(2);
  }

  @Test
  void longUtterancesAreClampedToTheWindow() {
    assertThat(ContextFrames.frames(16000 * 45, 320, 1500)).isEqualTo(1500);
  }

  @Test
  void theBatchIsCutToTheLongestItemAndMasked() {
    int frames = 4;
    int dim = 2;
    float[] states = new float[2 * frames * dim];
    for (int i = 0; i < states.length; i++) {
      states[i] = i + 1;
    }
    ContextFrames.Cut cut = ContextFrames.cut(states, 2, frames, dim, new int[] {1, 3});
    assertThat(cut.maxFrames()).isEqualTo(3);
    assertThat(cut.states()).containsExactly(
        1, 2, 0, 0, 0, 0,
        9, 10, 11, 12, 13, 14);
    assertThat(cut.mask()).containsExactly(1, 0, 0, 1, 1, 1);
  }
}

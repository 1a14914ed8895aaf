package io.mersdk.onnx.internal.whisper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/** The softmax and log-softmax of the decoder's evidence, against values worked out by hand. */
class EvidenceMathTest {
  @Test
  void softmaxAtOneTokenOfARow() {
    // row [0, ln 3] at offset 2 of a longer array: softmax = [1/4, 3/4]
    float[] logits = {9f, 9f, 0f, (float) Math.log(3)};
    assertThat(GreedyDecoder.softmaxAt(logits, 2, 2, 1)).isCloseTo(0.75, within(1e-7));
    assertThat(GreedyDecoder.softmaxAt(logits, 2, 2, 0)).isCloseTo(0.25, within(1e-7));
  }

  @Test
  void logSoftmaxIgnoresSuppressedTokens() {
    // a suppressed (-inf) entry takes no probability: [ln 1, ln 3, -inf] -> log(3/4)
    float[] row = {0f, (float) Math.log(3), Float.NEGATIVE_INFINITY};
    assertThat(GreedyDecoder.logSoftmaxAt(row, 1)).isCloseTo(Math.log(0.75), within(1e-7));
  }

  @Test
  void largeLogitsDoNotOverflow() {
    float[] row = {1000f, 1000f};
    assertThat(GreedyDecoder.logSoftmaxAt(row, 0)).isCloseTo(Math.log(0.5), within(1e-12));
    assertThat(GreedyDecoder.softmaxAt(row, 0, 2, 1)).isCloseTo(0.5, within(1e-12));
  }
}

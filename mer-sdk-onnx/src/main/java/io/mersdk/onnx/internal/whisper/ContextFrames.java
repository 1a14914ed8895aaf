package io.mersdk.onnx.internal.whisper;

/**
 * Cuts Whisper's encoder states to the utterance (docs/model-bundle.md, "Context cut"): the encoder
 * always sees a padded 30 s window at 50 frames/s, and an utterance of {@code n} samples owns the
 * first {@code min(F, ceil(n / context_hop_samples))} frames of it.
 */
public final class ContextFrames {
  private ContextFrames() {}

  /** Frames of the window that belong to an utterance of {@code numSamples} samples. */
  public static int frames(int numSamples, int hopSamples, int windowFrames) {
    long f = ((long) numSamples + hopSamples - 1) / hopSamples;
    return (int) Math.min(windowFrames, f);
  }

  /**
   * The batch's context features: item {@code i}'s first {@code frames[i]} frames of {@code states}
   * [B, F, d], right-padded with zeros to the longest, and the mask (1 on each item's own frames).
   */
  public static Cut cut(float[] states, int batch, int windowFrames, int dim, int[] frames) {
    int max = 0;
    for (int f : frames) {
      max = Math.max(max, f);
    }
    float[] out = new float[batch * max * dim];
    long[] mask = new long[batch * max];
    for (int i = 0; i < batch; i++) {
      System.arraycopy(states, i * windowFrames * dim, out, i * max * dim, frames[i] * dim);
      java.util.Arrays.fill(mask, i * max, i * max + frames[i], 1L);
    }
    return new Cut(out, mask, max);
  }

  /** [B, maxFrames, d] states and [B, maxFrames] mask. */
  public record Cut(float[] states, long[] mask, int maxFrames) {}
}

package io.mersdk.onnx.internal.wavlm;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtSession;
import io.mersdk.onnx.internal.runtime.Graph;
import io.mersdk.onnx.internal.runtime.Scope;
import io.mersdk.onnx.internal.runtime.Tensors;
import java.util.Map;
import java.util.Set;

/**
 * WavLM over the raw waveforms: every layer's hidden states (the paper's H_S, section II-C-1, fed
 * to the layer adapters of eqs. 1-2) and the frame mask. The batch is right-padded with zeros and
 * {@code waveform_mask} 0; the graph normalises over real samples only, so padding does not change
 * an item's states.
 */
public final class SpeechEncoder {
  public static final String STAGE = "wavlm (speech encoder)";
  private static final Set<String> OUTPUTS = Set.of("hidden_states", "frame_mask");

  private final Graph graph;

  public SpeechEncoder(Graph graph) {
    this.graph = graph;
  }

  /**
   * WavLM's outputs, owned by the scope given to {@link #encode}.
   *
   * @param hiddenStates {@code hidden_states} [B, L+1, T, d]
   * @param frameMask {@code frame_mask} [B, T]
   */
  public record Output(OnnxTensor hiddenStates, OnnxTensor frameMask) {}

  /** Pads the batch, runs WavLM; tensors are owned by {@code scope}. */
  public Output encode(float[][] waveforms, Scope scope) {
    int max = 0;
    for (float[] w : waveforms) {
      max = Math.max(max, w.length);
    }
    int batch = waveforms.length;
    float[] padded = new float[batch * max];
    long[] mask = new long[batch * max];
    for (int i = 0; i < batch; i++) {
      System.arraycopy(waveforms[i], 0, padded, i * max, waveforms[i].length);
      java.util.Arrays.fill(mask, i * max, i * max + waveforms[i].length, 1L);
    }
    OnnxTensor wave = scope.add(Tensors.floats(STAGE, padded, batch, max));
    OnnxTensor waveMask = scope.add(Tensors.longs(STAGE, mask, batch, max));
    OrtSession.Result r = scope.add(
        graph.run(STAGE, Map.of("waveform", wave, "waveform_mask", waveMask), OUTPUTS));
    return new Output(Tensors.output(r, "hidden_states", STAGE), Tensors.output(r, "frame_mask", STAGE));
  }
}

package io.mersdk.onnx.internal.wavlm;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtSession;
import io.mersdk.onnx.internal.runtime.Graph;
import io.mersdk.onnx.internal.runtime.Scope;
import io.mersdk.onnx.internal.runtime.Tensors;
import io.mersdk.onnx.internal.bundle.Manifest;
import io.mersdk.onnx.internal.runtime.TensorSpec;
import io.mersdk.onnx.internal.runtime.TensorSpec.Element;
import java.util.List;
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
  private static final String WAVEFORM = "waveform";
  private static final String WAVEFORM_MASK = "waveform_mask";
  private static final String HIDDEN_STATES = "hidden_states";
  private static final String FRAME_MASK = "frame_mask";
  private static final Set<String> OUTPUTS = Set.of(HIDDEN_STATES, FRAME_MASK);

  /** The contract of {@code wavlm.onnx} (docs/model-bundle.md, "Graphs"). */
  public static List<TensorSpec> contract(Manifest m) {
    Manifest.Wavlm w = m.wavlm().orElseThrow();
    long any = TensorSpec.ANY;
    return List.of(TensorSpec.in(WAVEFORM, Element.FLOAT32, "", any, any),
        TensorSpec.in(WAVEFORM_MASK, Element.INT64, "", any, any),
        TensorSpec.out(HIDDEN_STATES, Element.FLOAT32, because(w), any, w.numLayers() + 1, any,
            w.hiddenSize()),
        TensorSpec.out(FRAME_MASK, Element.INT64, "", any, any));
  }

  /** The manifest fields WavLM's state sizes come from, for messages. */
  public static String because(Manifest.Wavlm w) {
    return "wavlm.num_layers=" + w.numLayers() + ", wavlm.hidden_size=" + w.hiddenSize();
  }

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
        graph.run(STAGE, Map.of(WAVEFORM, wave, WAVEFORM_MASK, waveMask), OUTPUTS));
    return new Output(Tensors.output(r, HIDDEN_STATES, STAGE), Tensors.output(r, FRAME_MASK, STAGE));
  }
}

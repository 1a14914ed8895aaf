package io.mersdk.onnx.internal.whisper;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtSession;
import io.mersdk.onnx.internal.runtime.Graph;
import io.mersdk.onnx.internal.runtime.Scope;
import io.mersdk.onnx.internal.runtime.Tensors;
import java.util.Map;
import java.util.Set;

/**
 * Whisper's encoder over the 30 s log-mel window. Besides the encoder states (the paper's context
 * representations H_C, section II-C-2) the graph returns every decoder layer's cross-attention K
 * and V, so the decoding loop never recomputes them: once per call, not once per step.
 */
public final class WhisperEncoder {
  public static final String STAGE = "asr encode (whisper encoder)";
  private static final Set<String> OUTPUTS = Set.of("encoder_states", "cross_k", "cross_v");

  private final Graph graph;

  public WhisperEncoder(Graph graph) {
    this.graph = graph;
  }

  /**
   * The encoder's outputs, owned by the scope given to {@link #encode}.
   *
   * @param states {@code encoder_states} [B, F, d_model]
   * @param crossK {@code cross_k} [decoder_layers, B, F, d_model]
   * @param crossV {@code cross_v} [decoder_layers, B, F, d_model]
   */
  public record Output(OnnxTensor states, OnnxTensor crossK, OnnxTensor crossV) {}

  public Output encode(OnnxTensor logMel, Scope scope) {
    OrtSession.Result r = scope.add(graph.run(STAGE, Map.of("log_mel", logMel), OUTPUTS));
    return new Output(Tensors.output(r, "encoder_states", STAGE), Tensors.output(r, "cross_k", STAGE),
        Tensors.output(r, "cross_v", STAGE));
  }
}

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

  /** @return the result holding {@code encoder_states}, {@code cross_k}, {@code cross_v}, owned by {@code scope} */
  public OrtSession.Result encode(OnnxTensor logMel, Scope scope) {
    return scope.add(graph.run(STAGE, Map.of("log_mel", logMel), OUTPUTS));
  }

  public static OnnxTensor encoderStates(OrtSession.Result r) {
    return Tensors.output(r, "encoder_states", STAGE);
  }

  public static OnnxTensor crossK(OrtSession.Result r) {
    return Tensors.output(r, "cross_k", STAGE);
  }

  public static OnnxTensor crossV(OrtSession.Result r) {
    return Tensors.output(r, "cross_v", STAGE);
  }
}

package io.mersdk.onnx.internal.pipeline;

import ai.onnxruntime.OnnxTensor;
import io.mersdk.Modality;
import io.mersdk.onnx.internal.fusion.FusionHead;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;

/** The head graph's inputs: the states and mask of each modality the variant fuses. */
final class HeadInputs {
  private final Map<String, OnnxTensor> tensors = new HashMap<>();

  /** Adds {@code <modality>_states} and {@code <modality>_mask}. */
  HeadInputs with(Modality modality, OnnxTensor states, OnnxTensor mask) {
    tensors.put(FusionHead.states(modality), states);
    tensors.put(FusionHead.mask(modality), mask);
    return this;
  }

  Map<String, OnnxTensor> tensors() {
    return Collections.unmodifiableMap(tensors);
  }
}

package io.mersdk.onnx.internal.runtime;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.onnxruntime.OnnxTensor;
import io.mersdk.InferenceException;
import io.mersdk.onnx.testing.TestData;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** A runtime failure inside ONNX Runtime surfaces as an InferenceException naming the stage. */
class GraphTest {
  @Test
  void anOrtFailureIsWrappedWithTheStageAndTheFile() throws Exception {
    try (SessionFactory cpu = SessionFactory.cpu(1);
        Graph graph = new Graph("roberta.onnx",
            cpu.open(TestData.bundles().get(0).resolve("roberta.onnx")));
        OnnxTensor ids = Tensors.longs("test", new long[] {0, 5, 2}, 1, 3);
        OnnxTensor badMask = Tensors.longs("test", new long[] {1, 1}, 1, 2)) {
      assertThatThrownBy(() -> graph.run("roberta (text encoder)",
              Map.of("input_ids", ids, "attention_mask", badMask), Set.of("hidden_states")))
          .isInstanceOf(InferenceException.class)
          .hasMessageStartingWith("roberta (text encoder): ONNX Runtime failed running roberta.onnx")
          .hasCauseInstanceOf(ai.onnxruntime.OrtException.class);
    }
  }
}

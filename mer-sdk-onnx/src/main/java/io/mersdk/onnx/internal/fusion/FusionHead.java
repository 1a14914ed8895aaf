package io.mersdk.onnx.internal.fusion;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtSession;
import io.mersdk.InferenceException;
import io.mersdk.onnx.internal.runtime.Graph;
import io.mersdk.onnx.internal.runtime.Tensors;
import java.util.Map;
import java.util.Set;

/**
 * The fusion head: layer adapters and their weighted sum (paper eqs. 1-2), the per-modality
 * transformers and MLF blocks (eqs. 3-8) and the classifier with softmax (eq. 9), all inside
 * {@code head.onnx}. It takes the states and masks of the variant's modalities only.
 */
public final class FusionHead {
  public static final String STAGE = "head (fusion and classifier)";
  private static final Set<String> OUTPUTS = Set.of("logits", "probabilities");

  private final Graph graph;
  private final int labels;

  public FusionHead(Graph graph, int labels) {
    this.graph = graph;
    this.labels = labels;
  }

  /** The head's outputs per item, in the bundle's label order. */
  public record Scores(float[][] logits, float[][] probabilities) {}

  public Scores classify(Map<String, OnnxTensor> inputs, int batch) {
    try (OrtSession.Result r = graph.run(STAGE, inputs, OUTPUTS)) {
      return new Scores(read(r, "logits", batch), read(r, "probabilities", batch));
    }
  }

  private float[][] read(OrtSession.Result r, String name, int batch) {
    OnnxTensor t = Tensors.output(r, name, STAGE);
    long[] shape = Tensors.shape(t);
    if (shape.length != 2 || shape[0] != batch || shape[1] != labels) {
      throw new InferenceException(STAGE + ": " + name + " has shape " + Tensors.shapeText(shape)
          + " but [" + batch + ", " + labels + "] (batch, labels) was expected");
    }
    float[] flat = Tensors.readFloats(t);
    float[][] out = new float[batch][labels];
    for (int i = 0; i < batch; i++) {
      System.arraycopy(flat, i * labels, out[i], 0, labels);
    }
    return out;
  }
}

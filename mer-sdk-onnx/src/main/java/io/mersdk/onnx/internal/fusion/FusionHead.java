package io.mersdk.onnx.internal.fusion;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtSession;
import io.mersdk.InferenceException;
import io.mersdk.onnx.internal.runtime.Graph;
import io.mersdk.onnx.internal.runtime.Tensors;
import io.mersdk.Modality;
import io.mersdk.onnx.internal.bundle.Manifest;
import io.mersdk.onnx.internal.text.TextEncoder;
import io.mersdk.onnx.internal.wavlm.SpeechEncoder;
import io.mersdk.onnx.internal.runtime.TensorSpec;
import io.mersdk.onnx.internal.runtime.TensorSpec.Element;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The fusion head: layer adapters and their weighted sum (paper eqs. 1-2), the per-modality
 * transformers and MLF blocks (eqs. 3-8) and the classifier with softmax (eq. 9), all inside
 * {@code head.onnx}. It takes the states and masks of the variant's modalities only.
 */
public final class FusionHead {
  public static final String STAGE = "head (fusion and classifier)";
  private static final String LOGITS = "logits";
  private static final String PROBABILITIES = "probabilities";
  private static final Set<String> OUTPUTS = Set.of(LOGITS, PROBABILITIES);

  /** {@code speech_states}, {@code text_states} or {@code context_states}. */
  public static String states(Modality m) {
    return m.manifestName() + "_states";
  }

  /** {@code speech_mask}, {@code text_mask} or {@code context_mask}. */
  public static String mask(Modality m) {
    return m.manifestName() + "_mask";
  }

  /**
   * The contract of {@code head.onnx} (docs/model-bundle.md, "Graphs"): the states and mask of
   * each modality the variant fuses, every label's logit and probability.
   */
  public static List<TensorSpec> contract(Manifest m) {
    long any = TensorSpec.ANY;
    List<TensorSpec> t = new ArrayList<>();
    if (m.uses(Modality.SPEECH)) {
      Manifest.Wavlm w = m.wavlm().orElseThrow();
      t.add(TensorSpec.in(states(Modality.SPEECH), Element.FLOAT32, SpeechEncoder.because(w), any,
          w.numLayers() + 1, any, w.hiddenSize()));
      t.add(TensorSpec.in(mask(Modality.SPEECH), Element.INT64, "", any, any));
    }
    if (m.uses(Modality.TEXT)) {
      Manifest.Text x = m.text().orElseThrow();
      t.add(TensorSpec.in(states(Modality.TEXT), Element.FLOAT32, TextEncoder.because(x), any,
          x.numLayers() + 1, any, x.hiddenSize()));
      t.add(TensorSpec.in(mask(Modality.TEXT), Element.INT64, "", any, any));
    }
    if (m.uses(Modality.CONTEXT)) {
      int d = m.whisper().orElseThrow().dModel();
      t.add(TensorSpec.in(states(Modality.CONTEXT), Element.FLOAT32, "whisper.d_model=" + d, any,
          any, d));
      t.add(TensorSpec.in(mask(Modality.CONTEXT), Element.INT64, "", any, any));
    }
    String labels = "labels has " + m.labels().size() + " entries " + m.labels();
    t.add(TensorSpec.out(LOGITS, Element.FLOAT32, labels, any, m.labels().size()));
    t.add(TensorSpec.out(PROBABILITIES, Element.FLOAT32, labels, any, m.labels().size()));
    return t;
  }

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
      return new Scores(read(r, LOGITS, batch), read(r, PROBABILITIES, batch));
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

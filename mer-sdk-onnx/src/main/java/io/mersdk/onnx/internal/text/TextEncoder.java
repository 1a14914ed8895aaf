package io.mersdk.onnx.internal.text;

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
 * RoBERTa over the transcripts' token ids: every layer's hidden states (the paper's H_T, section
 * II-C-3). The batch is right-padded with {@code text.pad_token_id} and attention mask 0.
 */
public final class TextEncoder {
  public static final String STAGE = "roberta (text encoder)";
  private static final String INPUT_IDS = "input_ids";
  private static final String ATTENTION_MASK = "attention_mask";
  private static final String HIDDEN_STATES = "hidden_states";
  private static final Set<String> OUTPUTS = Set.of(HIDDEN_STATES);

  /** The contract of {@code roberta.onnx} (docs/model-bundle.md, "Graphs"). */
  public static List<TensorSpec> contract(Manifest m) {
    Manifest.Text x = m.text().orElseThrow();
    long any = TensorSpec.ANY;
    return List.of(TensorSpec.in(INPUT_IDS, Element.INT64, "", any, any),
        TensorSpec.in(ATTENTION_MASK, Element.INT64, "", any, any),
        TensorSpec.out(HIDDEN_STATES, Element.FLOAT32, because(x), any, x.numLayers() + 1, any,
            x.hiddenSize()));
  }

  /** The manifest fields the text encoder's state sizes come from, for messages. */
  public static String because(Manifest.Text x) {
    return "text.num_layers=" + x.numLayers() + ", text.hidden_size=" + x.hiddenSize();
  }

  private final Graph graph;
  private final long padTokenId;

  public TextEncoder(Graph graph, long padTokenId) {
    this.graph = graph;
    this.padTokenId = padTokenId;
  }

  /** The padded batch: ids and mask [B, n], owned by the scope. */
  public record Batch(OnnxTensor inputIds, OnnxTensor attentionMask, int width) {}

  public Batch batch(long[][] ids, Scope scope) {
    int width = 0;
    for (long[] row : ids) {
      width = Math.max(width, row.length);
    }
    long[] data = new long[ids.length * width];
    long[] mask = new long[ids.length * width];
    java.util.Arrays.fill(data, padTokenId);
    for (int i = 0; i < ids.length; i++) {
      System.arraycopy(ids[i], 0, data, i * width, ids[i].length);
      java.util.Arrays.fill(mask, i * width, i * width + ids[i].length, 1L);
    }
    return new Batch(
        scope.add(Tensors.longs(STAGE, data, ids.length, width)),
        scope.add(Tensors.longs(STAGE, mask, ids.length, width)),
        width);
  }

  /** @return {@code hidden_states} [B, L+1, n, d], owned by {@code scope} */
  public OnnxTensor encode(Batch batch, Scope scope) {
    OrtSession.Result r = scope.add(graph.run(STAGE,
        Map.of(INPUT_IDS, batch.inputIds(), ATTENTION_MASK, batch.attentionMask()), OUTPUTS));
    return Tensors.output(r, HIDDEN_STATES, STAGE);
  }
}

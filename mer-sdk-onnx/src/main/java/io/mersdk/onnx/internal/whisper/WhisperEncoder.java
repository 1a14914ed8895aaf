package io.mersdk.onnx.internal.whisper;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.mersdk.InferenceException;
import io.mersdk.onnx.internal.runtime.Graph;
import io.mersdk.onnx.internal.runtime.Ort;
import io.mersdk.onnx.internal.runtime.Scope;
import io.mersdk.onnx.internal.runtime.Tensors;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
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
  private final boolean itemByItem;

  /**
   * @param itemByItem run a batch one item at a time and join the outputs (for the CPU): the 30 s
   *     window's attention buffers (heads x 1500^2 floats per layer, 108 MB at whisper-small) are
   *     then held for one item instead of the whole batch, and on the CPU a padded batch of 4 was
   *     no faster than 4 single calls (docs/benchmarks.md); a GPU gains from the batch
   */
  public WhisperEncoder(Graph graph, boolean itemByItem) {
    this.graph = graph;
    this.itemByItem = itemByItem;
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
    long[] shape = Tensors.shape(logMel);
    if (!itemByItem || shape[0] <= 1) {
      OrtSession.Result r = scope.add(graph.run(STAGE, Map.of("log_mel", logMel), OUTPUTS));
      return new Output(Tensors.output(r, "encoder_states", STAGE), Tensors.output(r, "cross_k", STAGE),
          Tensors.output(r, "cross_v", STAGE));
    }
    int batch = Math.toIntExact(shape[0]);
    int melPerItem = Math.toIntExact(shape[1] * shape[2]);
    FloatBuffer mel = logMel.getFloatBuffer();
    float[] item = new float[melPerItem];
    Joined states = null;
    Joined crossK = null;
    Joined crossV = null;
    for (int i = 0; i < batch; i++) {
      mel.position(i * melPerItem);
      mel.get(item);
      try (OnnxTensor one = Tensors.floats(STAGE, item, 1, shape[1], shape[2]);
          OrtSession.Result r = graph.run(STAGE, Map.of("log_mel", one), OUTPUTS)) {
        OnnxTensor s = Tensors.output(r, "encoder_states", STAGE);
        OnnxTensor k = Tensors.output(r, "cross_k", STAGE);
        OnnxTensor v = Tensors.output(r, "cross_v", STAGE);
        if (i == 0) {
          states = new Joined(Tensors.shape(s), 0, batch); // [B, F, d]
          crossK = new Joined(Tensors.shape(k), 1, batch); // [L, B, F, d]
          crossV = new Joined(Tensors.shape(v), 1, batch);
        }
        states.put(i, s);
        crossK.put(i, k);
        crossV.put(i, v);
      }
    }
    return new Output(scope.add(states.tensor()), scope.add(crossK.tensor()), scope.add(crossV.tensor()));
  }

  /** A batch output assembled from single-item outputs along the batch axis {@code axis}. */
  private static final class Joined {
    private final long[] shape;
    private final int outer;
    private final int block;
    private final int batch;
    private final FloatBuffer data;

    Joined(long[] itemShape, int axis, int batch) {
      this.shape = itemShape.clone();
      this.shape[axis] = batch;
      long outerSize = 1;
      for (int a = 0; a < axis; a++) {
        outerSize *= itemShape[a];
      }
      long blockSize = 1;
      for (int a = axis + 1; a < itemShape.length; a++) {
        blockSize *= itemShape[a];
      }
      this.outer = Math.toIntExact(outerSize);
      this.block = Math.toIntExact(blockSize);
      this.batch = batch;
      long bytes = 4L * outerSize * blockSize * batch;
      if (bytes > Integer.MAX_VALUE) {
        throw new InferenceException(STAGE + ": a batch of " + batch + " needs " + bytes / (1 << 20)
            + " MiB for one encoder output " + Tensors.shapeText(shape) + ", more than one buffer holds;"
            + " recognise fewer utterances per call");
      }
      this.data = ByteBuffer.allocateDirect((int) bytes).order(ByteOrder.nativeOrder()).asFloatBuffer();
    }

    void put(int item, OnnxTensor t) {
      FloatBuffer src = t.getFloatBuffer();
      for (int o = 0; o < outer; o++) {
        src.limit((o + 1) * block).position(o * block);
        data.position((o * batch + item) * block);
        data.put(src);
      }
    }

    OnnxTensor tensor() {
      data.rewind();
      try {
        return OnnxTensor.createTensor(Ort.env(), data, shape);
      } catch (OrtException e) {
        throw new InferenceException(STAGE + ": cannot create a float tensor " + Tensors.shapeText(shape)
            + ": " + e.getMessage(), e);
      }
    }
  }
}

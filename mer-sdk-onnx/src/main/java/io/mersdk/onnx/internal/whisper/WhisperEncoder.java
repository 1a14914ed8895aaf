package io.mersdk.onnx.internal.whisper;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.mersdk.InferenceException;
import io.mersdk.onnx.internal.runtime.Graph;
import io.mersdk.onnx.internal.runtime.Ort;
import io.mersdk.onnx.internal.runtime.Scope;
import io.mersdk.onnx.internal.runtime.Tensors;
import io.mersdk.onnx.internal.bundle.Manifest;
import io.mersdk.onnx.internal.runtime.TensorSpec;
import io.mersdk.onnx.internal.runtime.TensorSpec.Element;
import java.util.ArrayList;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Whisper's encoder over the 30 s log-mel window. Besides the encoder states (the paper's context
 * representations H_C, section II-C-2) the graph returns every decoder layer's cross-attention K
 * and V, so the decoding loop never recomputes them: once per call, not once per step. Returned
 * one tensor per layer (bundles from {@code mer_train fuse}/{@code quantize}), a decoding step
 * reads them in place; stacked (as exported), the decoder graph copies each layer's slice out of
 * the stacked input at every step.
 */
public final class WhisperEncoder {
  public static final String STAGE = "asr encode (whisper encoder)";
  private static final String STATES = "encoder_states";
  private static final String LOG_MEL = "log_mel";

  /**
   * The names of the cross-attention K/V the encoder returns and the decoder takes: {@code cross_k,
   * cross_v}, or per layer {@code cross_k_0 .. cross_k_{L-1}, cross_v_0 .. cross_v_{L-1}}.
   */
  public static List<String> crossKvNames(int layers, boolean perLayer) {
    if (!perLayer) {
      return List.of("cross_k", "cross_v");
    }
    List<String> names = new ArrayList<>(2 * layers);
    for (String kv : List.of("cross_k", "cross_v")) {
      for (int l = 0; l < layers; l++) {
        names.add(kv + "_" + l);
      }
    }
    return names;
  }

  /**
   * The contract of {@code whisper_encoder.onnx} (docs/model-bundle.md, "Graphs").
   *
   * @param crossKvPerLayer the cross-attention K/V as one tensor per decoder layer ({@code
   *     cross_k_0} ... [B, F, d_model], as {@code mer_train fuse} and {@code quantize} write them)
   *     instead of stacked [decoder_layers, B, F, d_model]
   */
  public static List<TensorSpec> contract(Manifest m, boolean crossKvPerLayer) {
    Manifest.Whisper w = m.whisper().orElseThrow();
    int mels = m.audio().nMels();
    long any = TensorSpec.ANY;
    String because = "whisper.decoder_layers=" + w.decoderLayers() + ", whisper.d_model=" + w.dModel();
    List<TensorSpec> t = new ArrayList<>();
    t.add(TensorSpec.in(LOG_MEL, Element.FLOAT32, "audio.n_mels=" + mels, any, mels, any));
    t.add(TensorSpec.out(STATES, Element.FLOAT32, "whisper.d_model=" + w.dModel(), any, any, w.dModel()));
    for (String name : crossKvNames(w.decoderLayers(), crossKvPerLayer)) {
      t.add(crossKvPerLayer ? TensorSpec.out(name, Element.FLOAT32, because, any, any, w.dModel())
          : TensorSpec.out(name, Element.FLOAT32, because, w.decoderLayers(), any, any, w.dModel()));
    }
    return t;
  }

  private final Graph graph;
  private final boolean itemByItem;
  private final List<String> crossKv;
  private final Set<String> outputs;

  /**
   * @param itemByItem run a batch one item at a time and join the outputs (for the CPU): the 30 s
   *     window's attention buffers (heads x 1500^2 floats per layer, 108 MB at whisper-small) are
   *     then held for one item instead of the whole batch, and on the CPU a padded batch of 4 was
   *     no faster than 4 single calls (docs/benchmarks.md); a GPU gains from the batch
   * @param crossKv the graph's cross-attention K/V outputs, named as the decoder takes them:
   *     {@code cross_k, cross_v} stacked [decoder_layers, B, F, d_model], or one per layer {@code
   *     cross_k_0 ...} [B, F, d_model] ({@link #crossKvNames})
   */
  public WhisperEncoder(Graph graph, boolean itemByItem, List<String> crossKv) {
    this.graph = graph;
    this.itemByItem = itemByItem;
    this.crossKv = List.copyOf(crossKv);
    Set<String> out = new LinkedHashSet<>();
    out.add(STATES);
    out.addAll(crossKv);
    this.outputs = Set.copyOf(out);
  }

  /**
   * The encoder's outputs, owned by the scope given to {@link #encode}.
   *
   * @param states {@code encoder_states} [B, F, d_model]
   * @param crossKv the cross-attention K/V by name, ready to feed to the decoder
   */
  public record Output(OnnxTensor states, Map<String, OnnxTensor> crossKv) {}

  public Output encode(OnnxTensor logMel, Scope scope) {
    long[] shape = Tensors.shape(logMel);
    if (!itemByItem || shape[0] <= 1) {
      OrtSession.Result r = scope.add(graph.run(STAGE, Map.of(LOG_MEL, logMel), outputs));
      Map<String, OnnxTensor> kv = new LinkedHashMap<>();
      for (String name : crossKv) {
        kv.put(name, Tensors.output(r, name, STAGE));
      }
      return new Output(Tensors.output(r, STATES, STAGE), kv);
    }
    int batch = Math.toIntExact(shape[0]);
    int melPerItem = Math.toIntExact(shape[1] * shape[2]);
    FloatBuffer mel = logMel.getFloatBuffer();
    float[] item = new float[melPerItem];
    Map<String, Joined> joined = new LinkedHashMap<>();
    for (int i = 0; i < batch; i++) {
      mel.position(i * melPerItem);
      mel.get(item);
      try (OnnxTensor one = Tensors.floats(STAGE, item, 1, shape[1], shape[2]);
          OrtSession.Result r = graph.run(STAGE, Map.of(LOG_MEL, one), outputs)) {
        for (String name : outputs) {
          OnnxTensor t = Tensors.output(r, name, STAGE);
          long[] itemShape = Tensors.shape(t);
          // the batch axis: 0 for [B, F, d], 1 for the stacked K/V [L, B, F, d]
          int axis = itemShape.length == 4 ? 1 : 0;
          joined.computeIfAbsent(name, n -> new Joined(itemShape, axis, batch)).put(i, t);
        }
      }
    }
    Map<String, OnnxTensor> kv = new LinkedHashMap<>();
    for (String name : crossKv) {
      kv.put(name, scope.add(joined.get(name).tensor()));
    }
    return new Output(scope.add(joined.get(STATES).tensor()), kv);
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

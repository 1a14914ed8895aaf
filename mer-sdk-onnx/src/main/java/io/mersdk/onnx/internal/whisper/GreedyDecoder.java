package io.mersdk.onnx.internal.whisper;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtSession;
import io.mersdk.onnx.internal.bundle.Manifest;
import io.mersdk.onnx.internal.runtime.Graph;
import io.mersdk.onnx.internal.runtime.Tensors;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * Whisper greedy decoding with the bundle's one-step decoder graph, as openai/whisper's {@code
 * decoding.py} does without timestamps: the start sequence first, then one token per step; {@code
 * suppress_tokens} banned at every step, {@code begin_suppress_tokens} at the first generated
 * position only ("suppress blank"); argmax; stop at {@code end_token} or {@code max_new_tokens}.
 *
 * <p>The self-attention cache stays native: each step's {@code new_self_k/v} output tensors are the
 * next step's {@code self_k/v} inputs, and the step's result is closed only after the following
 * step has run. The cross-attention K/V come from the encoder, computed once per call.
 */
public final class GreedyDecoder {
  public static final String STAGE = "asr decode (whisper decoder)";
  private static final Set<String> OUTPUTS = Set.of("logits", "new_self_k", "new_self_v");

  private final Graph graph;
  private final Manifest.Decoding decoding;
  private final int layers;
  private final int dModel;
  private final long[] startSequence;
  private final int[] suppress;
  private final int[] beginSuppress;

  public GreedyDecoder(Graph graph, Manifest.Whisper whisper) {
    this.graph = graph;
    this.decoding = whisper.decoding();
    this.layers = whisper.decoderLayers();
    this.dModel = whisper.dModel();
    this.startSequence = decoding.startSequence().stream().mapToLong(Long::longValue).toArray();
    this.suppress = decoding.suppressTokens().stream().mapToInt(Integer::intValue).toArray();
    this.beginSuppress = decoding.beginSuppressTokens().stream().mapToInt(Integer::intValue).toArray();
  }

  /**
   * Decodes a batch; all items step together and finished items are carried along, ignored.
   *
   * @param crossK encoder output [decoder_layers, B, F, d_model]
   * @param crossV encoder output [decoder_layers, B, F, d_model]
   * @param skip items not to decode (their transcript was supplied); they count as finished
   * @return per item the generated tokens, without the start sequence and the end token (empty for
   *     skipped items)
   */
  public long[][] decode(OnnxTensor crossK, OnnxTensor crossV, boolean[] skip) {
    int batch = skip.length;
    long end = decoding.endToken();
    long[][] generated = new long[batch][decoding.maxNewTokens()];
    int[] count = new int[batch];
    boolean[] done = skip.clone();

    long[] tokens = new long[batch * startSequence.length];
    for (int i = 0; i < batch; i++) {
      System.arraycopy(startSequence, 0, tokens, i * startSequence.length, startSequence.length);
    }
    int width = startSequence.length;

    OrtSession.Result previous = null;
    // P = 0 on the first step: caches with a zero-length time axis.
    try (OnnxTensor emptyK = Tensors.floats(STAGE, new float[0], layers, batch, 0, dModel);
        OnnxTensor emptyV = Tensors.floats(STAGE, new float[0], layers, batch, 0, dModel)) {
      OnnxTensor selfK = emptyK;
      OnnxTensor selfV = emptyV;
      for (int step = 0; step < decoding.maxNewTokens() && !allTrue(done); step++) {
        OrtSession.Result result;
        try (OnnxTensor tokenTensor = Tensors.longs(STAGE, tokens, batch, width)) {
          Map<String, OnnxTensor> inputs = new HashMap<>();
          inputs.put("tokens", tokenTensor);
          inputs.put("self_k", selfK);
          inputs.put("self_v", selfV);
          inputs.put("cross_k", crossK);
          inputs.put("cross_v", crossV);
          result = graph.run(STAGE, inputs, OUTPUTS);
        }
        if (previous != null) {
          previous.close(); // its caches were this step's inputs and are no longer needed
        }
        previous = result;

        OnnxTensor logitsTensor = Tensors.output(result, "logits", STAGE);
        float[] logits = Tensors.readFloats(logitsTensor);
        int vocab = (int) Tensors.shape(logitsTensor)[1];
        tokens = new long[batch];
        width = 1;
        for (int i = 0; i < batch; i++) {
          if (done[i]) {
            tokens[i] = end; // any valid id: the item's output is ignored from now on
            continue;
          }
          long next = argmax(logits, i * vocab, vocab, step == 0);
          tokens[i] = next;
          if (next == end) {
            done[i] = true;
          } else {
            generated[i][count[i]++] = next;
          }
        }
        selfK = Tensors.output(result, "new_self_k", STAGE);
        selfV = Tensors.output(result, "new_self_v", STAGE);
      }
    } finally {
      if (previous != null) {
        previous.close();
      }
    }
    long[][] out = new long[batch][];
    for (int i = 0; i < batch; i++) {
      out[i] = Arrays.copyOf(generated[i], count[i]);
    }
    return out;
  }

  /** Argmax over one row with the suppressed tokens at -inf; ties go to the lowest id. */
  private long argmax(float[] logits, int offset, int vocab, boolean firstPosition) {
    float[] row = Arrays.copyOfRange(logits, offset, offset + vocab);
    for (int t : suppress) {
      row[t] = Float.NEGATIVE_INFINITY;
    }
    if (firstPosition) {
      for (int t : beginSuppress) {
        row[t] = Float.NEGATIVE_INFINITY;
      }
    }
    int best = 0;
    for (int t = 1; t < vocab; t++) {
      if (row[t] > row[best]) {
        best = t;
      }
    }
    return best;
  }

  private static boolean allTrue(boolean[] b) {
    for (boolean x : b) {
      if (!x) {
        return false;
      }
    }
    return true;
  }
}

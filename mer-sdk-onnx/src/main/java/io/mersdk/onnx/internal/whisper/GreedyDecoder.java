package io.mersdk.onnx.internal.whisper;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtSession;
import io.mersdk.onnx.internal.bundle.Manifest;
import io.mersdk.onnx.internal.runtime.Graph;
import io.mersdk.onnx.internal.runtime.Tensors;
import io.mersdk.onnx.internal.runtime.TensorSpec;
import io.mersdk.onnx.internal.runtime.TensorSpec.Element;
import java.util.ArrayList;
import java.util.List;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * Whisper greedy decoding with the bundle's one-step decoder graph, as openai/whisper's {@code
 * decoding.py} does without timestamps: the start sequence first, then one token per step; {@code
 * suppress_tokens} banned at every step, {@code begin_suppress_tokens} at the first generated
 * position only ("suppress blank"); argmax; stop at {@code end_token} or {@code max_new_tokens}.
 * Along the way it computes openai-whisper's speech evidence per item ({@link Hypothesis}).
 *
 * <p>The self-attention cache stays native: each step's {@code new_self_k/v} output tensors are the
 * next step's {@code self_k/v} inputs, and the step's result is closed only after the following
 * step has run. The cross-attention K/V come from the encoder, computed once per call.
 */
public final class GreedyDecoder {
  public static final String STAGE = "asr decode (whisper decoder)";
  private static final String TOKENS = "tokens";
  private static final String SELF_K = "self_k";
  private static final String SELF_V = "self_v";
  private static final String LOGITS = "logits";
  private static final String NEW_SELF_K = "new_self_k";
  private static final String NEW_SELF_V = "new_self_v";
  private static final Set<String> OUTPUTS = Set.of(LOGITS, NEW_SELF_K, NEW_SELF_V);

  /**
   * The contract of {@code whisper_decoder.onnx} (docs/model-bundle.md, "Graphs"): the token
   * window, the self-attention caches and the encoder's cross-attention K/V ({@link
   * WhisperEncoder#crossKvNames}) in; the logits and the updated caches out.
   */
  public static List<TensorSpec> contract(Manifest m, boolean crossKvPerLayer) {
    Manifest.Whisper w = m.whisper().orElseThrow();
    long any = TensorSpec.ANY;
    String because = "whisper.decoder_layers=" + w.decoderLayers() + ", whisper.d_model=" + w.dModel();
    List<TensorSpec> t = new ArrayList<>();
    t.add(TensorSpec.in(TOKENS, Element.INT64, "", any, any));
    for (String cache : List.of(SELF_K, SELF_V)) {
      t.add(TensorSpec.in(cache, Element.FLOAT32, because, w.decoderLayers(), any, any, w.dModel()));
    }
    for (String name : WhisperEncoder.crossKvNames(w.decoderLayers(), crossKvPerLayer)) {
      t.add(crossKvPerLayer ? TensorSpec.in(name, Element.FLOAT32, because, any, any, w.dModel())
          : TensorSpec.in(name, Element.FLOAT32, because, w.decoderLayers(), any, any, w.dModel()));
    }
    // Format 2: the logits of every input position, [B, T, V] (position 0 gives the no-speech
    // probability); format 1: the last position only, [B, V].
    String vocab = "whisper.vocab_size=" + w.vocabSize() + ", format_version=" + m.formatVersion();
    t.add(m.decoderLogitsPerPosition()
        ? TensorSpec.out(LOGITS, Element.FLOAT32, vocab, any, any, w.vocabSize())
        : TensorSpec.out(LOGITS, Element.FLOAT32, vocab, any, w.vocabSize()));
    t.add(TensorSpec.out(NEW_SELF_K, Element.FLOAT32, because, w.decoderLayers(), any, any, w.dModel()));
    t.add(TensorSpec.out(NEW_SELF_V, Element.FLOAT32, because, w.decoderLayers(), any, any, w.dModel()));
    return t;
  }

  private final Graph graph;
  private final Manifest.Decoding decoding;
  private final int layers;
  private final int dModel;
  private final long[] startSequence;
  private final int[] suppress;
  private final int[] beginSuppress;
  /** -1 when the bundle has no no-speech token. */
  private final int noSpeechToken;
  private final boolean perPosition;

  /**
   * @param perPosition whether the graph's {@code logits} are [B, T, V] (format 2) rather than
   *     [B, V]
   */
  public GreedyDecoder(Graph graph, Manifest.Whisper whisper, boolean perPosition) {
    this.graph = graph;
    this.decoding = whisper.decoding();
    this.layers = whisper.decoderLayers();
    this.dModel = whisper.dModel();
    this.startSequence = decoding.startSequence().stream().mapToLong(Long::longValue).toArray();
    this.suppress = decoding.suppressTokens().stream().mapToInt(Integer::intValue).toArray();
    this.beginSuppress = decoding.beginSuppressTokens().stream().mapToInt(Integer::intValue).toArray();
    this.perPosition = perPosition;
    // Position 0 exists only in [B, T, V] logits.
    this.noSpeechToken = perPosition ? decoding.noSpeechToken().orElse(-1) : -1;
  }

  /**
   * One item's greedy hypothesis with openai-whisper's evidence ({@code decoding.py}).
   *
   * @param tokens the generated tokens, without the start sequence and the end token
   * @param noSpeechProbability softmax over the whole vocabulary of the first step's logits at
   *     position 0 (the first token of the start sequence), before any suppression, at {@code
   *     whisper.decoding.no_speech_token}; NaN when the bundle has no such token (or is format 1,
   *     whose decoder returns only the last position)
   * @param avgLogProbability the log-softmax (after suppression) of each chosen token, the end
   *     token included when it was generated, summed and divided by {@code tokens.length + 1}
   */
  public record Hypothesis(long[] tokens, double noSpeechProbability, double avgLogProbability) {}

  /**
   * Decodes a batch; all items step together and finished items are carried along, ignored.
   *
   * @param crossKv the encoder's cross-attention K/V by decoder input name ({@link
   *     WhisperEncoder.Output#crossKv}), fed to every step as they are
   * @param skip items not to decode (their transcript was supplied); they count as finished
   * @return per item its hypothesis, {@code null} for skipped items
   */
  public Hypothesis[] decode(Map<String, OnnxTensor> crossKv, boolean[] skip) {
    int batch = skip.length;
    long end = decoding.endToken();
    long[][] generated = new long[batch][decoding.maxNewTokens()];
    int[] count = new int[batch];
    double[] sumLogProb = new double[batch];
    double[] noSpeech = new double[batch];
    Arrays.fill(noSpeech, Double.NaN);
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
          inputs.put(TOKENS, tokenTensor);
          inputs.put(SELF_K, selfK);
          inputs.put(SELF_V, selfV);
          inputs.putAll(crossKv);
          result = graph.run(STAGE, inputs, OUTPUTS);
        }
        if (previous != null) {
          previous.close(); // its caches were this step's inputs and are no longer needed
        }
        previous = result;

        OnnxTensor logitsTensor = Tensors.output(result, LOGITS, STAGE);
        float[] logits = Tensors.readFloats(logitsTensor);
        long[] shape = Tensors.shape(logitsTensor);
        // [B, T, V] from format 2 (every input position), [B, V] (the last one) in format 1
        int positions = perPosition ? (int) shape[1] : 1;
        int vocab = (int) shape[shape.length - 1];
        tokens = new long[batch];
        width = 1;
        for (int i = 0; i < batch; i++) {
          if (done[i]) {
            tokens[i] = end; // any valid id: the item's output is ignored from now on
            continue;
          }
          if (step == 0 && noSpeechToken >= 0) {
            noSpeech[i] = softmaxAt(logits, i * positions * vocab, vocab, noSpeechToken);
          }
          float[] row = suppressed(logits, (i * positions + positions - 1) * vocab, vocab, step == 0);
          int next = argmax(row);
          sumLogProb[i] += logSoftmaxAt(row, next);
          tokens[i] = next;
          if (next == end) {
            done[i] = true;
          } else {
            generated[i][count[i]++] = next;
          }
        }
        selfK = Tensors.output(result, NEW_SELF_K, STAGE);
        selfV = Tensors.output(result, NEW_SELF_V, STAGE);
      }
    } finally {
      if (previous != null) {
        previous.close();
      }
    }
    Hypothesis[] out = new Hypothesis[batch];
    for (int i = 0; i < batch; i++) {
      if (!skip[i]) {
        // openai-whisper: sum_logprobs / (len(tokens) + 1), tokens without the end token
        out[i] = new Hypothesis(Arrays.copyOf(generated[i], count[i]), noSpeech[i],
            Math.min(0.0, sumLogProb[i] / (count[i] + 1)));
      }
    }
    return out;
  }

  /** One row of logits with the suppressed tokens at -inf. */
  private float[] suppressed(float[] logits, int offset, int vocab, boolean firstPosition) {
    float[] row = Arrays.copyOfRange(logits, offset, offset + vocab);
    for (int t : suppress) {
      row[t] = Float.NEGATIVE_INFINITY;
    }
    if (firstPosition) {
      for (int t : beginSuppress) {
        row[t] = Float.NEGATIVE_INFINITY;
      }
    }
    return row;
  }

  /** Argmax; ties go to the lowest id. */
  private static int argmax(float[] row) {
    int best = 0;
    for (int t = 1; t < row.length; t++) {
      if (row[t] > row[best]) {
        best = t;
      }
    }
    return best;
  }

  /** softmax(row)[token] over {@code vocab} entries from {@code offset}, in double. */
  static double softmaxAt(float[] logits, int offset, int vocab, int token) {
    double max = Double.NEGATIVE_INFINITY;
    for (int t = 0; t < vocab; t++) {
      max = Math.max(max, logits[offset + t]);
    }
    double sum = 0;
    for (int t = 0; t < vocab; t++) {
      sum += Math.exp(logits[offset + t] - max);
    }
    return Math.exp(logits[offset + token] - max) / sum;
  }

  /** log_softmax(row)[token], in double; -inf entries (suppressed) add nothing. */
  static double logSoftmaxAt(float[] row, int token) {
    double max = Double.NEGATIVE_INFINITY;
    for (float x : row) {
      max = Math.max(max, x);
    }
    double sum = 0;
    for (float x : row) {
      sum += Math.exp(x - max);
    }
    return row[token] - max - Math.log(sum);
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

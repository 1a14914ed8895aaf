package io.mersdk.onnx.internal.features;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtSession;
import io.mersdk.onnx.internal.bundle.Manifest;
import io.mersdk.onnx.internal.runtime.Graph;
import io.mersdk.onnx.internal.runtime.Scope;
import io.mersdk.onnx.internal.runtime.Tensors;
import io.mersdk.onnx.internal.runtime.TensorSpec;
import io.mersdk.onnx.internal.runtime.TensorSpec.Element;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Waveforms to Whisper log-mel features with the bundle's {@code features.onnx}, which implements
 * transformers' {@code WhisperFeatureExtractor} (STFT as a matmul, mel filter bank, log10, {@code
 * max(x, max - 8)}, {@code (x + 4) / 4}).
 */
public final class LogMel {
  public static final String STAGE = "features (log-mel)";
  private static final String WAVEFORM = "waveform";
  private static final String LOG_MEL = "log_mel";
  private static final Set<String> OUTPUTS = Set.of(LOG_MEL);

  /** The contract of {@code features.onnx} (docs/model-bundle.md, "Graphs"). */
  public static List<TensorSpec> contract(Manifest m) {
    int mels = m.audio().nMels();
    return List.of(TensorSpec.in(WAVEFORM, Element.FLOAT32, "", TensorSpec.ANY, TensorSpec.ANY),
        TensorSpec.out(LOG_MEL, Element.FLOAT32, "audio.n_mels=" + mels, TensorSpec.ANY, mels,
            TensorSpec.ANY));
  }

  private final Graph graph;
  private final int nSamples;
  private final int rate;

  public LogMel(Graph graph, Manifest.Audio audio) {
    this.graph = graph;
    this.nSamples = audio.nSamples();
    this.rate = audio.sampleRate();
  }

  /**
   * The samples each waveform is padded to: {@code audio.n_samples} (the window Whisper was
   * trained on), or with {@code fit} the longest waveform rounded up to whole seconds.
   */
  public int paddedLength(float[][] waveforms, boolean fit) {
    if (!fit) {
      return nSamples;
    }
    int longest = 1;
    for (float[] w : waveforms) {
      longest = Math.max(longest, w.length);
    }
    // whole seconds: every frame count stays even (the encoder's stride-2 convolution)
    long seconds = (longest + rate - 1) / rate;
    return (int) Math.min(nSamples, seconds * rate);
  }

  /**
   * Pads each waveform with zeros to {@code nSamples} (by default {@code audio.n_samples}, exactly
   * as {@code WhisperFeatureExtractor(padding="max_length")} does; the caller has refused longer
   * ones) and runs the graph.
   *
   * @return {@code log_mel} [B, n_mels, nSamples / hop_length], owned by {@code scope}
   */
  public OnnxTensor compute(float[][] waveforms, int nSamples, Scope scope) {
    float[] padded = new float[waveforms.length * nSamples];
    for (int i = 0; i < waveforms.length; i++) {
      System.arraycopy(waveforms[i], 0, padded, i * nSamples, Math.min(waveforms[i].length, nSamples));
    }
    OnnxTensor input = scope.add(Tensors.floats(STAGE, padded, waveforms.length, nSamples));
    OrtSession.Result r = scope.add(graph.run(STAGE, Map.of(WAVEFORM, input), OUTPUTS));
    return Tensors.output(r, LOG_MEL, STAGE);
  }
}

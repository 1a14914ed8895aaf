package io.mersdk.onnx.internal.features;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtSession;
import io.mersdk.onnx.internal.bundle.Manifest;
import io.mersdk.onnx.internal.runtime.Graph;
import io.mersdk.onnx.internal.runtime.Scope;
import io.mersdk.onnx.internal.runtime.Tensors;
import java.util.Map;
import java.util.Set;

/**
 * Waveforms to Whisper log-mel features with the bundle's {@code features.onnx}, which implements
 * transformers' {@code WhisperFeatureExtractor} (STFT as a matmul, mel filter bank, log10, {@code
 * max(x, max - 8)}, {@code (x + 4) / 4}).
 */
public final class LogMel {
  public static final String STAGE = "features (log-mel)";
  private static final Set<String> OUTPUTS = Set.of("log_mel");

  private final Graph graph;
  private final int nSamples;

  public LogMel(Graph graph, Manifest.Audio audio) {
    this.graph = graph;
    this.nSamples = audio.nSamples();
  }

  /**
   * Pads with zeros or cuts each waveform to {@code audio.n_samples}, exactly as {@code
   * WhisperFeatureExtractor(padding="max_length")} does, and runs the graph.
   *
   * @return the result holding {@code log_mel} [B, n_mels, n_samples / hop_length], owned by
   *     {@code scope}
   */
  public OrtSession.Result compute(float[][] waveforms, Scope scope) {
    float[] padded = new float[waveforms.length * nSamples];
    for (int i = 0; i < waveforms.length; i++) {
      System.arraycopy(waveforms[i], 0, padded, i * nSamples, Math.min(waveforms[i].length, nSamples));
    }
    OnnxTensor input = scope.add(Tensors.floats(STAGE, padded, waveforms.length, nSamples));
    return scope.add(graph.run(STAGE, Map.of("waveform", input), OUTPUTS));
  }

  public static OnnxTensor logMel(OrtSession.Result result) {
    return Tensors.output(result, "log_mel", STAGE);
  }
}

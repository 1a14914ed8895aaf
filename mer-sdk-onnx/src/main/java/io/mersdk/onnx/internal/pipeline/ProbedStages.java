package io.mersdk.onnx.internal.pipeline;

import ai.onnxruntime.OnnxTensor;
import io.mersdk.onnx.internal.fusion.FusionHead;
import io.mersdk.onnx.internal.runtime.Scope;
import io.mersdk.onnx.internal.runtime.Tensors;
import io.mersdk.onnx.internal.wavlm.SpeechEncoder;
import io.mersdk.onnx.internal.whisper.ContextFrames;
import io.mersdk.onnx.internal.whisper.GreedyDecoder;
import io.mersdk.onnx.internal.whisper.WhisperEncoder;

/**
 * {@link Stages} that hand each stage's output to a {@link Probe}, item by item and cut to the
 * item's own length, then return it unchanged. Made per call (it knows the batch's lengths).
 */
final class ProbedStages implements Stages {
  private final Stages inner;
  private final Probe probe;
  /** The caller's item number of each position of the batch that runs. */
  private final int[] items;
  private final int[] lengths;
  private final int contextHop;

  /**
   * @param items the caller's item number of each position of the batch
   * @param lengths each position's number of samples
   * @param contextHop {@code whisper.context_hop_samples} (samples per encoder frame), 0 without
   *     Whisper
   */
  ProbedStages(Stages inner, Probe probe, int[] items, int[] lengths, int contextHop) {
    this.inner = inner;
    this.probe = probe;
    this.items = items;
    this.lengths = lengths;
    this.contextHop = contextHop;
  }

  @Override
  public OnnxTensor features(float[][] waves, int paddedLength, Scope scope) {
    OnnxTensor logMel = inner.features(waves, paddedLength, scope);
    probeItems(Probe.LOG_MEL, logMel, null, 1);
    return logMel;
  }

  @Override
  public WhisperEncoder.Output asrEncode(OnnxTensor logMel, Scope scope) {
    WhisperEncoder.Output out = inner.asrEncode(logMel, scope);
    int windowFrames = (int) Tensors.shape(out.states())[1];
    int[] frames = new int[lengths.length];
    for (int i = 0; i < frames.length; i++) {
      frames[i] = ContextFrames.frames(lengths[i], contextHop, windowFrames);
    }
    probeItems(Probe.ENCODER_STATES, out.states(), frames, 1);
    return out;
  }

  @Override
  public GreedyDecoder.Hypothesis[] asrDecode(WhisperEncoder.Output encoded, boolean[] skip) {
    return inner.asrDecode(encoded, skip);
  }

  @Override
  public String detokenize(long[] tokens) {
    return inner.detokenize(tokens);
  }

  @Override
  public SpeechEncoder.Output speech(float[][] waves, Scope scope) {
    SpeechEncoder.Output out = inner.speech(waves, scope);
    long[] mask = Tensors.readLongs(out.frameMask());
    int width = (int) Tensors.shape(out.frameMask())[1];
    int[] frames = new int[waves.length];
    for (int i = 0; i < waves.length; i++) {
      for (int k = 0; k < width; k++) {
        frames[i] += (int) mask[i * width + k];
      }
    }
    probeItems(Probe.WAVLM_HIDDEN_STATES, out.hiddenStates(), frames, 2);
    return out;
  }

  @Override
  public TextOutput text(String[] transcripts, Scope scope) {
    TextOutput out = inner.text(transcripts, scope);
    int[] tokens = new int[out.ids().length];
    for (int i = 0; i < tokens.length; i++) {
      tokens[i] = out.ids()[i].length;
    }
    probeItems(Probe.ROBERTA_HIDDEN_STATES, out.hiddenStates(), tokens, 2);
    return out;
  }

  @Override
  public FusionHead.Scores head(HeadInputs inputs, int batch) {
    FusionHead.Scores scores = inner.head(inputs, batch);
    for (int i = 0; i < batch; i++) {
      long[] shape = {scores.logits()[i].length};
      probe.accept(Probe.LOGITS, items[i], shape, scores.logits()[i]);
      probe.accept(Probe.PROBABILITIES, items[i], shape, scores.probabilities()[i]);
    }
    return scores;
  }

  /** Hands each item of a [B, ...] tensor to the probe, cut on {@code axis} to its own length. */
  private void probeItems(String name, OnnxTensor tensor, int[] keep, int axis) {
    if (!probe.wants(name)) {
      return;
    }
    float[] data = Tensors.readFloats(tensor);
    long[] shape = Tensors.shape(tensor);
    for (int i = 0; i < shape[0]; i++) {
      int k = keep == null ? (int) shape[axis] : keep[i];
      probe.accept(name, items[i], Slices.itemShape(shape, axis, k), Slices.item(data, shape, i, axis, k));
    }
  }
}

package io.mersdk.onnx.internal.pipeline;

import ai.onnxruntime.OnnxTensor;
import io.mersdk.onnx.internal.fusion.FusionHead;
import io.mersdk.onnx.internal.runtime.Scope;
import io.mersdk.onnx.internal.wavlm.SpeechEncoder;
import io.mersdk.onnx.internal.whisper.GreedyDecoder;
import io.mersdk.onnx.internal.whisper.WhisperEncoder;

/**
 * The model stages of a bundle in the order the data flows through them, each with a small typed
 * output. {@link OnnxBackend} decides which run and in what order; {@link Models} implements them
 * on ONNX Runtime; {@link ProbedStages} decorates them for parity tests. Native outputs are owned
 * by the scope passed in.
 */
interface Stages {
  /** Log-mel features [B, n_mels, frames] of the waveforms padded to {@code paddedLength}. */
  OnnxTensor features(float[][] waves, int paddedLength, Scope scope);

  /** Whisper's encoder: context states and every decoder layer's cross-attention K/V. */
  WhisperEncoder.Output asrEncode(OnnxTensor logMel, Scope scope);

  /** Greedy decoding with its evidence; {@code null} for the items in {@code skip}. */
  GreedyDecoder.Hypothesis[] asrDecode(WhisperEncoder.Output encoded, boolean[] skip);

  /** Whisper token ids to text, special tokens skipped. */
  String detokenize(long[] tokens);

  /** WavLM's hidden states and frame mask. Runs on a worker thread, beside the ASR chain. */
  SpeechEncoder.Output speech(float[][] waves, Scope scope);

  /** The text encoder over the transcripts. */
  TextOutput text(String[] transcripts, Scope scope);

  /** The fusion head's logits and probabilities per item. */
  FusionHead.Scores head(HeadInputs inputs, int batch);

  /**
   * RoBERTa's output for a batch of transcripts.
   *
   * @param ids each item's token ids, special tokens included
   * @param hiddenStates [B, L+1, n, d]
   * @param attentionMask [B, n]
   */
  record TextOutput(long[][] ids, OnnxTensor hiddenStates, OnnxTensor attentionMask) {}
}

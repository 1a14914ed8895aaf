package io.mersdk.onnx.internal.pipeline;

import ai.onnxruntime.OnnxTensor;
import io.mersdk.onnx.internal.whisper.GreedyDecoder;
import java.util.List;
import java.util.Optional;

/**
 * What the ASR chain (log-mel, Whisper encoder, greedy decoding) gave a batch.
 *
 * @param items per item its transcript and, when it was decoded, the decoder's evidence
 * @param context the context modality's head inputs (the utterances' own encoder frames), when
 *     the variant fuses the context
 */
record AsrOutput(List<Transcript> items, Optional<Context> context) {

  /**
   * One item's transcript.
   *
   * @param text what the text encoder reads: the caller's transcript, the decoded one, or empty
   * @param supplied whether the caller supplied it
   * @param tokens the decoded Whisper tokens (empty unless decoded)
   * @param hypothesis the decoder's hypothesis with its evidence; empty unless decoded
   * @param compressionRatio the decoded transcript's compression ratio; NaN unless decoded
   */
  record Transcript(String text, boolean supplied, long[] tokens,
      Optional<GreedyDecoder.Hypothesis> hypothesis, double compressionRatio) {

    static Transcript notDecoded(String suppliedOrNull) {
      return new Transcript(suppliedOrNull == null ? "" : suppliedOrNull, suppliedOrNull != null,
          new long[0], Optional.empty(), Double.NaN);
    }
  }

  /** [B, maxFrames, d_model] states and their [B, maxFrames] mask. */
  record Context(OnnxTensor states, OnnxTensor mask) {}
}

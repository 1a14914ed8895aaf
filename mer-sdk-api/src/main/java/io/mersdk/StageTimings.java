package io.mersdk;

import java.time.Duration;

/**
 * Wall-clock time spent in each stage of one call. For a batch call the figures are those of the
 * whole batch, shared by its results. A stage that did not run (for example {@code asrDecode} when
 * the caller supplied the transcript, or {@code wavlm} for a bundle without the speech modality)
 * is {@link Duration#ZERO}.
 */
public record StageTimings(
    Duration features,
    Duration asrEncode,
    Duration asrDecode,
    Duration wavlm,
    Duration roberta,
    Duration head,
    Duration total) {

  public StageTimings {
    features = nonNull(features);
    asrEncode = nonNull(asrEncode);
    asrDecode = nonNull(asrDecode);
    wavlm = nonNull(wavlm);
    roberta = nonNull(roberta);
    head = nonNull(head);
    total = nonNull(total);
  }

  private static Duration nonNull(Duration d) {
    return d == null ? Duration.ZERO : d;
  }
}

package io.mersdk;

import java.util.Optional;

/**
 * One utterance to recognise: mono samples at the bundle's sample rate (16 kHz for every bundle
 * made by mer-train) in [-1, 1], and optionally a transcript supplied by the caller, in which case
 * ASR decoding is skipped and the transcript feeds the text encoder.
 *
 * <p>The sample array is not copied; do not change it while a call that uses it runs.
 */
public record Utterance(float[] samples, String transcript) {

  public Utterance {
    if (samples == null) {
      throw new IllegalArgumentException("samples must not be null");
    }
  }

  /** Samples only: the transcript comes from the bundle's Whisper decoder. */
  public static Utterance of(float[] samples) {
    return new Utterance(samples, null);
  }

  /** Samples with a caller-supplied transcript (ASR decoding is skipped). */
  public static Utterance of(float[] samples, String transcript) {
    if (transcript == null) {
      throw new IllegalArgumentException("transcript must not be null; use Utterance.of(samples)");
    }
    return new Utterance(samples, transcript);
  }

  public Optional<String> suppliedTranscript() {
    return Optional.ofNullable(transcript);
  }
}

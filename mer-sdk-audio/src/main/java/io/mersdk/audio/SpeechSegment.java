package io.mersdk.audio;

import java.time.Duration;

/**
 * One stretch of speech found by the {@link Segmenter}: its place in the recording and its
 * samples. The sample array is not copied on access; do not change it.
 *
 * @param startSample index of the first sample in the recording (inclusive)
 * @param endSample index after the last sample (exclusive)
 * @param sampleRate the rate of the samples, in Hz
 * @param samples the mono samples {@code [startSample, endSample)}
 */
public record SpeechSegment(long startSample, long endSample, int sampleRate, float[] samples) {
  public SpeechSegment {
    if (samples == null) {
      throw new IllegalArgumentException("samples must not be null");
    }
    if (sampleRate <= 0) {
      throw new IllegalArgumentException("sampleRate: must be > 0, got " + sampleRate);
    }
    if (startSample < 0 || endSample < startSample
        || endSample - startSample != samples.length) {
      throw new IllegalArgumentException("segment [" + startSample + ", " + endSample
          + ") does not match its " + samples.length + " samples");
    }
  }

  /** Where the segment starts in the recording. */
  public Duration start() {
    return toDuration(startSample);
  }

  /** Where the segment ends in the recording. */
  public Duration end() {
    return toDuration(endSample);
  }

  public Duration duration() {
    return toDuration(endSample - startSample);
  }

  private Duration toDuration(long sample) {
    return Duration.ofNanos(Math.round(sample * 1e9 / sampleRate));
  }

  @Override
  public String toString() {
    return String.format(java.util.Locale.ROOT, "SpeechSegment[%.3f s - %.3f s]",
        startSample / (double) sampleRate, endSample / (double) sampleRate);
  }
}

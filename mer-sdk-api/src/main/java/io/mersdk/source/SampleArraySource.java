package io.mersdk.source;

import io.mersdk.AudioException;

/** Samples already decoded at a known rate; no resampling (that lives in mer-sdk-audio). */
final class SampleArraySource implements AudioSource {
  private final float[] samples;
  private final int sampleRate;
  private final String description;

  SampleArraySource(float[] samples, int sampleRate, String description) {
    if (samples == null) {
      throw new IllegalArgumentException("samples must not be null");
    }
    if (sampleRate <= 0) {
      throw new IllegalArgumentException("sampleRate must be > 0, got " + sampleRate);
    }
    this.samples = samples;
    this.sampleRate = sampleRate;
    this.description = description == null ? "samples" : description;
  }

  @Override
  public float[] readMono(int rate) {
    if (rate != sampleRate) {
      throw new AudioException(
          description + ": samples are at " + sampleRate + " Hz but " + rate
              + " Hz is needed; use io.mersdk.audio.AudioSources.of(samples, rate) to resample");
    }
    return samples;
  }

  @Override
  public String description() {
    return description;
  }
}

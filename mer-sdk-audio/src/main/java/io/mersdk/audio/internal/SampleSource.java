package io.mersdk.audio.internal;

import io.mersdk.audio.DecodeOptions;
import io.mersdk.source.AudioSource;

/** Mono samples already in memory at a known rate; resampled on read. */
public final class SampleSource implements AudioSource {
  private final float[] samples;
  private final int sampleRate;
  private final String description;
  private final DecodeOptions options;

  public SampleSource(float[] samples, int sampleRate, String description, DecodeOptions options) {
    this.samples = samples;
    this.sampleRate = sampleRate;
    this.description = description;
    this.options = options;
  }

  /** 16-bit samples, scaled by 1/32768 as {@link PcmFrames} does. */
  public static float[] fromShorts(short[] s) {
    float[] f = new float[s.length];
    for (int i = 0; i < s.length; i++) {
      f[i] = s[i] / 32768f;
    }
    return f;
  }

  @Override
  public float[] readMono(int rate) {
    return MonoPipeline.finish(samples, sampleRate, rate, options, description);
  }

  @Override
  public String description() {
    return description;
  }

  @Override
  public String toString() {
    return "SampleSource[" + description + "]";
  }
}

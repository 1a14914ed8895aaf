package io.mersdk.audio.internal;

import io.mersdk.AudioException;
import io.mersdk.audio.DecodeOptions;
import io.mersdk.audio.Resampler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last steps shared by every source: check the samples, the duration limits, resample to the
 * rate asked for, and clip to [-1, 1] (the AudioSource contract; float files and the resampler's
 * overshoot can exceed it slightly).
 */
public final class MonoPipeline {
  private static final Logger LOG = LoggerFactory.getLogger(MonoPipeline.class);

  private MonoPipeline() {}

  /**
   * @param mono mono samples at {@code sourceRate}; not changed
   * @return a new array at {@code targetRate}
   */
  public static float[] finish(float[] mono, float sourceRate, int targetRate,
      DecodeOptions options, String description) {
    if (targetRate <= 0) {
      throw new IllegalArgumentException("sampleRate: must be > 0 Hz, got " + targetRate);
    }
    checkFinite(mono, sourceRate, description);
    double seconds = mono.length / (double) sourceRate;
    if (seconds > AudioDecoder.seconds(options.maxDuration())) {
      throw AudioDecoder.tooLong(description, "it is " + Sizes.seconds(seconds), options);
    }
    if (seconds < AudioDecoder.seconds(options.minDuration())) {
      throw new AudioException(description + ": is too short: " + Sizes.seconds(seconds)
          + " of audio, less than the minimum of " + Sizes.duration(options.minDuration())
          + " (DecodeOptions.minDuration)");
    }
    int from = Math.round(sourceRate);
    if (Math.abs(from - sourceRate) > 1e-3) {
      LOG.debug("{}: treating {} Hz as {} Hz", description, sourceRate, from);
    }
    float[] out = from == targetRate ? mono.clone() : Resampler.of(from, targetRate).process(mono);
    return clip(out, description);
  }

  /** Clips {@code out} to [-1, 1] in place and returns it. */
  public static float[] clip(float[] out, String description) {
    int clipped = 0;
    for (int i = 0; i < out.length; i++) {
      float v = out[i];
      if (v > 1f) {
        out[i] = 1f;
        clipped++;
      } else if (v < -1f) {
        out[i] = -1f;
        clipped++;
      }
    }
    if (clipped > 0) {
      LOG.debug("{}: clipped {} samples to [-1, 1]", description, clipped);
    }
    return out;
  }

  static void checkFinite(float[] x, float rate, String description) {
    for (int i = 0; i < x.length; i++) {
      if (!Float.isFinite(x[i])) {
        throw new AudioException(description + ": sample " + i + " (at "
            + Sizes.seconds(i / rate) + ") is " + x[i] + "; audio must hold finite values");
      }
    }
  }
}

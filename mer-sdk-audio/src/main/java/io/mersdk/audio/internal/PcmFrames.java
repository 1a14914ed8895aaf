package io.mersdk.audio.internal;

import io.mersdk.AudioException;
import javax.sound.sampled.AudioFormat;
import javax.sound.sampled.AudioFormat.Encoding;

/**
 * Reads one frame of linear PCM (signed or unsigned integer of 1 to 4 bytes, or IEEE float of 4
 * or 8 bytes, either byte order) and averages its channels into one sample in [-1, 1].
 *
 * <p>Integers are scaled by 2^(bits-1) of their container, as sox and libsndfile do, so 16-bit
 * -32768 maps to -1.0 exactly. The average of the channels equals sox's {@code channels 1}.
 */
public final class PcmFrames {
  private final String description;
  private final int channels;
  private final int bytesPerSample;
  private final int frameSize;
  private final boolean bigEndian;
  private final boolean floating;
  private final boolean unsigned;
  private final double scale;
  private final float sampleRate;

  private PcmFrames(AudioFormat f, String description) {
    this.description = description;
    this.channels = f.getChannels();
    int bits = f.getSampleSizeInBits();
    this.bytesPerSample = (bits + 7) / 8;
    this.frameSize = f.getFrameSize() > 0 ? f.getFrameSize() : channels * bytesPerSample;
    this.bigEndian = f.isBigEndian();
    this.floating = f.getEncoding().equals(Encoding.PCM_FLOAT);
    this.unsigned = f.getEncoding().equals(Encoding.PCM_UNSIGNED);
    this.scale = 1.0 / Math.pow(2, 8 * bytesPerSample - 1);
    this.sampleRate = f.getSampleRate();
  }

  /** A reader for {@code f}; throws if it is not a layout this class reads. */
  public static PcmFrames of(AudioFormat f, String description) {
    int bits = f.getSampleSizeInBits();
    boolean floating = f.getEncoding().equals(Encoding.PCM_FLOAT);
    boolean ok = floating ? bits == 32 || bits == 64 : bits >= 1 && bits <= 32;
    if (!ok || f.getChannels() < 1) {
      throw new AudioException(description + ": unsupported sample layout: " + f);
    }
    int bytes = (bits + 7) / 8;
    if (f.getFrameSize() > 0 && f.getFrameSize() < f.getChannels() * bytes) {
      throw new AudioException(description + ": frame size " + f.getFrameSize()
          + " bytes is too small for " + f.getChannels() + " channels of " + bits + " bits");
    }
    return new PcmFrames(f, description);
  }

  public int frameSize() {
    return frameSize;
  }

  /**
   * The mean of the channels of the frame at {@code off}.
   *
   * @param frameIndex the frame's index in the recording, for the message about a bad sample
   * @throws AudioException for a NaN or infinite float sample
   */
  public float mono(byte[] buf, int off, long frameIndex) {
    double sum = 0;
    for (int c = 0; c < channels; c++) {
      sum += sample(buf, off, frameIndex, c);
    }
    return checkRange(sum / channels, frameIndex);
  }

  /** The number of channels in a frame. */
  public int channels() {
    return channels;
  }

  /**
   * Channel {@code c} of the frame at {@code off}, scaled like {@link #mono}; for a one-channel
   * recording it equals {@link #mono}.
   *
   * @throws AudioException for a NaN, infinite or out-of-float-range sample
   */
  public float channel(byte[] buf, int off, long frameIndex, int c) {
    return checkRange(sample(buf, off, frameIndex, c), frameIndex);
  }

  private double sample(byte[] buf, int off, long frameIndex, int c) {
    int at = off + c * bytesPerSample;
    if (floating) {
      double v = bytesPerSample == 4 ? Float.intBitsToFloat((int) bits(buf, at, 4)) : Double
          .longBitsToDouble(bits(buf, at, 8));
      if (!Double.isFinite(v)) {
        throw new AudioException(description + ": sample " + frameIndex + " (at "
            + Sizes.seconds(frameIndex / sampleRate) + ", channel " + c + ") is " + v
            + "; float audio must hold finite values");
      }
      return v;
    }
    long raw = bits(buf, at, bytesPerSample);
    int shift = 64 - 8 * bytesPerSample;
    double v = unsigned ? raw - (1L << (8 * bytesPerSample - 1)) : (raw << shift) >> shift;
    return v * scale;
  }

  private float checkRange(double value, long frameIndex) {
    float f = (float) value;
    if (!Float.isFinite(f)) {
      // A finite 64-bit sample can still lie beyond float's range (found by DecoderFuzzTest#wav).
      throw new AudioException(description + ": sample " + frameIndex + " (at "
          + Sizes.seconds(frameIndex / sampleRate) + ") is " + value
          + ", beyond the range of float audio; float audio must hold values near [-1, 1]");
    }
    return f;
  }

  private long bits(byte[] b, int at, int n) {
    long v = 0;
    if (bigEndian) {
      for (int i = 0; i < n; i++) {
        v = v << 8 | (b[at + i] & 0xFF);
      }
    } else {
      for (int i = n - 1; i >= 0; i--) {
        v = v << 8 | (b[at + i] & 0xFF);
      }
    }
    return v;
  }
}

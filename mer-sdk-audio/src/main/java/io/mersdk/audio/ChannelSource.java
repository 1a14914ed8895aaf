package io.mersdk.audio;

import io.mersdk.AudioException;
import io.mersdk.audio.internal.DecodingSource;
import io.mersdk.source.AudioSource;
import java.util.Objects;
import java.util.function.IntFunction;

/**
 * A recording whose channels are kept apart: a stereo call with the agent on one channel and the
 * customer on the other, say. Each channel is decoded, checked against {@link DecodeOptions} and
 * resampled on its own, exactly as {@link AudioSources#of(java.nio.file.Path)} treats the mix.
 * Made by {@code AudioSources.channels(...)}; read by {@link CallTimeline}.
 *
 * <pre>{@code
 * ChannelSource call = AudioSources.channels(Path.of("call-stereo.wav"));
 * float[][] perChannel = call.readChannels(16000);    // [channel][sample]
 * AudioSource customer = call.channel(1);              // one channel as a mono source
 * }</pre>
 *
 * <p>A mono recording has one channel, whose samples equal {@link AudioSource#readMono} of the
 * same file. Thread-safe as far as the underlying input is (files and arrays are; a stream can be
 * read once).
 */
public final class ChannelSource {
  private final String description;
  private final IntFunction<float[][]> reader;

  ChannelSource(String description, IntFunction<float[][]> reader) {
    this.description = description;
    this.reader = reader;
  }

  static ChannelSource of(DecodingSource source) {
    return new ChannelSource(source.description(), source::readChannels);
  }

  /** Names the source in messages (the file path, or the name given with bytes). */
  public String description() {
    return description;
  }

  /**
   * Decodes the recording and returns each channel at {@code sampleRate}.
   *
   * @return {@code [channel][sample]}, every channel of one length
   * @throws AudioException if the recording cannot be read (the message names the channel when
   *     one channel holds a bad sample)
   */
  public float[][] readChannels(int sampleRate) {
    if (sampleRate <= 0) {
      throw new IllegalArgumentException("sampleRate: must be > 0 Hz, got " + sampleRate);
    }
    return reader.apply(sampleRate);
  }

  /**
   * Channel {@code index} as a mono source (counted from 0: 0 is the left channel of a stereo
   * file). Whether the channel exists is known only once the recording is read.
   *
   * @throws IllegalArgumentException for a negative index
   */
  public AudioSource channel(int index) {
    if (index < 0) {
      throw new IllegalArgumentException("channel: must be >= 0, got " + index);
    }
    ChannelSource whole = this;
    String name = description + " (channel " + index + ")";
    return new AudioSource() {
      @Override
      public float[] readMono(int sampleRate) {
        float[][] all = whole.readChannels(sampleRate);
        if (index >= all.length) {
          throw new AudioException(description + ": channel " + index + " does not exist: the"
              + " recording has " + all.length + " channel" + (all.length == 1 ? "" : "s")
              + " (0 to " + (all.length - 1) + ")");
        }
        return all[index];
      }

      @Override
      public String description() {
        return name;
      }

      @Override
      public String toString() {
        return "ChannelSource[" + name + "]";
      }
    };
  }

  @Override
  public String toString() {
    return "ChannelSource[" + description + "]";
  }

  static ChannelSource ofArrays(float[][] samples, int sampleRate, String description,
      DecodeOptions options) {
    Objects.requireNonNull(samples, "samples");
    if (samples.length == 0) {
      throw new IllegalArgumentException("samples: needs at least one channel");
    }
    for (int c = 0; c < samples.length; c++) {
      if (samples[c] == null) {
        throw new IllegalArgumentException("samples[" + c + "] must not be null");
      }
      if (samples[c].length != samples[0].length) {
        throw new IllegalArgumentException("samples[" + c + "]: every channel must hold as many"
            + " samples as channel 0 (" + samples[0].length + "), got " + samples[c].length);
      }
    }
    return new ChannelSource(description, rate -> DecodingSource.finishChannels(samples,
        sampleRate, rate, options, description));
  }
}

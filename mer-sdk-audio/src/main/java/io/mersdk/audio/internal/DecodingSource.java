package io.mersdk.audio.internal;

import io.mersdk.AudioException;
import io.mersdk.audio.DecodeOptions;
import io.mersdk.source.AudioSource;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;

/** Sources that decode an encoded recording: a file, a byte array, a stream. */
public abstract class DecodingSource implements AudioSource {
  protected final String description;
  protected final DecodeOptions options;

  DecodingSource(String description, DecodeOptions options) {
    this.description = description;
    this.options = options;
  }

  @Override
  public final float[] readMono(int sampleRate) {
    if (sampleRate <= 0) {
      throw new IllegalArgumentException("sampleRate: must be > 0 Hz, got " + sampleRate);
    }
    AudioDecoder.MonoAudio audio = decode();
    return MonoPipeline.finish(audio.samples(), audio.sampleRate(), sampleRate, options,
        description);
  }

  /** Decodes the recording to mono at its own rate. */
  protected abstract AudioDecoder.MonoAudio decode();

  /** Decodes the recording at its own rate keeping its channels apart. */
  protected abstract AudioDecoder.ChannelAudio decodeChannels();

  /**
   * Each channel, checked and resampled to {@code sampleRate} like {@link #readMono}'s mix.
   *
   * @return one array per channel, all of one length
   */
  public final float[][] readChannels(int sampleRate) {
    if (sampleRate <= 0) {
      throw new IllegalArgumentException("sampleRate: must be > 0 Hz, got " + sampleRate);
    }
    AudioDecoder.ChannelAudio audio = decodeChannels();
    return finishChannels(audio.channels(), audio.sampleRate(), sampleRate, options, description);
  }

  /** {@link MonoPipeline#finish} of each channel. */
  public static float[][] finishChannels(float[][] channels, float sourceRate, int targetRate,
      DecodeOptions options, String description) {
    float[][] out = new float[channels.length][];
    for (int c = 0; c < channels.length; c++) {
      String name = channels.length == 1 ? description : description + " (channel " + c + ")";
      out[c] = MonoPipeline.finish(channels[c], sourceRate, targetRate, options, name);
    }
    return out;
  }

  @Override
  public String description() {
    return description;
  }

  @Override
  public String toString() {
    return getClass().getSimpleName() + "[" + description + "]";
  }

  /** One of the two results of a file read. */
  private record Decoded(AudioDecoder.MonoAudio mono, AudioDecoder.ChannelAudio channels) {}

  /** A file; read anew on every call. */
  public static final class FileSource extends DecodingSource {
    private final Path path;

    public FileSource(Path path, DecodeOptions options) {
      super(path.toString(), options);
      this.path = path;
    }

    @Override
    protected AudioDecoder.MonoAudio decode() {
      return read(false).mono();
    }

    @Override
    protected AudioDecoder.ChannelAudio decodeChannels() {
      return read(true).channels();
    }

    private Decoded read(boolean split) {
      if (Files.isDirectory(path)) {
        throw new AudioException(description + ": is a directory, not an audio file");
      }
      try (InputStream in = Files.newInputStream(path)) {
        long size = Files.size(path);
        return split
            ? new Decoded(null, AudioDecoder.decodeChannels(in, size, description, options))
            : new Decoded(AudioDecoder.decode(in, size, description, options), null);
      } catch (NoSuchFileException e) {
        throw new AudioException(description + ": file not found", e);
      } catch (AccessDeniedException e) {
        throw new AudioException(description + ": cannot be read (permission denied)", e);
      } catch (IOException e) {
        throw new AudioException(description + ": could not be read: " + e.getMessage(), e);
      }
    }
  }

  /** Bytes of an encoded file held in memory; not copied. */
  public static final class BytesSource extends DecodingSource {
    private final byte[] data;

    public BytesSource(byte[] data, String description, DecodeOptions options) {
      super(description, options);
      this.data = data;
    }

    @Override
    protected AudioDecoder.MonoAudio decode() {
      return AudioDecoder.decode(new ByteArrayInputStream(data), data.length, description,
          options);
    }

    @Override
    protected AudioDecoder.ChannelAudio decodeChannels() {
      return AudioDecoder.decodeChannels(new ByteArrayInputStream(data), data.length,
          description, options);
    }
  }

  /** A stream, read to its end once; the caller closes it. */
  public static final class StreamSource extends DecodingSource {
    private final InputStream in;
    private final AtomicBoolean used = new AtomicBoolean();

    public StreamSource(InputStream in, String description, DecodeOptions options) {
      super(description, options);
      this.in = in;
    }

    @Override
    protected AudioDecoder.MonoAudio decode() {
      claim();
      return AudioDecoder.decode(in, -1, description, options);
    }

    @Override
    protected AudioDecoder.ChannelAudio decodeChannels() {
      claim();
      return AudioDecoder.decodeChannels(in, -1, description, options);
    }

    private void claim() {
      if (used.getAndSet(true)) {
        throw new IllegalStateException(description
            + ": a stream source can be read once; make a new one with AudioSources.of(stream, ...)");
      }
    }
  }
}

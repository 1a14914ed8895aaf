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

  @Override
  public String description() {
    return description;
  }

  @Override
  public String toString() {
    return getClass().getSimpleName() + "[" + description + "]";
  }

  /** A file; read anew on every call. */
  public static final class FileSource extends DecodingSource {
    private final Path path;

    public FileSource(Path path, DecodeOptions options) {
      super(path.toString(), options);
      this.path = path;
    }

    @Override
    protected AudioDecoder.MonoAudio decode() {
      if (Files.isDirectory(path)) {
        throw new AudioException(description + ": is a directory, not an audio file");
      }
      try (InputStream in = Files.newInputStream(path)) {
        return AudioDecoder.decode(in, Files.size(path), description, options);
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
      if (used.getAndSet(true)) {
        throw new IllegalStateException(description
            + ": a stream source can be read once; make a new one with AudioSources.of(stream, ...)");
      }
      return AudioDecoder.decode(in, -1, description, options);
    }
  }
}

package io.mersdk.audio.internal;

import io.mersdk.AudioException;
import io.mersdk.audio.DecodeOptions;
import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.ServiceLoader;
import javax.sound.sampled.AudioFormat;
import javax.sound.sampled.AudioFormat.Encoding;
import javax.sound.sampled.AudioInputStream;
import javax.sound.sampled.AudioSystem;
import javax.sound.sampled.UnsupportedAudioFileException;
import javax.sound.sampled.spi.AudioFileReader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decodes a whole recording into mono float samples at the file's own rate: probe the header
 * ({@link ContainerProbe}); FLAC goes to our own {@link FlacDecoder}; everything else to {@link
 * AudioSystem} (and the MP3 service provider), converting any non-PCM coding to PCM, then
 * averaging the channels.
 */
public final class AudioDecoder {
  private static final Logger LOG = LoggerFactory.getLogger(AudioDecoder.class);

  /** Frames converted per read. */
  private static final int CHUNK_FRAMES = 8192;

  /** Reads that return no bytes in a row before we call the decoder stuck. */
  private static final int MAX_EMPTY_READS = 1000;

  /** Mono samples at {@code sampleRate}. */
  public record MonoAudio(float[] samples, float sampleRate) {}

  /** Each channel's samples (all of one length) at {@code sampleRate}, in the file's order. */
  public record ChannelAudio(float[][] channels, float sampleRate) {}

  private AudioDecoder() {}

  /**
   * Decodes {@code raw} to the end. Does not close it.
   *
   * @param totalLength the input's size in bytes if known (a file, an array), else -1
   */
  public static MonoAudio decode(
      InputStream raw, long totalLength, String description, DecodeOptions options) {
    ChannelAudio a = decode(raw, totalLength, description, options, false);
    return new MonoAudio(a.channels()[0], a.sampleRate());
  }

  /**
   * Decodes {@code raw} to the end keeping its channels apart (no down-mix). Does not close it.
   *
   * @param totalLength the input's size in bytes if known (a file, an array), else -1
   */
  public static ChannelAudio decodeChannels(
      InputStream raw, long totalLength, String description, DecodeOptions options) {
    return decode(raw, totalLength, description, options, true);
  }

  /** @param split keep the channels apart; else one channel, their mean */
  private static ChannelAudio decode(InputStream raw, long totalLength, String description,
      DecodeOptions options, boolean split) {
    BufferedInputStream in = new BufferedInputStream(raw, ContainerProbe.HEAD_BYTES);
    ContainerProbe.Info info;
    try {
      in.mark(ContainerProbe.HEAD_BYTES);
      byte[] head = in.readNBytes(ContainerProbe.HEAD_BYTES);
      in.reset();
      info = ContainerProbe.probe(head, head.length, totalLength, description);
    } catch (IOException e) {
      throw new AudioException(description + ": could not be read: " + e.getMessage(), e);
    }
    LOG.debug("{}: {} {}, {} ch, {} Hz, {} frames declared", description, info.container(),
        info.codec(), info.channels(), info.sampleRate(), info.declaredFrames());
    if (info.declaredFrames() > 0 && info.sampleRate() > 0) {
      double declaredSeconds = info.declaredFrames() / info.sampleRate();
      if (declaredSeconds > seconds(options.maxDuration())) {
        throw tooLong(description, "its header declares " + Sizes.seconds(declaredSeconds),
            options);
      }
    }

    ChannelAudio audio;
    if (info.container() == ContainerProbe.Container.FLAC) {
      // see FlacDecoder: why not jflac
      audio = FlacDecoder.decode(in, description, options, split);
    } else if (info.container() == ContainerProbe.Container.OGG) {
      audio = OggDecoder.decode(in, description, options, split);
    } else {
      // Not closed here: that would close the caller's stream, and the providers hold no native
      // resources. The sources close what they opened.
      AudioInputStream ais = toPcm(open(in, info, description), info, description);
      audio = readAll(ais, info, description, options, split);
    }
    LOG.debug("{}: decoded {} frames of {} channel(s) at {} Hz", description,
        audio.channels()[0].length, audio.channels().length, audio.sampleRate());
    return audio;
  }

  /**
   * Asks the file readers that own the container, in turn. Not {@link
   * AudioSystem#getAudioInputStream(InputStream)}: it asks every provider in an order of its own,
   * and the MP3 provider accepts some WAV files (24-bit WAVE_FORMAT_EXTENSIBLE) as MPEG audio.
   * So WAV, AIFF and AU go to the JDK's own readers only, MP3 to the providers whose name says
   * they read it first, and the format a reader returns must match the header.
   */
  private static AudioInputStream open(BufferedInputStream in, ContainerProbe.Info info,
      String description) {
    UnsupportedAudioFileException last = null;
    try {
      for (AudioFileReader reader : readersFor(info.container())) {
        AudioInputStream ais;
        try {
          ais = reader.getAudioInputStream(in); // resets the stream when it declines
        } catch (UnsupportedAudioFileException e) {
          last = e;
          continue;
        }
        String mismatch = mismatch(ais.getFormat(), info);
        if (mismatch != null) {
          throw new AudioException(description + ": " + reader.getClass().getName() + " read it"
              + " as " + ais.getFormat() + ", but its header says " + info.container() + " "
              + info.codec() + ": " + mismatch);
        }
        LOG.debug("{}: read by {}", description, reader.getClass().getName());
        return ais;
      }
      throw last != null ? last : new UnsupportedAudioFileException("no "
          + info.container() + " reader is installed");
    } catch (UnsupportedAudioFileException e) {
      String why = e.getMessage() == null ? "" : " (" + e.getMessage() + ")";
      if (info.container() == ContainerProbe.Container.MP3 && !mp3ProviderInstalled()) {
        throw new AudioException(description + ": " + info.container() + " (" + info.codec()
            + ") could not be decoded" + why + " (is the MP3 service provider, a runtime"
            + " dependency of mer-sdk-audio, on the class path?)", e);
      }
      // The reader of the container declined the file: past our probe, that means corrupt data.
      throw new AudioException(description + ": " + info.container() + " (" + info.codec()
          + ") could not be decoded: the file is truncated or corrupt" + why, e);
    } catch (AudioException e) {
      throw e;
    } catch (EOFException e) {
      throw new AudioException(description + ": " + info.container()
          + " header is truncated (the data ends inside it)", e);
    } catch (IOException e) {
      if ("Resetting to invalid mark".equals(e.getMessage())) {
        // The reader read past the probed head without finding the audio: its header is bogus.
        throw new AudioException(description + ": " + info.container() + " header is corrupt: the"
            + " reader found no audio data in the first " + Sizes.bytes(ContainerProbe.HEAD_BYTES),
            e);
      }
      throw new AudioException(description + ": could not be read: " + e.getMessage(), e);
    } catch (RuntimeException e) {
      // Third-party providers throw all sorts on corrupt input (IndexOutOfBounds, NPE, ...).
      throw new AudioException(description + ": " + info.container()
          + " decoder failed on a corrupt header: " + e, e);
    }
  }

  private static boolean mp3ProviderInstalled() {
    for (AudioFileReader r : ServiceLoader.load(AudioFileReader.class,
        AudioDecoder.class.getClassLoader())) {
      String cls = r.getClass().getName().toLowerCase(Locale.ROOT);
      if (cls.contains("mpeg") || cls.contains("mp3")) {
        return true;
      }
    }
    return false;
  }

  private static List<AudioFileReader> readersFor(ContainerProbe.Container container) {
    List<AudioFileReader> jdk = new ArrayList<>();
    List<AudioFileReader> named = new ArrayList<>();
    List<AudioFileReader> other = new ArrayList<>();
    String[] names = switch (container) {
      case MP3 -> new String[] {"mpeg", "mp3"};
      default -> new String[0];
    };
    for (AudioFileReader r : ServiceLoader.load(AudioFileReader.class,
        AudioDecoder.class.getClassLoader())) {
      String cls = r.getClass().getName().toLowerCase(Locale.ROOT);
      if ("java.desktop".equals(r.getClass().getModule().getName())) {
        jdk.add(r);
      } else if (Arrays.stream(names).anyMatch(cls::contains)) {
        named.add(r);
      } else {
        other.add(r);
      }
    }
    return switch (container) {
      case WAV, AIFF, AU -> jdk;
      default -> {
        named.addAll(other);
        yield named;
      }
    };
  }

  /** Why a reader's format contradicts the header, or null if it does not. */
  private static String mismatch(AudioFormat f, ContainerProbe.Info info) {
    String enc = f.getEncoding().toString().toUpperCase(Locale.ROOT);
    boolean pcm = enc.startsWith("PCM_");
    boolean ok = switch (info.container()) {
      case WAV, AIFF, AU -> pcm || enc.equals("ULAW") || enc.equals("ALAW");
      case FLAC -> pcm || enc.contains("FLAC");
      case MP3 -> pcm || enc.startsWith("MPEG");
      case OGG -> pcm;
    };
    if (!ok) {
      return "unexpected coding " + enc;
    }
    if (info.channels() > 0 && f.getChannels() > 0 && f.getChannels() != info.channels()) {
      return f.getChannels() + " channels instead of " + info.channels();
    }
    return null;
  }

  /** Turns mu-law, A-law, FLAC, MPEG ... into linear PCM that {@link PcmFrames} can read. */
  private static AudioInputStream toPcm(AudioInputStream ais, ContainerProbe.Info info,
      String description) {
    AudioFormat f = ais.getFormat();
    checkFormat(f, info, description);
    Encoding e = f.getEncoding();
    if (e.equals(Encoding.PCM_SIGNED) || e.equals(Encoding.PCM_UNSIGNED)
        || e.equals(Encoding.PCM_FLOAT)) {
      return ais;
    }
    AudioFormat target = pcmTarget(f);
    if (target == null) {
      throw new AudioException(description + ": unsupported codec: " + info.container() + " with "
          + e + " coding; no installed javax.sound provider converts it to PCM");
    }
    try {
      AudioInputStream pcm = AudioSystem.getAudioInputStream(target, ais);
      checkFormat(pcm.getFormat(), info, description);
      return pcm;
    } catch (IllegalArgumentException ex) {
      throw new AudioException(description + ": unsupported codec: " + info.container()
          + " with " + e + " coding: " + ex.getMessage(), ex);
    } catch (RuntimeException ex) {
      throw new AudioException(description + ": " + info.container() + " decoder failed: " + ex,
          ex);
    }
  }

  /** The PCM format a provider offers for {@code f}: keep the source's depth, 16-bit if unknown. */
  private static AudioFormat pcmTarget(AudioFormat f) {
    int bits = f.getSampleSizeInBits();
    // mu-law and A-law are 8-bit codes for 14/13-bit samples: 16-bit PCM holds them exactly.
    if (bits <= 8 || bits > 32) {
      bits = 16;
    }
    int channels = f.getChannels();
    float rate = f.getSampleRate();
    // Some providers (mp3spi) list no target formats yet convert when asked, so ask for both
    // byte orders rather than rely on getTargetFormats.
    for (boolean bigEndian : new boolean[] {false, true}) {
      AudioFormat t = new AudioFormat(Encoding.PCM_SIGNED, rate, bits, channels,
          channels * (bits / 8), rate, bigEndian);
      if (AudioSystem.isConversionSupported(t, f)) {
        return t;
      }
    }
    return null;
  }

  private static void checkFormat(AudioFormat f, ContainerProbe.Info info, String description) {
    if (f.getChannels() == 0) {
      throw new AudioException(description + ": " + info.container() + " stream has 0 channels");
    }
    float rate = f.getSampleRate();
    if (rate != AudioSystem.NOT_SPECIFIED && !(rate > 0 && Float.isFinite(rate))) {
      throw new AudioException(description + ": " + info.container()
          + " stream has a sample rate of " + rate + " Hz");
    }
  }

  private static ChannelAudio readAll(AudioInputStream ais, ContainerProbe.Info info,
      String description, DecodeOptions options, boolean split) {
    AudioFormat f = ais.getFormat();
    PcmFrames frames = PcmFrames.of(f, description);
    float rate = f.getSampleRate() > 0 ? f.getSampleRate() : (float) info.sampleRate();
    if (!(rate > 0)) {
      throw new AudioException(description + ": " + info.container()
          + " decoder did not report a sample rate");
    }
    long capLong = (long) Math.ceil(seconds(options.maxDuration()) * rate);
    int cap = (int) Math.min(capLong, Integer.MAX_VALUE - 16);
    FloatBuffer[] outs = new FloatBuffer[split ? frames.channels() : 1];
    for (int c = 0; c < outs.length; c++) {
      outs[c] = new FloatBuffer(cap);
    }
    FloatBuffer out = outs[0];
    int frameSize = frames.frameSize();
    byte[] buf = new byte[frameSize * CHUNK_FRAMES];
    int filled = 0;
    int emptyReads = 0;
    long frameIndex = 0;
    while (true) {
      int n;
      try {
        n = ais.read(buf, filled, buf.length - filled);
      } catch (IOException | RuntimeException e) {
        throw new AudioException(description + ": " + info.container()
            + " data is truncated or corrupt after " + Sizes.seconds(out.size() / rate)
            + " of audio: " + e, e);
      }
      if (n < 0) {
        break;
      }
      if (n == 0) {
        if (++emptyReads > MAX_EMPTY_READS) {
          throw new AudioException(description + ": " + info.container()
              + " decoder made no progress after " + Sizes.seconds(out.size() / rate)
              + " of audio; giving up");
        }
        continue;
      }
      emptyReads = 0;
      filled += n;
      int whole = filled / frameSize;
      for (int i = 0; i < whole; i++) {
        boolean added = true;
        if (split) {
          for (int c = 0; c < outs.length; c++) {
            added &= outs[c].add(frames.channel(buf, i * frameSize, frameIndex, c));
          }
        } else {
          added = out.add(frames.mono(buf, i * frameSize, frameIndex));
        }
        if (!added) {
          throw tooLong(description, "more than " + Sizes.duration(options.maxDuration())
              + " of audio arrived", options);
        }
        frameIndex++;
      }
      int rest = filled - whole * frameSize;
      System.arraycopy(buf, whole * frameSize, buf, 0, rest);
      filled = rest;
    }
    if (filled > 0) {
      LOG.debug("{}: ignoring {} trailing bytes (less than one frame)", description, filled);
    }
    long declared = info.declaredFrames();
    if (declared > 0 && out.size() < declared) {
      throw new AudioException(description + ": " + info.container() + " data is truncated: the"
          + " header declares " + declared + " frames (" + Sizes.seconds(declared / rate)
          + ") but the data ends after " + out.size() + " frames ("
          + Sizes.seconds(out.size() / rate) + ")");
    }
    if (out.size() == 0) {
      throw new AudioException(description + ": contains no audio samples (" + info.container()
          + " with an empty data section)");
    }
    return new ChannelAudio(toArrays(outs), rate);
  }

  static float[][] toArrays(FloatBuffer[] outs) {
    float[][] channels = new float[outs.length][];
    for (int c = 0; c < outs.length; c++) {
      channels[c] = outs[c].toArray();
    }
    return channels;
  }

  static AudioException tooLong(String description, String detail, DecodeOptions options) {
    return new AudioException(description + ": is too long (" + detail + "); the limit is "
        + Sizes.duration(options.maxDuration()) + " (DecodeOptions.maxDuration): raise it or"
        + " split the recording");
  }

  static double seconds(java.time.Duration d) {
    return d.toNanos() / 1e9;
  }
}

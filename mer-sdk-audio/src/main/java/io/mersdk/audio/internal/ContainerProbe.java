package io.mersdk.audio.internal;

import io.mersdk.AudioException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * Reads the first bytes of a file to tell what it is before javax.sound sees it, and rejects what
 * can be diagnosed from the header alone with a message that names the problem: empty, truncated
 * header, text, random bytes, zero channels or sample rate, an unsupported codec, a data size
 * larger than the file. javax.sound's own messages ("File of unsupported format") say none of
 * that, and the MP3 provider would otherwise scan any byte soup for frame syncs.
 *
 * <p>Only the head (at most {@link #HEAD_BYTES}) is ever looked at, so nothing here allocates by a
 * size the header claims.
 */
public final class ContainerProbe {
  /** How much of the start of the input the probe reads. */
  public static final int HEAD_BYTES = 64 * 1024;

  /** More channels than this is taken as a corrupt header, not a real recording. */
  static final int MAX_CHANNELS = 256;

  /** Above this rate (Hz) a header is taken as corrupt; 768 kHz is the highest rate in real use. */
  static final double MAX_SAMPLE_RATE = 1_000_000;

  /** The containers we decode. */
  public enum Container {
    WAV, AIFF, AU, FLAC, MP3, OGG
  }

  /**
   * What the header says.
   *
   * @param container the container
   * @param codec a short name of the sample coding, for messages and logs
   * @param channels declared channel count (0 when the container does not say before decoding)
   * @param sampleRate declared rate in Hz (0 when unknown before decoding)
   * @param declaredDataBytes bytes of sample data the header declares, -1 if it does not say
   * @param declaredFrames frames the header declares, -1 if it does not say
   */
  public record Info(
      Container container,
      String codec,
      int channels,
      double sampleRate,
      long declaredDataBytes,
      long declaredFrames) {}

  private ContainerProbe() {}

  /**
   * Probes {@code head}.
   *
   * @param head the first bytes of the input
   * @param headLength how many bytes of {@code head} are valid
   * @param totalLength the whole input's length in bytes, or -1 if unknown (a stream)
   * @param description names the input in messages
   * @throws AudioException for anything the header alone shows to be unusable
   */
  public static Info probe(byte[] head, int headLength, long totalLength, String description) {
    Bytes b = new Bytes(head, headLength);
    if (headLength == 0) {
      throw new AudioException(description + ": is empty (0 bytes)");
    }
    if (b.ascii(0, "RIFF")) {
      return wav(b, totalLength, description);
    }
    if (b.ascii(0, "RIFX")) {
      // The JDK's WAV reader reads RIFF only; without this it fails with no reason given.
      throw unsupported(description, "RIFX (big-endian WAV)",
          "convert it to a little-endian (RIFF) WAV, AIFF or FLAC");
    }
    if (b.ascii(0, "RF64") || b.ascii(0, "BW64")) {
      throw unsupported(description, "RF64/BW64 (WAV over 4 GB)", "convert it to FLAC or split it");
    }
    if (b.ascii(0, "FORM")) {
      return aiff(b, totalLength, description);
    }
    if (b.ascii(0, ".snd")) {
      return au(b, totalLength, description);
    }
    if (b.ascii(0, "fLaC")) {
      return flac(b, description);
    }
    if (b.ascii(0, "OggS")) {
      String codec = b.contains("vorbis") ? "Ogg Vorbis" : b.contains("OpusHead") ? "Ogg Opus"
          : b.contains("FLAC") ? "Ogg FLAC" : "Ogg";
      if (codec.equals("Ogg Vorbis") || codec.equals("Ogg Opus")) {
        return new Info(Container.OGG, codec, 0, 0, -1, -1); // OggDecoder reads the headers
      }
      throw unsupported(description, codec, "convert it to WAV, FLAC, MP3, Ogg Vorbis or Ogg Opus");
    }
    if (b.ascii(0, "ID3")) {
      return id3(b, totalLength, description);
    }
    if (mp3FrameLength(b, 0) > 0) {
      return mp3(b, 0, totalLength, description);
    }
    String other = otherFormat(b);
    if (other != null) {
      throw unsupported(description, other, "convert it to WAV, FLAC or MP3");
    }
    if (looksLikeText(b)) {
      throw new AudioException(
          description + ": is a text file, not audio (it starts with \"" + b.printablePrefix(40)
              + "\")");
    }
    if (headLength < 12) {
      throw new AudioException(
          description + ": is too short to be an audio file (" + headLength + " bytes)");
    }
    throw new AudioException(
        description + ": is not a recognised audio format (first bytes: " + b.hexPrefix(12)
            + "); supported: WAV, AIFF, AU, FLAC, MP3, Ogg Vorbis, Ogg Opus");
  }

  // ---- WAV ------------------------------------------------------------------------------------

  private static Info wav(Bytes b, long total, String description) {
    if (b.length < 12) {
      throw truncatedHeader(description, "WAV", b.length);
    }
    if (!b.ascii(8, "WAVE")) {
      throw new AudioException(
          description + ": is a RIFF file of type '" + b.printable(8, 4)
              + "', not WAVE audio");
    }
    int pos = 12;
    int channels = -1;
    long rate = -1;
    int bits = -1;
    int blockAlign = -1;
    int tag = -1;
    String codec = null;
    while (true) {
      if (pos + 8 > b.length) {
        if (total >= 0 && total <= b.length) {
          throw new AudioException(
              description + ": WAV header is truncated: "
                  + (channels < 0 ? "no 'fmt ' chunk" : "no 'data' chunk") + " before the end of"
                  + " the file (" + total + " bytes)");
        }
        // The data chunk lies beyond the part we read (a long LIST chunk first): leave the rest
        // to javax.sound, which will fail with its own message if it is broken.
        if (channels < 0) {
          throw new AudioException(
              description + ": WAV header has no 'fmt ' chunk in its first " + b.length + " bytes");
        }
        return new Info(Container.WAV, codec, channels, rate, -1, -1);
      }
      String id = b.printable(pos, 4);
      long size = b.u32le(pos + 4);
      int body = pos + 8;
      if (id.equals("fmt ")) {
        if (body + 16 > b.length) {
          throw truncatedHeader(description, "WAV", b.length);
        }
        tag = b.u16le(body);
        channels = b.u16le(body + 2);
        rate = b.u32le(body + 4);
        blockAlign = b.u16le(body + 12);
        bits = b.u16le(body + 14);
        if (tag == 0xFFFE && size >= 40 && body + 26 <= b.length) {
          // WAVE_FORMAT_EXTENSIBLE: the real tag is the first two bytes of the sub-format GUID.
          tag = b.u16le(body + 24);
        }
        codec = wavCodec(tag, bits);
        if (codec == null) {
          throw unsupported(description, "WAV with " + wavTagName(tag)
              + String.format(Locale.ROOT, " (format tag 0x%04X)", tag),
              "convert it to PCM WAV or FLAC");
        }
        checkChannelsAndRate(description, "WAV", channels, rate);
        if (bits == 0) {
          throw new AudioException(description + ": WAV header declares 0 bits per sample");
        }
        if (blockAlign == 0) {
          throw new AudioException(description + ": WAV header declares a block size of 0 bytes");
        }
      } else if (id.equals("data")) {
        if (channels < 0) {
          throw new AudioException(description + ": WAV 'data' chunk comes before its 'fmt ' chunk");
        }
        long frames = blockAlign > 0 ? size / blockAlign : -1;
        checkDeclaredSize(description, "WAV", size, body, total);
        return new Info(Container.WAV, codec, channels, rate, size, frames);
      }
      long next = body + size + (size & 1); // chunks are padded to even sizes
      checkChunkFits(description, "WAV", id, size, body, total);
      pos = (int) Math.min(next, b.length + 1L); // past the head: handled at the loop top
    }
  }

  /** The codecs javax.sound decodes in a WAV file; null for any other. */
  private static String wavCodec(int tag, int bits) {
    return switch (tag) {
      case 0x0001 -> "PCM " + bits + "-bit";
      case 0x0003 -> "float " + bits + "-bit";
      case 0x0006 -> "A-law";
      case 0x0007 -> "mu-law";
      default -> null;
    };
  }

  private static String wavTagName(int tag) {
    return switch (tag) {
      case 0x0002 -> "MS ADPCM";
      case 0x0011 -> "IMA ADPCM";
      case 0x0031 -> "GSM 6.10";
      case 0x0050 -> "MPEG audio";
      case 0x0055 -> "MPEG layer 3 (MP3 in WAV)";
      case 0x0160, 0x0161, 0x0162 -> "Windows Media Audio";
      case 0x00FF, 0x1610 -> "AAC";
      case 0x0000 -> "an unknown codec";
      default -> "an unsupported codec";
    };
  }

  // ---- AIFF -----------------------------------------------------------------------------------

  private static Info aiff(Bytes b, long total, String description) {
    if (b.length < 12) {
      throw truncatedHeader(description, "AIFF", b.length);
    }
    boolean aifc = b.ascii(8, "AIFC");
    if (!aifc && !b.ascii(8, "AIFF")) {
      throw new AudioException(
          description + ": is an IFF file of type '" + b.printable(8, 4) + "', not AIFF audio");
    }
    String kind = aifc ? "AIFF-C" : "AIFF";
    int pos = 12;
    int channels = -1;
    double rate = -1;
    long frames = -1;
    int bits = -1;
    String codec = null;
    while (true) {
      if (pos + 8 > b.length) {
        if (channels < 0) {
          throw total >= 0 && total <= b.length
              ? new AudioException(description + ": " + kind + " header is truncated: no 'COMM'"
                  + " chunk before the end of the file (" + total + " bytes)")
              : new AudioException(description + ": " + kind + " header has no 'COMM' chunk in"
                  + " its first " + b.length + " bytes");
        }
        if (total >= 0 && total <= b.length) {
          throw new AudioException(description + ": " + kind + " file is truncated: no 'SSND'"
              + " chunk before the end of the file (" + total + " bytes)");
        }
        return new Info(Container.AIFF, codec, channels, rate, -1, frames);
      }
      String id = b.printable(pos, 4);
      long size = b.u32be(pos + 4);
      int body = pos + 8;
      if (id.equals("COMM")) {
        if (body + 18 > b.length) {
          throw truncatedHeader(description, kind, b.length);
        }
        channels = b.u16be(body);
        frames = b.u32be(body + 2);
        bits = b.u16be(body + 6);
        rate = b.extended80(body + 8);
        String compression = "NONE";
        if (aifc && body + 22 <= b.length) {
          compression = b.printable(body + 18, 4);
        }
        if (!compression.equals("NONE") && !compression.equals("twos")) {
          throw unsupported(description, "AIFF-C with compression '" + compression + "'",
              "convert it to PCM WAV, AIFF or FLAC");
        }
        codec = "PCM " + bits + "-bit big-endian";
        checkChannelsAndRate(description, kind, channels, rate);
        if (bits == 0) {
          throw new AudioException(description + ": " + kind + " header declares 0 bits per sample");
        }
      } else if (id.equals("SSND")) {
        if (channels < 0) {
          // javax.sound requires COMM first as well; saying so beats "unsupported format".
          throw new AudioException(description + ": " + kind + " 'SSND' chunk comes before 'COMM'");
        }
        long dataBytes = frames * channels * ((bits + 7) / 8L);
        checkDeclaredSize(description, kind, dataBytes, body + 8, total);
        return new Info(Container.AIFF, codec, channels, rate, dataBytes, frames);
      }
      long next = body + size + (size & 1);
      checkChunkFits(description, kind, id, size, body, total);
      pos = (int) Math.min(next, b.length + 1L);
    }
  }

  // ---- AU -------------------------------------------------------------------------------------

  private static Info au(Bytes b, long total, String description) {
    if (b.length < 24) {
      throw truncatedHeader(description, "AU", b.length);
    }
    long offset = b.u32be(4);
    long size = b.u32be(8);
    long encoding = b.u32be(12);
    long rate = b.u32be(16);
    long channels = b.u32be(20);
    int bytesPerSample;
    String codec;
    switch ((int) encoding) {
      case 1 -> { codec = "mu-law"; bytesPerSample = 1; }
      case 2 -> { codec = "PCM 8-bit"; bytesPerSample = 1; }
      case 3 -> { codec = "PCM 16-bit"; bytesPerSample = 2; }
      case 4 -> { codec = "PCM 24-bit"; bytesPerSample = 3; }
      case 5 -> { codec = "PCM 32-bit"; bytesPerSample = 4; }
      case 6 -> { codec = "float 32-bit"; bytesPerSample = 4; }
      case 27 -> { codec = "A-law"; bytesPerSample = 1; }
      default -> throw unsupported(description, "AU with encoding " + encoding,
          "convert it to PCM WAV or FLAC");
    }
    checkChannelsAndRate(description, "AU", channels, rate);
    if (offset < 24) {
      throw new AudioException(description + ": AU header declares a data offset of " + offset
          + " bytes, inside its own 24-byte header");
    }
    if (total >= 0 && offset > total) {
      throw truncatedHeader(description, "AU", total);
    }
    // 0xFFFFFFFF is AU's documented "size unknown" (written by streaming encoders).
    if (size == 0xFFFFFFFFL) {
      return new Info(Container.AU, codec, (int) channels, rate, -1, -1);
    }
    checkDeclaredSize(description, "AU", size, offset, total);
    return new Info(Container.AU, codec, (int) channels, rate, size,
        size / (bytesPerSample * channels));
  }

  // ---- FLAC -----------------------------------------------------------------------------------

  private static Info flac(Bytes b, String description) {
    // "fLaC", then the STREAMINFO block: 4-byte block header, 34 bytes of body.
    if (b.length < 4 + 4 + 34) {
      throw truncatedHeader(description, "FLAC", b.length);
    }
    if ((b.u8(4) & 0x7F) != 0) {
      throw new AudioException(description + ": FLAC stream does not start with a STREAMINFO block");
    }
    int si = 8;
    // STREAMINFO bit layout (FLAC format spec): rate 20 bits, channels-1 3 bits,
    // bits-per-sample-1 5 bits, total samples 36 bits, starting at byte 10 of the body.
    long packed = b.u32be(si + 10) << 32 | b.u32be(si + 14);
    int rate = (int) (packed >>> 44);
    int channels = (int) ((packed >>> 41) & 0x7) + 1;
    int bits = (int) ((packed >>> 36) & 0x1F) + 1;
    long frames = packed & 0xFFFFFFFFFL;
    checkChannelsAndRate(description, "FLAC", channels, rate);
    return new Info(Container.FLAC, "FLAC " + bits + "-bit", channels, rate, -1,
        frames == 0 ? -1 : frames);
  }

  // ---- MP3 ------------------------------------------------------------------------------------

  private static Info id3(Bytes b, long total, String description) {
    if (b.length < 10) {
      throw truncatedHeader(description, "ID3-tagged", b.length);
    }
    // ID3v2 size: 4 bytes of 7 bits each ("synchsafe"), plus the 10-byte tag header.
    long tagEnd = 10 + ((long) (b.u8(6) & 0x7F) << 21 | (b.u8(7) & 0x7F) << 14
        | (b.u8(8) & 0x7F) << 7 | (b.u8(9) & 0x7F));
    if ((b.u8(5) & 0x10) != 0) {
      tagEnd += 10; // footer present
    }
    if (total >= 0 && tagEnd >= total) {
      throw new AudioException(description + ": has an ID3 tag but no audio after it (truncated)");
    }
    if (tagEnd + 4 <= b.length) {
      int at = (int) tagEnd;
      if (b.ascii(at, "fLaC")) {
        throw unsupported(description, "FLAC behind an ID3 tag", "remove the ID3 tag");
      }
      if (mp3FrameLength(b, at) <= 0) {
        throw new AudioException(description + ": has an ID3 tag but no MPEG audio frame after it");
      }
      return mp3(b, at, total, description);
    }
    // Tag larger than the head: the audio after it is javax.sound's to judge.
    return new Info(Container.MP3, "MPEG audio", 0, 0, -1, -1);
  }

  private static Info mp3(Bytes b, int at, long total, String description) {
    int len = mp3FrameLength(b, at);
    if (total >= 0 && at + len > total) {
      throw new AudioException(description + ": MP3 data is truncated: the file ends inside its"
          + " first MPEG frame (" + total + " bytes; the frame needs " + (at + len) + ")");
    }
    // A single sync pattern occurs by chance in any binary file; demand a second frame right
    // after the first (when the head is long enough to hold it).
    if (at + len + 4 <= b.length && mp3FrameLength(b, at + len) <= 0) {
      throw new AudioException(description + ": is not a recognised audio format (an MPEG frame"
          + " header at byte " + at + " is not followed by another; first bytes: "
          + b.hexPrefix(12) + ")");
    }
    int h = (int) b.u32be(at);
    int channels = ((h >>> 6) & 3) == 3 ? 1 : 2;
    int rate = mp3Rate(h);
    return new Info(Container.MP3, "MPEG layer " + (4 - ((h >>> 17) & 3)), channels, rate, -1, -1);
  }

  private static final int[][] MP3_RATES = {
    {11025, 12000, 8000}, // MPEG 2.5
    {0, 0, 0}, // reserved
    {22050, 24000, 16000}, // MPEG 2
    {44100, 48000, 32000}, // MPEG 1
  };

  private static int mp3Rate(int h) {
    return MP3_RATES[(h >>> 19) & 3][(h >>> 10) & 3];
  }

  /** Bitrates in kbit/s by [version is MPEG-1][layer index 1..3][bitrate index]. */
  private static final int[][][] MP3_BITRATES = {
    { // MPEG 2 and 2.5
      {},
      {0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160}, // layer III
      {0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160}, // layer II
      {0, 32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256}, // layer I
    },
    { // MPEG 1
      {},
      {0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320},
      {0, 32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384},
      {0, 32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448},
    },
  };

  /** Length in bytes of the MPEG audio frame whose header is at {@code at}; 0 if none is there. */
  static int mp3FrameLength(Bytes b, int at) {
    if (at + 4 > b.length) {
      return 0;
    }
    int h = (int) b.u32be(at);
    if ((h >>> 21) != 0x7FF) {
      return 0; // no 11-bit frame sync
    }
    int version = (h >>> 19) & 3;
    int layer = (h >>> 17) & 3;
    int bitrateIndex = (h >>> 12) & 0xF;
    int rateIndex = (h >>> 10) & 3;
    int padding = (h >>> 9) & 1;
    if (version == 1 || layer == 0 || bitrateIndex == 0 || bitrateIndex == 15 || rateIndex == 3) {
      return 0; // reserved values, or free format (which we do not accept)
    }
    boolean mpeg1 = version == 3;
    int kbps = MP3_BITRATES[mpeg1 ? 1 : 0][layer][bitrateIndex];
    int rate = mp3Rate(h);
    if (layer == 3) { // layer I: 4-byte slots
      return (12 * kbps * 1000 / rate + padding) * 4;
    }
    int samplesPerFrame = layer == 1 && !mpeg1 ? 576 : 1152;
    return samplesPerFrame / 8 * kbps * 1000 / rate + padding;
  }

  // ---- everything else ------------------------------------------------------------------------

  /** Names formats we recognise but do not decode. */
  private static String otherFormat(Bytes b) {
    if (b.ascii(4, "ftyp")) {
      return "MP4/M4A (AAC or ALAC)";
    }
    if (b.ascii(0, "caff")) {
      return "Core Audio (CAF)";
    }
    if (b.ascii(0, "#!AMR")) {
      return "AMR";
    }
    if (b.ascii(0, "wvpk")) {
      return "WavPack";
    }
    if (b.ascii(0, "MAC ")) {
      return "Monkey's Audio";
    }
    if (b.ascii(0, "MThd")) {
      return "MIDI (not a recording)";
    }
    if (b.length >= 4 && b.u32be(0) == 0x1A45DFA3L) {
      return "Matroska/WebM";
    }
    if (b.length >= 2 && b.u8(0) == 0xFF && (b.u8(1) & 0xF6) == 0xF0) {
      return "AAC (ADTS)";
    }
    return null;
  }

  private static boolean looksLikeText(Bytes b) {
    int n = Math.min(b.length, 512);
    int printable = 0;
    for (int i = 0; i < n; i++) {
      int c = b.u8(i);
      if (c == '\n' || c == '\r' || c == '\t' || (c >= 0x20 && c < 0x7F) || c >= 0x80) {
        printable++;
      } else {
        return false; // control bytes (NUL etc.) never occur in text
      }
    }
    // UTF-8 text may use bytes >= 0x80; binary data almost never avoids every control byte.
    return printable == n;
  }

  // ---- checks shared by the containers --------------------------------------------------------

  private static void checkChannelsAndRate(
      String description, String kind, long channels, double rate) {
    if (channels == 0) {
      throw new AudioException(description + ": " + kind + " header declares 0 channels");
    }
    if (channels > MAX_CHANNELS) {
      throw new AudioException(description + ": " + kind + " header declares " + channels
          + " channels (more than " + MAX_CHANNELS + "): corrupt header");
    }
    if (!(rate > 0)) {
      throw new AudioException(description + ": " + kind + " header declares a sample rate of "
          + (rate == (long) rate ? String.valueOf((long) rate) : String.valueOf(rate)) + " Hz");
    }
    if (rate > MAX_SAMPLE_RATE || !Double.isFinite(rate)) {
      throw new AudioException(description + ": " + kind + " header declares a sample rate of "
          + rate + " Hz (more than " + (long) MAX_SAMPLE_RATE + " Hz): corrupt header");
    }
  }

  /**
   * A header that declares more sample data than the file holds is corrupt or truncated. Checked
   * before decoding so a "4 GB" claim never reaches a decoder.
   */
  private static void checkDeclaredSize(
      String description, String kind, long declared, long dataOffset, long total) {
    if (total < 0) {
      return; // a stream: checked after decoding, against what actually arrived
    }
    long available = Math.max(0, total - dataOffset);
    if (declared > available) {
      throw new AudioException(description + ": " + kind + " header declares "
          + Sizes.bytes(declared) + " of sample data but only " + Sizes.bytes(available)
          + " follow the header: the file is truncated or its header is corrupt");
    }
  }

  /**
   * A chunk before the sample data that runs past the end of the file: its size field is corrupt
   * (found by the mutated-file run: the JDK's reader then skips beyond what it can rewind and
   * fails with "Resetting to invalid mark").
   */
  private static void checkChunkFits(
      String description, String kind, String id, long size, long body, long total) {
    if (total >= 0 && body + size > total) {
      throw new AudioException(description + ": " + kind + " header is corrupt: its '" + id
          + "' chunk declares " + Sizes.bytes(size) + " but only " + Sizes.bytes(
              Math.max(0, total - body)) + " follow it");
    }
  }

  private static AudioException truncatedHeader(String description, String kind, long have) {
    return new AudioException(description + ": " + kind + " header is truncated (the file ends"
        + " after " + have + " bytes)");
  }

  private static AudioException unsupported(String description, String codec, String advice) {
    return new AudioException(description + ": unsupported codec: " + codec + "; " + advice);
  }

  /** Bounds-checked big- and little-endian reads over the head. */
  static final class Bytes {
    private final byte[] a;
    final int length;

    Bytes(byte[] a, int length) {
      this.a = a;
      this.length = length;
    }

    int u8(int i) {
      return i < length ? a[i] & 0xFF : 0;
    }

    int u16le(int i) {
      return u8(i) | u8(i + 1) << 8;
    }

    int u16be(int i) {
      return u8(i) << 8 | u8(i + 1);
    }

    long u32le(int i) {
      return (u16le(i) | (long) u16le(i + 2) << 16) & 0xFFFFFFFFL;
    }

    long u32be(int i) {
      return ((long) u16be(i) << 16 | u16be(i + 2)) & 0xFFFFFFFFL;
    }

    /** An IEEE 754 80-bit extended float, big-endian (AIFF's sample rate). */
    double extended80(int i) {
      int exponent = (u16be(i) & 0x7FFF) - 16383;
      boolean negative = (u8(i) & 0x80) != 0;
      long mantissa = u32be(i + 2) << 32 | u32be(i + 6);
      if (mantissa == 0 && exponent == -16383) {
        return 0;
      }
      if (exponent == 16384) {
        return Double.NaN;
      }
      // mantissa has its integer bit at bit 63
      double v = (mantissa >>> 11) * Math.pow(2, exponent - 52);
      return negative ? -v : v;
    }

    boolean ascii(int i, String s) {
      if (i + s.length() > length) {
        return false;
      }
      for (int k = 0; k < s.length(); k++) {
        if (a[i + k] != (byte) s.charAt(k)) {
          return false;
        }
      }
      return true;
    }

    boolean contains(String s) {
      int n = Math.min(length, 512);
      byte[] needle = s.getBytes(StandardCharsets.US_ASCII);
      outer:
      for (int i = 0; i + needle.length <= n; i++) {
        for (int k = 0; k < needle.length; k++) {
          if (a[i + k] != needle[k]) {
            continue outer;
          }
        }
        return true;
      }
      return false;
    }

    String printable(int i, int n) {
      StringBuilder sb = new StringBuilder(n);
      for (int k = i; k < i + n; k++) {
        int c = u8(k);
        sb.append(c >= 0x20 && c < 0x7F ? (char) c : '?');
      }
      return sb.toString();
    }

    String printablePrefix(int max) {
      String s = new String(a, 0, Math.min(length, max), StandardCharsets.UTF_8);
      s = s.replaceAll("[\\r\\n\\t]+", " ").strip();
      return length > max ? s + "..." : s;
    }

    String hexPrefix(int n) {
      StringBuilder sb = new StringBuilder();
      for (int k = 0; k < Math.min(n, length); k++) {
        sb.append(k == 0 ? "" : " ").append(String.format(Locale.ROOT, "%02x", u8(k)));
      }
      return sb.toString();
    }
  }
}

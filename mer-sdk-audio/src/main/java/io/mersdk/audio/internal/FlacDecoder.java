package io.mersdk.audio.internal;

import io.mersdk.AudioException;
import io.mersdk.audio.DecodeOptions;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;

/**
 * A FLAC decoder (native {@code fLaC} streams, RFC 9639) that reads the whole stream to mono float
 * samples.
 *
 * <p>Written here rather than taken from a library: every FLAC decoder on Maven Central with a
 * javax.sound provider is a fork of jFLAC (org.jflac:jflac-codec 1.5.2,
 * com.tianscar.javasound:javasound-flac 1.4.1), and jFLAC's {@code FLACDecoder.readNextFrame}
 * retries a bad frame forever without reading input once the stream has ended (its frame search
 * returns silently at end of input and the header check fails on the stale sync bytes), and it
 * prints to {@code System.out}. No wrapper around its input stream can stop a loop that no longer
 * reads. See docs/audio.md, "Bad input: what it may cost".
 *
 * <p>The rules that make every call terminate with bounded cost:
 *
 * <ul>
 *   <li>every loop consumes input (a bit, a byte, a sample) or is bounded by the frame's block size
 *       (at most 65535 samples) and channel count (at most 8), so the time is linear in the input
 *       and the samples produced;
 *   <li>nothing is allocated by a size the stream claims except per-frame buffers, bounded by
 *       65535 x 8 samples; decoded samples go into a {@link FloatBuffer} capped at
 *       {@link DecodeOptions#maxDuration()}, and decoding stops at STREAMINFO's total when it gives
 *       one;
 *   <li>a frame that is not where the previous one ended, fails its CRC, or contradicts STREAMINFO
 *       is an {@link AudioException} naming the file, the codec and the byte offset: there is no
 *       resynchronisation (a corrupt recording is refused, not patched with silence);
 *   <li>nothing is printed; detail goes to SLF4J at DEBUG.
 * </ul>
 *
 * <p>Samples are exact (lossless): integers scaled by 2^(bits-1), channels averaged, as {@link
 * PcmFrames} does for PCM, so a FLAC file decodes to the very samples of the WAV it was made from.
 */
public final class FlacDecoder {
  /** Metadata blocks may take at most this much of a stream (real files: a few MB of cover art). */
  static final long MAX_METADATA_BYTES = 64L * 1024 * 1024;

  private final Bits in;
  private final String description;
  private final DecodeOptions options;

  // STREAMINFO
  private int sampleRate;
  private int channels;
  private int bitsPerSample;
  private long totalSamples;
  private int minBlockSize;
  private int maxBlockSize;

  private long[][] block = new long[0][];

  private FlacDecoder(InputStream in, String description, DecodeOptions options) {
    this.in = new Bits(in);
    this.description = description;
    this.options = options;
  }

  /** Decodes {@code in} (positioned at "fLaC") to the end; does not close it. */
  public static AudioDecoder.ChannelAudio decode(
      InputStream in, String description, DecodeOptions options, boolean split) {
    FlacDecoder d = new FlacDecoder(in, description, options);
    try {
      return d.run(split);
    } catch (CorruptUnary e) {
      throw d.corrupt(e.getMessage());
    } catch (EOFException e) {
      throw d.truncated(null);
    } catch (IOException e) {
      throw new AudioException(description + ": could not be read: " + e.getMessage(), e);
    }
  }

  /** @param split keep the channels apart; else one channel, their mean */
  private AudioDecoder.ChannelAudio run(boolean split) throws IOException {
    readMetadata();
    long capLong = (long) Math.ceil(AudioDecoder.seconds(options.maxDuration()) * sampleRate);
    FloatBuffer[] outs = new FloatBuffer[split ? channels : 1];
    for (int c = 0; c < outs.length; c++) {
      outs[c] = new FloatBuffer((int) Math.min(capLong, Integer.MAX_VALUE - 16));
    }
    FloatBuffer out = outs[0];
    long decoded = 0;
    while (totalSamples <= 0 || decoded < totalSamples) {
      long frameStart = in.position();
      if (!in.hasMore()) {
        break;
      }
      int n;
      try {
        n = readFrame(decoded);
      } catch (EOFException e) {
        throw truncated(out.size() + " frames");
      }
      if (totalSamples > 0) {
        n = (int) Math.min(n, totalSamples - decoded);
      }
      double scale = 1.0 / (1L << (bitsPerSample - 1));
      for (int i = 0; i < n; i++) {
        boolean added = true;
        if (split) {
          for (int c = 0; c < channels; c++) {
            added &= outs[c].add((float) (block[c][i] * scale));
          }
        } else {
          double sum = 0;
          for (int c = 0; c < channels; c++) {
            sum += block[c][i] * scale;
          }
          added = out.add((float) (sum / channels));
        }
        if (!added) {
          throw AudioDecoder.tooLong(description, "more than "
              + Sizes.duration(options.maxDuration()) + " of audio arrived", options);
        }
      }
      decoded += n;
      assert in.position() > frameStart;
    }
    if (totalSamples > 0 && decoded < totalSamples) {
      throw truncated(decoded + " frames");
    }
    if (decoded == 0) {
      throw new AudioException(description + ": contains no audio samples (FLAC with no audio"
          + " frames)");
    }
    return new AudioDecoder.ChannelAudio(AudioDecoder.toArrays(outs), sampleRate);
  }

  // ---- metadata -------------------------------------------------------------------------------

  private void readMetadata() throws IOException {
    if (in.bits(32) != 0x664C6143L) { // "fLaC"
      throw corrupt("the stream does not start with \"fLaC\"");
    }
    boolean last = false;
    boolean first = true;
    while (!last) {
      long at = in.position();
      last = in.bits(1) == 1;
      int type = (int) in.bits(7);
      long length = in.bits(24);
      if (first) {
        if (type != 0 || length != 34) {
          throw corrupt(at, "the first metadata block is not a 34-byte STREAMINFO");
        }
        readStreamInfo();
        first = false;
        continue;
      }
      if (type == 127) {
        throw corrupt(at, "metadata block type 127 is invalid");
      }
      if (at + 4 + length > MAX_METADATA_BYTES) {
        throw corrupt(at, "metadata blocks take more than " + Sizes.bytes(MAX_METADATA_BYTES));
      }
      in.skipBytes(length); // reads (and so is bounded by) the real input
    }
  }

  private void readStreamInfo() throws IOException {
    minBlockSize = (int) in.bits(16);
    maxBlockSize = (int) in.bits(16);
    in.bits(24); // min frame size
    in.bits(24); // max frame size
    sampleRate = (int) in.bits(20);
    channels = (int) in.bits(3) + 1;
    bitsPerSample = (int) in.bits(5) + 1;
    totalSamples = in.bits(36);
    in.skipBytes(16); // MD5 of the samples (not checked: the frame CRCs catch corruption)
    if (sampleRate == 0) {
      throw corrupt("STREAMINFO declares a sample rate of 0 Hz");
    }
    if (bitsPerSample < 4) {
      throw corrupt("STREAMINFO declares " + bitsPerSample + " bits per sample (at least 4)");
    }
    if (minBlockSize < 16 && minBlockSize != 0 || maxBlockSize < minBlockSize) {
      // 0 is written by some encoders for "unknown"; otherwise 16 <= min <= max (RFC 9639 8.2).
      if (!(minBlockSize == 0 && maxBlockSize == 0)) {
        throw corrupt("STREAMINFO declares block sizes " + minBlockSize + " to " + maxBlockSize);
      }
    }
    if (totalSamples > 0 && totalSamples / (double) sampleRate
        > AudioDecoder.seconds(options.maxDuration())) {
      throw AudioDecoder.tooLong(description, "its header declares "
          + Sizes.seconds(totalSamples / (double) sampleRate), options);
    }
    block = new long[channels][];
  }

  // ---- frames ---------------------------------------------------------------------------------

  /** Reads one frame into {@link #block}; returns its block size. */
  private int readFrame(long sampleIndex) throws IOException {
    long at = in.position();
    in.startCrc();
    long sync = in.bits(15);
    if (sync != 0x7FFC) { // 14-bit sync 0b11111111111110 and the reserved 0 bit
      throw corrupt(at, "no frame sync where frame " + frameWords(sampleIndex) + " should start"
          + " (found 0x" + Long.toHexString(sync << 1) + ")");
    }
    in.bits(1); // blocking strategy: fixed or variable; both are decoded the same way here
    int sizeCode = (int) in.bits(4);
    int rateCode = (int) in.bits(4);
    int assignment = (int) in.bits(4);
    int depthCode = (int) in.bits(3);
    if (in.bits(1) != 0) {
      throw corrupt(at, "frame header reserved bit is set");
    }
    readCodedNumber(at);
    int blockSize = switch (sizeCode) {
      case 0 -> throw corrupt(at, "frame header uses the reserved block size code 0");
      case 1 -> 192;
      case 2, 3, 4, 5 -> 576 << (sizeCode - 2);
      case 6 -> (int) in.bits(8) + 1;
      case 7 -> (int) in.bits(16) + 1;
      default -> 256 << (sizeCode - 8);
    };
    int rate = switch (rateCode) {
      case 0 -> sampleRate;
      case 1 -> 88200;
      case 2 -> 176400;
      case 3 -> 192000;
      case 4 -> 8000;
      case 5 -> 16000;
      case 6 -> 22050;
      case 7 -> 24000;
      case 8 -> 32000;
      case 9 -> 44100;
      case 10 -> 48000;
      case 11 -> 96000;
      case 12 -> (int) in.bits(8) * 1000;
      case 13 -> (int) in.bits(16);
      case 14 -> (int) in.bits(16) * 10;
      default -> throw corrupt(at, "frame header uses the invalid sample rate code 15");
    };
    int depth = switch (depthCode) {
      case 0 -> bitsPerSample;
      case 1 -> 8;
      case 2 -> 12;
      case 4 -> 16;
      case 5 -> 20;
      case 6 -> 24;
      case 7 -> 32;
      default -> throw corrupt(at, "frame header uses the reserved sample size code 3");
    };
    int frameChannels = assignment < 8 ? assignment + 1 : assignment <= 10 ? 2 : -1;
    if (frameChannels < 0) {
      throw corrupt(at, "frame header uses the reserved channel assignment " + assignment);
    }
    int headerCrc = in.crc8();
    if (in.bits(8) != headerCrc) {
      throw corrupt(at, "frame header fails its CRC-8 check");
    }
    // A stream whose format changes mid-way is two files spliced together (or corrupt); we
    // decode one format per call.
    if (rate != sampleRate || depth != bitsPerSample || frameChannels != channels) {
      throw corrupt(at, "frame " + frameWords(sampleIndex) + " is " + frameChannels + " ch, "
          + rate + " Hz, " + depth + "-bit, but STREAMINFO says " + channels + " ch, "
          + sampleRate + " Hz, " + bitsPerSample + "-bit");
    }
    if (maxBlockSize > 0 && blockSize > maxBlockSize) {
      throw corrupt(at, "frame block size " + blockSize + " exceeds STREAMINFO's maximum of "
          + maxBlockSize);
    }
    for (int c = 0; c < channels; c++) {
      if (block[c] == null || block[c].length < blockSize) {
        block[c] = new long[blockSize];
      }
      // The side channel carries one more bit (RFC 9639 9.2.2).
      boolean side = assignment == 8 && c == 1 || assignment == 9 && c == 0
          || assignment == 10 && c == 1;
      readSubframe(at, block[c], blockSize, depth + (side ? 1 : 0));
    }
    in.alignToByte(); // zero padding
    int frameCrc = in.crc16();
    if (in.bits(16) != frameCrc) {
      throw corrupt(at, "frame " + frameWords(sampleIndex) + " fails its CRC-16 check");
    }
    undoStereo(assignment, blockSize);
    return blockSize;
  }

  private void undoStereo(int assignment, int n) {
    long[] a = block.length > 0 ? block[0] : null;
    long[] b = block.length > 1 ? block[1] : null;
    switch (assignment) {
      case 8 -> { // left, side: right = left - side
        for (int i = 0; i < n; i++) {
          b[i] = a[i] - b[i];
        }
      }
      case 9 -> { // side, right: left = side + right
        for (int i = 0; i < n; i++) {
          a[i] += b[i];
        }
      }
      case 10 -> { // mid, side
        for (int i = 0; i < n; i++) {
          long side = b[i];
          long mid = (a[i] << 1) | (side & 1);
          a[i] = (mid + side) >> 1;
          b[i] = (mid - side) >> 1;
        }
      }
      default -> { }
    }
  }

  /** The frame/sample number: UTF-8-like coding of up to 36 bits (RFC 9639 9.1.5). */
  private void readCodedNumber(long at) throws IOException {
    int first = (int) in.bits(8);
    int extra;
    if ((first & 0x80) == 0) {
      extra = 0;
    } else if ((first & 0xE0) == 0xC0) {
      extra = 1;
    } else if ((first & 0xF0) == 0xE0) {
      extra = 2;
    } else if ((first & 0xF8) == 0xF0) {
      extra = 3;
    } else if ((first & 0xFC) == 0xF8) {
      extra = 4;
    } else if ((first & 0xFE) == 0xFC) {
      extra = 5;
    } else if (first == 0xFE) {
      extra = 6;
    } else {
      throw corrupt(at, "frame header has an invalid coded frame number");
    }
    for (int i = 0; i < extra; i++) {
      if ((in.bits(8) & 0xC0) != 0x80) {
        throw corrupt(at, "frame header has an invalid coded frame number");
      }
    }
  }

  private void readSubframe(long at, long[] x, int n, int depth) throws IOException {
    if (in.bits(1) != 0) {
      throw corrupt(at, "subframe padding bit is set");
    }
    int type = (int) in.bits(6);
    int wasted = 0;
    if (in.bits(1) == 1) {
      wasted = in.unary(depth) + 1;
      if (wasted >= depth) {
        throw corrupt(at, "subframe declares " + wasted + " wasted bits of " + depth);
      }
    }
    int bits = depth - wasted;
    if (type == 0) { // constant
      long v = in.signed(bits);
      for (int i = 0; i < n; i++) {
        x[i] = v;
      }
    } else if (type == 1) { // verbatim
      for (int i = 0; i < n; i++) {
        x[i] = in.signed(bits);
      }
    } else if (type >= 8 && type <= 12) {
      fixed(at, x, n, bits, type - 8);
    } else if (type >= 32) {
      lpc(at, x, n, bits, type - 31);
    } else {
      throw corrupt(at, "subframe uses the reserved type " + type);
    }
    if (wasted > 0) {
      for (int i = 0; i < n; i++) {
        x[i] <<= wasted;
      }
    }
  }

  /** Fixed predictors of order 0 to 4 (RFC 9639 9.2.5). */
  private void fixed(long at, long[] x, int n, int bits, int order) throws IOException {
    if (order > n) {
      throw corrupt(at, "fixed predictor of order " + order + " in a block of " + n);
    }
    for (int i = 0; i < order; i++) {
      x[i] = in.signed(bits);
    }
    residual(at, x, n, order);
    for (int i = order; i < n; i++) {
      long p = switch (order) {
        case 0 -> 0;
        case 1 -> x[i - 1];
        case 2 -> 2 * x[i - 1] - x[i - 2];
        case 3 -> 3 * x[i - 1] - 3 * x[i - 2] + x[i - 3];
        default -> 4 * x[i - 1] - 6 * x[i - 2] + 4 * x[i - 3] - x[i - 4];
      };
      x[i] += p;
    }
  }

  /** Linear prediction of order 1 to 32 with quantised coefficients (RFC 9639 9.2.6). */
  private void lpc(long at, long[] x, int n, int bits, int order) throws IOException {
    if (order > n) {
      throw corrupt(at, "LPC predictor of order " + order + " in a block of " + n);
    }
    for (int i = 0; i < order; i++) {
      x[i] = in.signed(bits);
    }
    int precision = (int) in.bits(4) + 1;
    if (precision == 16) {
      throw corrupt(at, "LPC coefficient precision uses the invalid value 15");
    }
    int shift = (int) in.signed(5);
    if (shift < 0) {
      throw corrupt(at, "LPC shift is negative (" + shift + ")");
    }
    long[] coef = new long[order];
    for (int j = 0; j < order; j++) {
      coef[j] = in.signed(precision);
    }
    residual(at, x, n, order);
    for (int i = order; i < n; i++) {
      long sum = 0;
      for (int j = 0; j < order; j++) {
        sum += coef[j] * x[i - 1 - j];
      }
      x[i] += sum >> shift;
    }
  }

  /** Rice-coded residual into {@code x[order..n)} (RFC 9639 9.2.7). */
  private void residual(long at, long[] x, int n, int order) throws IOException {
    int method = (int) in.bits(2);
    if (method > 1) {
      throw corrupt(at, "residual uses the reserved coding method " + method);
    }
    int paramBits = method == 0 ? 4 : 5;
    int escape = (1 << paramBits) - 1;
    int partitionOrder = (int) in.bits(4);
    int partitions = 1 << partitionOrder;
    if (n % partitions != 0 || (n >> partitionOrder) < order) {
      throw corrupt(at, "residual partition order " + partitionOrder + " does not fit a block of "
          + n + " with predictor order " + order);
    }
    int perPartition = n >> partitionOrder;
    int i = order;
    for (int p = 0; p < partitions; p++) {
      int count = p == 0 ? perPartition - order : perPartition;
      int param = (int) in.bits(paramBits);
      if (param == escape) {
        int raw = (int) in.bits(5);
        for (int k = 0; k < count; k++) {
          x[i++] = raw == 0 ? 0 : in.signed(raw);
        }
      } else {
        // RFC 9639: a residual fits a 32-bit signed integer, so its zigzag code fits 32 bits
        // unsigned and the quotient is at most 2^32 >> param; a longer run of zeros is corrupt.
        int maxQuotient = (int) Math.min(Integer.MAX_VALUE, 0xFFFFFFFFL >>> param);
        for (int k = 0; k < count; k++) {
          long q = in.unary(maxQuotient);
          long v = (q << param) | in.bits(param);
          x[i++] = (v >>> 1) ^ -(v & 1);
        }
      }
    }
  }

  // ---- messages -------------------------------------------------------------------------------

  private String frameWords(long sampleIndex) {
    return "at sample " + sampleIndex + " (" + Sizes.seconds(sampleIndex / (double) sampleRate)
        + ")";
  }

  private AudioException corrupt(String why) {
    return corrupt(in.position(), why);
  }

  private AudioException corrupt(long at, String why) {
    return new AudioException(description + ": FLAC data is corrupt at byte " + at + ": " + why);
  }

  private AudioException truncated(String decodedFrames) {
    if (sampleRate == 0) {
      return new AudioException(description + ": FLAC header is truncated (the data ends inside"
          + " it, after " + in.position() + " bytes)");
    }
    String declared = totalSamples > 0 ? "the header declares " + totalSamples + " frames ("
        + Sizes.seconds(totalSamples / (double) sampleRate) + ") but " : "";
    return new AudioException(description + ": FLAC data is truncated: " + declared + "the data"
        + " ends inside a frame at byte " + in.position()
        + (decodedFrames == null ? "" : ", after " + decodedFrames));
  }

  // ---- bits -----------------------------------------------------------------------------------

  /** A big-endian bit reader that keeps the frame CRCs of the bytes it consumes. */
  static final class Bits {
    private static final int[] CRC8 = new int[256];
    private static final int[] CRC16 = new int[256];

    static {
      for (int i = 0; i < 256; i++) {
        int c8 = i;
        int c16 = i << 8;
        for (int k = 0; k < 8; k++) {
          c8 = (c8 & 0x80) != 0 ? (c8 << 1) ^ 0x07 : c8 << 1; // x^8 + x^2 + x + 1
          c16 = (c16 & 0x8000) != 0 ? (c16 << 1) ^ 0x8005 : c16 << 1; // x^16 + x^15 + x^2 + 1
        }
        CRC8[i] = c8 & 0xFF;
        CRC16[i] = c16 & 0xFFFF;
      }
    }

    private final InputStream in;
    private final byte[] buf = new byte[16 * 1024];
    private int bufPos;
    private int bufLen;
    private long consumed; // bytes taken into acc
    private long acc; // the low `have` bits are unread
    private int have;
    private int crc8;
    private int crc16;

    Bits(InputStream in) {
      this.in = in;
    }

    /** Offset of the next whole unread byte. */
    long position() {
      return consumed - have / 8;
    }

    boolean hasMore() throws IOException {
      return have > 0 || fill();
    }

    private boolean fill() throws IOException {
      if (bufPos < bufLen) {
        return true;
      }
      int n = in.read(buf, 0, buf.length);
      while (n == 0) { // a stream may return 0; read() blocks until a byte or the end
        int b = in.read();
        if (b < 0) {
          return false;
        }
        buf[0] = (byte) b;
        n = 1;
      }
      if (n < 0) {
        return false;
      }
      bufPos = 0;
      bufLen = n;
      return true;
    }

    private void nextByte() throws IOException {
      if (bufPos >= bufLen && !fill()) {
        throw new EOFException();
      }
      int b = buf[bufPos++] & 0xFF;
      crc8 = CRC8[crc8 ^ b];
      crc16 = ((crc16 << 8) ^ CRC16[(crc16 >>> 8) ^ b]) & 0xFFFF;
      acc = acc << 8 | b;
      have += 8;
      consumed++;
    }

    /** Starts the CRCs at the current (byte-aligned) position. */
    void startCrc() {
      crc8 = 0;
      crc16 = 0;
    }

    /** CRC-8 of the bytes since {@link #startCrc()} (call byte-aligned, before reading more). */
    int crc8() {
      return crc8;
    }

    int crc16() {
      return crc16;
    }

    /** {@code n} bits (0..36) as an unsigned value. */
    long bits(int n) throws IOException {
      if (n == 0) {
        return 0;
      }
      while (have < n) {
        nextByte();
      }
      have -= n;
      return (acc >>> have) & ((1L << n) - 1);
    }

    /** {@code n} bits (1..33) as a two's complement value. */
    long signed(int n) throws IOException {
      long v = bits(n);
      return (v << (64 - n)) >> (64 - n);
    }

    /** Counts 0 bits up to the next 1 (consumed); more than {@code max} zeros is corrupt data. */
    int unary(int max) throws IOException {
      int zeros = 0;
      while (true) {
        if (have == 0) {
          nextByte();
        }
        long rest = acc & ((1L << have) - 1);
        if (rest == 0) {
          zeros += have;
          have = 0;
        } else {
          int top = 63 - Long.numberOfLeadingZeros(rest); // index of the highest 1
          zeros += have - 1 - top;
          have = top;
          if (zeros > max) {
            throw new CorruptUnary(zeros);
          }
          return zeros;
        }
        if (zeros > max) {
          throw new CorruptUnary(zeros);
        }
      }
    }

    void alignToByte() {
      have -= have % 8;
    }

    void skipBytes(long n) throws IOException {
      alignToByte();
      for (long i = 0; i < n; i++) {
        if (have >= 8) {
          have -= 8;
        } else {
          nextByte();
          have -= 8;
        }
      }
    }
  }

  /** A run of zero bits longer than any valid Rice quotient. */
  static final class CorruptUnary extends IOException {
    CorruptUnary(int zeros) {
      super("a run of " + zeros + " zero bits where a Rice code was expected");
    }
  }
}

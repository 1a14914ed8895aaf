package io.mersdk.audio.internal;

import com.jcraft.jogg.Packet;
import com.jcraft.jogg.Page;
import com.jcraft.jogg.StreamState;
import com.jcraft.jogg.SyncState;
import com.jcraft.jorbis.Block;
import com.jcraft.jorbis.Comment;
import com.jcraft.jorbis.DspState;
import com.jcraft.jorbis.Info;
import io.github.jaredmdobson.concentus.OpusDecoder;
import io.github.jaredmdobson.concentus.OpusException;
import io.mersdk.AudioException;
import io.mersdk.audio.DecodeOptions;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * Ogg Vorbis and Ogg Opus: the Ogg pages and packets through JOrbis' {@code jogg}, Vorbis through
 * JOrbis ({@code org.jcraft:jorbis}, LGPL 2.0), Opus through Concentus (a pure-Java port of libopus,
 * {@code io.github.jaredmdobson:concentus}, BSD 3-clause). Only the first logical stream is read
 * (a chained or multiplexed file's others are ignored). Opus is decoded at 48 kHz, its pre-skip
 * dropped, its end trimmed to the last granule position and its output gain applied (RFC 7845);
 * channel mapping family 0 only (mono, stereo). Output, as the other decoders': integers scaled by
 * 1/32768, the channels averaged or kept apart. Bounded: the decoded length is capped at {@code
 * DecodeOptions.maxDuration}, and any exception of the libraries on corrupt data becomes an
 * {@link AudioException}.
 */
final class OggDecoder {
  private static final int CHUNK = 8192;
  /** The longest Opus frame: 120 ms at 48 kHz (RFC 6716). */
  private static final int OPUS_MAX_FRAME = 5760;
  private static final int OPUS_RATE = 48_000;
  /** Pages without a packet for us (another stream, a hole) before we call the file corrupt. */
  private static final int MAX_IDLE_PAGES = 100_000;

  private final InputStream in;
  private final String description;
  private final DecodeOptions options;
  private final boolean split;

  private final SyncState sync = new SyncState();
  private final StreamState stream = new StreamState();
  private final Page page = new Page();
  private final Packet packet = new Packet();
  private int serial;
  private boolean started;
  private boolean ended;
  private long lastGranule = -1;

  private FloatBuffer[] outs;
  private int channels;
  private double rate;

  private OggDecoder(InputStream in, String description, DecodeOptions options, boolean split) {
    this.in = in;
    this.description = description;
    this.options = options;
    this.split = split;
  }

  static AudioDecoder.ChannelAudio decode(InputStream in, String description,
      DecodeOptions options, boolean split) {
    OggDecoder d = new OggDecoder(in, description, options, split);
    try {
      return d.run();
    } catch (AudioException e) {
      throw e;
    } catch (IOException e) {
      throw new AudioException(description + ": could not be read: " + e.getMessage(), e);
    } catch (OpusException | RuntimeException e) {
      throw new AudioException(description + ": Ogg data is corrupt (" + e + ")", e);
    }
  }

  private AudioDecoder.ChannelAudio run() throws IOException, OpusException {
    if (!nextPacket()) {
      throw corrupt("no Ogg packet found");
    }
    byte[] first = java.util.Arrays.copyOfRange(packet.packet_base, packet.packet,
        packet.packet + packet.bytes);
    if (first.length >= 7 && first[0] == 1 && ascii(first, 1, "vorbis")) {
      vorbis();
    } else if (first.length >= 19 && ascii(first, 0, "OpusHead")) {
      opus(first);
    } else {
      throw new AudioException(description + ": unsupported codec: an Ogg stream that is neither"
          + " Vorbis nor Opus; convert it to WAV, FLAC or MP3");
    }
    if (outs == null || outs[0].size() == 0) {
      throw new AudioException(description + ": contains no audio samples (Ogg with no audio"
          + " packets)");
    }
    return new AudioDecoder.ChannelAudio(AudioDecoder.toArrays(outs), (float) rate);
  }

  // ---- Vorbis ---------------------------------------------------------------------------------

  private void vorbis() throws IOException {
    Info info = new Info();
    Comment comment = new Comment();
    info.init();
    comment.init();
    for (int h = 0; h < 3; h++) {
      if (h > 0 && !nextPacket()) {
        throw corrupt("the Vorbis headers end early");
      }
      if (info.synthesis_headerin(comment, packet) < 0) {
        throw corrupt("Vorbis header " + (h + 1) + " is invalid");
      }
    }
    open(info.channels, info.rate);
    DspState dsp = new DspState();
    dsp.synthesis_init(info);
    Block block = new Block(dsp);
    float[][][] pcm = new float[1][][];
    int[] index = new int[info.channels];
    while (nextPacket()) {
      if (block.synthesis(packet) == 0) {
        dsp.synthesis_blockin(block);
      }
      int n;
      while ((n = dsp.synthesis_pcmout(pcm, index)) > 0) {
        for (int i = 0; i < n; i++) {
          double sum = 0;
          for (int c = 0; c < channels; c++) {
            float v = pcm[0][c][index[c] + i];
            if (split) {
              add(c, v);
            } else {
              sum += v;
            }
          }
          if (!split) {
            add(0, (float) (sum / channels));
          }
        }
        dsp.synthesis_read(n);
      }
    }
  }

  // ---- Opus (RFC 7845) ------------------------------------------------------------------------

  private void opus(byte[] head) throws IOException, OpusException {
    int version = head[8] & 0xFF;
    int count = head[9] & 0xFF;
    int preSkip = (head[10] & 0xFF) | (head[11] & 0xFF) << 8;
    int gainQ8 = (short) ((head[16] & 0xFF) | (head[17] & 0xFF) << 8);
    int family = head[18] & 0xFF;
    if (version >> 4 != 0) {
      throw corrupt("OpusHead version " + version + " is not 0.x");
    }
    if (family != 0 || count < 1 || count > 2) {
      throw new AudioException(description + ": unsupported codec: Ogg Opus with channel mapping"
          + " family " + family + " and " + count + " channels (only mono and stereo); convert it"
          + " to WAV, FLAC or MP3");
    }
    open(count, OPUS_RATE);
    double gain = Math.pow(10, gainQ8 / (20.0 * 256));
    if (!nextPacket() || !(packet.bytes >= 8 && ascii(packet.packet_base, packet.packet,
        "OpusTags"))) {
      throw corrupt("the OpusTags header is missing");
    }
    OpusDecoder decoder = new OpusDecoder(OPUS_RATE, count);
    short[] pcm = new short[OPUS_MAX_FRAME * count];
    long skip = preSkip;
    while (nextPacket()) {
      int n = decoder.decode(packet.packet_base, packet.packet, packet.bytes, pcm, 0,
          OPUS_MAX_FRAME, false);
      for (int i = 0; i < n; i++) {
        if (skip > 0) {
          skip--;
          continue;
        }
        double sum = 0;
        for (int c = 0; c < count; c++) {
          float v = (float) (pcm[i * count + c] / 32768.0 * gain);
          if (split) {
            add(c, v);
          } else {
            sum += v;
          }
        }
        if (!split) {
          add(0, (float) (sum / count));
        }
      }
    }
    // the last granule position is the end of the audio, pre-skip included (RFC 7845, 4)
    long end = lastGranule - preSkip;
    if (lastGranule >= 0 && end >= 0 && end < outs[0].size()) {
      for (FloatBuffer b : outs) {
        b.truncate((int) end);
      }
    }
  }

  // ---- shared ---------------------------------------------------------------------------------

  private void open(int channels, double rate) {
    if (channels < 1 || channels > ContainerProbe.MAX_CHANNELS) {
      throw corrupt("the header declares " + channels + " channels");
    }
    if (!(rate > 0 && rate <= ContainerProbe.MAX_SAMPLE_RATE)) {
      throw corrupt("the header declares a sample rate of " + rate + " Hz");
    }
    this.channels = channels;
    this.rate = rate;
    long capLong = (long) Math.ceil(AudioDecoder.seconds(options.maxDuration()) * rate);
    int cap = (int) Math.min(capLong, Integer.MAX_VALUE - 16);
    outs = new FloatBuffer[split ? channels : 1];
    for (int c = 0; c < outs.length; c++) {
      outs[c] = new FloatBuffer(cap);
    }
  }

  private void add(int channel, float v) {
    if (!Float.isFinite(v)) {
      throw corrupt("the decoder produced a non-finite sample");
    }
    if (!outs[channel].add(v)) {
      throw AudioDecoder.tooLong(description, "more than "
          + Sizes.duration(options.maxDuration()) + " of audio arrived", options);
    }
  }

  /** The next packet of the first logical stream; false at its end or the input's. */
  private boolean nextPacket() throws IOException {
    int idle = 0;
    while (true) {
      if (started && stream.packetout(packet) == 1) {
        return true;
      }
      if (ended) {
        return false;
      }
      int got = sync.pageout(page);
      if (got == 1) {
        if (!started) {
          serial = page.serialno();
          stream.init(serial);
          started = true;
        }
        if (page.serialno() != serial) {
          if (++idle > MAX_IDLE_PAGES) {
            throw corrupt("no packet of the first stream in " + MAX_IDLE_PAGES + " pages");
          }
          continue;
        }
        if (stream.pagein(page) < 0) {
          throw corrupt("an Ogg page does not belong to its stream");
        }
        if (page.granulepos() >= 0) {
          lastGranule = page.granulepos();
        }
        if (page.eos() != 0) {
          ended = true;
        }
        continue;
      }
      // got == 0: more data needed; -1: a hole (lost sync), skipped by the next pageout
      int at = sync.buffer(CHUNK);
      int n = in.read(sync.data, at, CHUNK);
      if (n <= 0) {
        ended = true;
        if (started && stream.packetout(packet) == 1) {
          return true;
        }
        return false;
      }
      sync.wrote(n);
    }
  }

  private AudioException corrupt(String what) {
    return new AudioException(description + ": Ogg data is corrupt: " + what);
  }

  private static boolean ascii(byte[] b, int at, String s) {
    if (at + s.length() > b.length) {
      return false;
    }
    return new String(b, at, s.length(), StandardCharsets.ISO_8859_1).equals(s);
  }
}

package io.mersdk.audio;

import io.mersdk.audio.internal.DecodingSource;
import io.mersdk.audio.internal.SampleSource;
import io.mersdk.source.AudioSource;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Objects;

/**
 * Makes {@link AudioSource}s from what users have: a file, an encoded byte stream or array,
 * decoded samples, a microphone. Every {@link AudioSource} down-mixes to mono, resamples to the rate the
 * recogniser asks for with {@link Resampler}, and throws {@link io.mersdk.AudioException} naming
 * the source and the problem.
 *
 * <pre>{@code
 * EmotionResult r = recognizer.recognize(AudioSources.of(Path.of("call.wav")));
 * }</pre>
 *
 * <p>Formats: WAV (PCM 8/16/24/32-bit, 32/64-bit float, mu-law, A-law), AIFF, AU through the JDK;
 * FLAC (our own decoder), MP3 (the javax.sound provider this module depends on), Ogg Vorbis
 * (JOrbis) and Ogg Opus (Concentus). Others (AAC, Ogg FLAC, ...) are refused as unsupported
 * codecs. {@code channels(...)} keeps the channels apart (the parties of a call, {@link
 * CallTimeline}). Limits (longest and shortest audio) come from {@link
 * DecodeOptions}; see docs/audio.md.
 */
public final class AudioSources {
  private AudioSources() {}

  /** An audio file, read (again) on each {@link AudioSource#readMono} call. */
  public static AudioSource of(Path file) {
    return of(file, DecodeOptions.defaults());
  }

  public static AudioSource of(Path file, DecodeOptions options) {
    Objects.requireNonNull(file, "file");
    Objects.requireNonNull(options, "options");
    return new DecodingSource.FileSource(file, options);
  }

  /**
   * An encoded recording (a whole file's bytes) arriving on a stream. It can be read once; the
   * stream is read to its end but not closed.
   *
   * @param description names the source in messages, e.g. the peer's address
   */
  public static AudioSource of(InputStream in, String description) {
    return of(in, description, DecodeOptions.defaults());
  }

  public static AudioSource of(InputStream in, String description, DecodeOptions options) {
    Objects.requireNonNull(in, "in");
    Objects.requireNonNull(options, "options");
    return new DecodingSource.StreamSource(in, describe(description, "stream"), options);
  }

  /** An encoded recording (a whole file's bytes) in memory; the array is not copied. */
  public static AudioSource of(byte[] data, String description) {
    return of(data, description, DecodeOptions.defaults());
  }

  public static AudioSource of(byte[] data, String description, DecodeOptions options) {
    Objects.requireNonNull(data, "data");
    Objects.requireNonNull(options, "options");
    return new DecodingSource.BytesSource(data, describe(description, "bytes"), options);
  }

  /** Mono float samples in [-1, 1] at {@code sampleRate}; not copied, resampled on read. */
  public static AudioSource of(float[] samples, int sampleRate) {
    Objects.requireNonNull(samples, "samples");
    checkRate(sampleRate);
    return new SampleSource(samples, sampleRate, arrayName("float", samples.length, sampleRate),
        DecodeOptions.defaults());
  }

  /** Mono 16-bit samples at {@code sampleRate} (scaled by 1/32768), resampled on read. */
  public static AudioSource of(short[] samples, int sampleRate) {
    Objects.requireNonNull(samples, "samples");
    checkRate(sampleRate);
    return new SampleSource(SampleSource.fromShorts(samples), sampleRate,
        arrayName("16-bit", samples.length, sampleRate), DecodeOptions.defaults());
  }

  /**
   * An audio file whose channels stay apart (one per party of a call); read anew on each {@link
   * ChannelSource#readChannels} call.
   */
  public static ChannelSource channels(Path file) {
    return channels(file, DecodeOptions.defaults());
  }

  public static ChannelSource channels(Path file, DecodeOptions options) {
    Objects.requireNonNull(file, "file");
    Objects.requireNonNull(options, "options");
    return ChannelSource.of(new DecodingSource.FileSource(file, options));
  }

  /** An encoded recording (a whole file's bytes) in memory, channels apart; not copied. */
  public static ChannelSource channels(byte[] data, String description) {
    return channels(data, description, DecodeOptions.defaults());
  }

  public static ChannelSource channels(byte[] data, String description, DecodeOptions options) {
    Objects.requireNonNull(data, "data");
    Objects.requireNonNull(options, "options");
    return ChannelSource.of(new DecodingSource.BytesSource(data, describe(description, "bytes"),
        options));
  }

  /**
   * Decoded samples, {@code [channel][sample]} in [-1, 1] at {@code sampleRate}, every channel of
   * one length; not copied, resampled on read.
   */
  public static ChannelSource channels(float[][] samples, int sampleRate) {
    Objects.requireNonNull(samples, "samples");
    checkRate(sampleRate);
    int n = samples.length == 0 || samples[0] == null ? 0 : samples[0].length;
    return ChannelSource.ofArrays(samples, sampleRate, samples.length + " channel(s) of "
        + arrayName("float", n, sampleRate), DecodeOptions.defaults());
  }

  /**
   * The default microphone, capturing 16 kHz utterances with the default segmenter settings; call
   * {@link MicrophoneSource#start()}. For a chosen device or other settings use {@link
   * MicrophoneSource#builder()}.
   */
  public static MicrophoneSource microphone() {
    return MicrophoneSource.builder().build();
  }

  /** The default microphone with these segmenter settings. */
  public static MicrophoneSource microphone(SegmenterOptions segmenter) {
    return MicrophoneSource.builder().segmenter(segmenter).build();
  }

  private static void checkRate(int sampleRate) {
    if (sampleRate <= 0) {
      throw new IllegalArgumentException("sampleRate: must be > 0 Hz, got " + sampleRate);
    }
  }

  private static String describe(String description, String fallback) {
    return description == null || description.isBlank() ? fallback : description;
  }

  private static String arrayName(String kind, int n, int rate) {
    return String.format(Locale.ROOT, "%s samples (%d at %d Hz, %.3f s)", kind, n, rate,
        n / (double) rate);
  }
}

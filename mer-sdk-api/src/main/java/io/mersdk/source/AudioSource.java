package io.mersdk.source;

import io.mersdk.AudioException;

/**
 * The audio-source SPI: anything that can hand over one recording as mono samples. mer-sdk-audio
 * implements it for files, streams, arrays and the microphone ({@code io.mersdk.audio.AudioSources});
 * users may implement it for their own systems.
 *
 * <p>Implementations down-mix to mono and resample to the rate asked for (the bundle's), return
 * samples in [-1, 1], and throw {@link AudioException} naming {@link #description()} when the
 * audio cannot be read. They must never return non-finite samples.
 */
public interface AudioSource {

  /**
   * Reads the whole recording.
   *
   * @param sampleRate the rate the samples must have, in Hz (the recogniser passes its bundle's)
   * @return mono samples in [-1, 1] at {@code sampleRate}
   * @throws AudioException if the audio cannot be read or decoded
   */
  float[] readMono(int sampleRate);

  /** A short human-readable name used in messages, e.g. the file path. */
  String description();

  /** A source over samples already at {@code sampleRate}; asking for another rate is an error. */
  static AudioSource ofSamples(float[] samples, int sampleRate, String description) {
    return new SampleArraySource(samples, sampleRate, description);
  }
}

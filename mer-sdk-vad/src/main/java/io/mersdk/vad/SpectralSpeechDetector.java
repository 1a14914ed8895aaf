package io.mersdk.vad;

import io.mersdk.spi.SpeechActivity;
import io.mersdk.spi.SpeechDetector;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The default acoustic speech gate: speech is voiced sound whose pitch moves. Runs a {@link
 * FrameClassifier} over the utterance and applies {@link SpeechEvidence}'s rule to the counts.
 * Silence, room tone and noise (no periodicity), and hum, tones, chords, buzzes and melodies
 * (periodic, with a pitch that holds still between steps) are not speech, at any level; speech is
 * speech at any level above -75 dBFS. Thread-safe and stateless: each call makes its own
 * classifier. See docs/audio.md, "The acoustic gate".
 */
public final class SpectralSpeechDetector implements SpeechDetector {
  private static final Logger LOG = LoggerFactory.getLogger(SpectralSpeechDetector.class);

  public SpectralSpeechDetector() {}

  @Override
  public SpeechActivity detect(float[] samples, int sampleRate) {
    SpeechEvidence e = evidence(samples, sampleRate);
    LOG.debug("speech gate: {} samples at {} Hz: {}", samples.length, sampleRate, e);
    return SpeechActivity.of(e.isSpeech(), e.speechDuration());
  }

  /**
   * The frame counts behind {@link #detect}.
   *
   * @param samples mono samples, finite; any length, an empty array included
   * @param sampleRate their rate in Hz, > 0
   */
  public SpeechEvidence evidence(float[] samples, int sampleRate) {
    Objects.requireNonNull(samples, "samples");
    FrameClassifier c = new FrameClassifier(sampleRate);
    long[] n = new long[FrameClassifier.Kind.values().length];
    c.accept(samples, 0, samples.length, (index, kind, levelDb) -> n[kind.ordinal()]++);
    return SpeechEvidence.of(c.frames(), n[FrameClassifier.Kind.VOICED.ordinal()],
        n[FrameClassifier.Kind.STEADY.ordinal()], n[FrameClassifier.Kind.MOVING.ordinal()],
        c.hop() / (double) sampleRate);
  }

  @Override
  public String toString() {
    return "SpectralSpeechDetector";
  }
}

package io.mersdk.audio.internal;

/**
 * What {@code StreamingSegmenter} needs of a segmentation state machine: {@link SileroTracker}
 * (the default: Silero VAD's windows) or {@link SpeechTracker} (frame energy, with the gate off).
 */
public interface Tracker {
  /** Receives segments in order, as {@code [start, end)} sample indices of the whole stream. */
  interface Sink {
    void segment(long startSample, long endSample);
  }

  void accept(float[] x, int off, int len);

  /** The stream has ended: closes any open segment. */
  void finish();

  long samplesSeen();

  /** The first sample a segment reported later can contain; a caller may drop those before. */
  long earliestNeeded();

  /** The tracker of these options: Silero's with the speech gate on, energy's without it. */
  static Tracker of(io.mersdk.audio.SegmenterOptions options, int sampleRate, Sink sink) {
    return options.speechGate() ? new SileroTracker(options, sampleRate, sink)
        : new SpeechTracker(options, sampleRate, sink::segment);
  }
}

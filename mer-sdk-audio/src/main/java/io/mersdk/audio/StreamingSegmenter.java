package io.mersdk.audio;

import io.mersdk.audio.internal.Tracker;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Finds utterances in a stream as it arrives: feed samples in chunks of any size with {@link
 * #accept}, get each finished {@link SpeechSegment} back from the call that finished it, and call
 * {@link #finish()} at the end of the stream for the segment in progress. The rules are {@link
 * SegmenterOptions}'s, the same as the batch {@link Segmenter} (which is this class fed one
 * chunk), so a stream and the same samples in one array give the same segments.
 *
 * <pre>{@code
 * StreamingSegmenter seg = StreamingSegmenter.of(SegmenterOptions.defaults(), 16000);
 * while ((n = read(buffer)) > 0) {
 *   for (SpeechSegment s : seg.accept(buffer, 0, n)) {
 *     recognizer.recognize(s.samples());
 *   }
 * }
 * seg.finish().forEach(s -> recognizer.recognize(s.samples()));
 * }</pre>
 *
 * <p>A segment is finished {@code minSilence} after its speech ends (or when it reaches {@code
 * maxSegment}, or at {@link #finish()}); its sample indices count from the first sample of the
 * stream. With {@link SegmenterOptions#speechGate()} on (the default) only runs the acoustic gate
 * calls speech become segments. Memory is bounded: the segmenter keeps only the samples a future
 * segment can still contain (the run in progress, or the last 2 s and the padding).
 *
 * <p>Not thread-safe: one instance per stream, fed from one thread at a time.
 */
public final class StreamingSegmenter {
  private final SegmenterOptions options;
  private final int sampleRate;
  private final Tracker tracker;
  private final List<SpeechSegment> finished = new ArrayList<>();
  private boolean done;

  // the kept samples: buffer[0] is sample `bufferStart` of the stream
  private float[] buffer = new float[4096];
  private int buffered;
  private long bufferStart;

  private StreamingSegmenter(SegmenterOptions options, int sampleRate) {
    this.options = options;
    this.sampleRate = sampleRate;
    this.tracker = Tracker.of(options, sampleRate, this::segment);
  }

  /**
   * @param options the segmentation rules
   * @param sampleRate the stream's rate in Hz
   */
  public static StreamingSegmenter of(SegmenterOptions options, int sampleRate) {
    Objects.requireNonNull(options, "options");
    if (sampleRate <= 0) {
      throw new IllegalArgumentException("sampleRate: must be > 0, got " + sampleRate);
    }
    return new StreamingSegmenter(options, sampleRate);
  }

  public SegmenterOptions options() {
    return options;
  }

  public int sampleRate() {
    return sampleRate;
  }

  /** Samples held for segments to come (for tests of the memory bound). */
  int keptSamples() {
    return buffered;
  }

  /** Samples accepted so far. */
  public long samplesSeen() {
    return tracker.samplesSeen();
  }

  /**
   * Takes the next samples of the stream.
   *
   * @param samples mono samples in [-1, 1]
   * @return the segments this chunk finished, in order (often none)
   * @throws IllegalStateException after {@link #finish()}
   */
  public List<SpeechSegment> accept(float[] samples, int offset, int length) {
    Objects.requireNonNull(samples, "samples");
    Objects.checkFromIndexSize(offset, length, samples.length);
    if (done) {
      throw new IllegalStateException("the stream has finished; make a new StreamingSegmenter");
    }
    keep(samples, offset, length);
    tracker.accept(samples, offset, length);
    return take();
  }

  /** {@link #accept(float[], int, int)} of the whole array. */
  public List<SpeechSegment> accept(float[] samples) {
    return accept(samples, 0, Objects.requireNonNull(samples, "samples").length);
  }

  /**
   * Ends the stream: the segment in progress, if any, is finished. Later calls return nothing.
   *
   * @return the last segments
   */
  public List<SpeechSegment> finish() {
    if (done) {
      return List.of();
    }
    done = true;
    tracker.finish();
    List<SpeechSegment> out = take();
    buffer = new float[0];
    buffered = 0;
    return out;
  }

  private List<SpeechSegment> take() {
    if (finished.isEmpty()) {
      trim();
      return List.of();
    }
    List<SpeechSegment> out = List.copyOf(finished);
    finished.clear();
    trim();
    return out;
  }

  private void segment(long start, long end) {
    int from = (int) (start - bufferStart);
    int to = (int) (end - bufferStart);
    finished.add(new SpeechSegment(start, end, sampleRate, Arrays.copyOfRange(buffer, from, to)));
  }

  private void keep(float[] x, int off, int len) {
    if (buffered + len > buffer.length) {
      buffer = Arrays.copyOf(buffer, Math.max(buffered + len, buffer.length * 2));
    }
    System.arraycopy(x, off, buffer, buffered, len);
    buffered += len;
  }

  /** Drops the samples no future segment can contain. */
  private void trim() {
    long from = Math.min(tracker.earliestNeeded(), bufferStart + buffered);
    int drop = (int) (from - bufferStart);
    if (drop <= 0 || drop < buffered / 2 && drop < 1 << 16) {
      return; // move the tail only when it pays
    }
    System.arraycopy(buffer, drop, buffer, 0, buffered - drop);
    buffered -= drop;
    bufferStart = from;
    if (buffer.length > 1 << 16 && buffered < buffer.length / 4) {
      buffer = Arrays.copyOf(buffer, Math.max(4096, buffered * 2));
    }
  }
}

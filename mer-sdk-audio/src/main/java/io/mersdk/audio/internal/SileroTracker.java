package io.mersdk.audio.internal;

import io.mersdk.audio.SegmenterOptions;
import io.mersdk.vad.SileroVad;
import java.time.Duration;
import java.util.Arrays;

/**
 * The segmenter's state machine on Silero VAD's windows (32 ms; mer-sdk-vad's {@link SileroVad},
 * one {@link SileroVad.Stream} and so one recurrent state per segmenter, i.e. per stream or
 * channel). Silero's own rule ({@code get_speech_timestamps}, the VADIterator of its examples):
 * speech starts at a window whose probability is at least {@link SegmenterOptions#speechThreshold()}
 * and ends once it has stayed below that less 0.15 for {@link SegmenterOptions#minSilence()}; the
 * segment is reported then, widened by {@link SegmenterOptions#padding()}, if it holds at least
 * {@link SegmenterOptions#minSpeech()}.
 *
 * <p><b>Long speech.</b> A run may not exceed {@code maxSegment} less its padding. Once it has
 * lasted half of that, the first window below the lower threshold (a breath, a pause between
 * words) cuts it there and the piece is reported at once; if none comes, the run is cut when it
 * reaches the limit, at its least probable window of the last {@value #LOOK_BACK_WINDOWS}
 * windows (about 0.25 s), reported at once. So a piece is never reported more than the look-back
 * after its end, where a search over the run's whole second half made a listener wait for up to
 * half of {@code maxSegment} (issue 26's probe: 2.7 s). Pieces of one run are contiguous, the
 * later ones without leading padding, so nothing is lost or doubled.
 */
public final class SileroTracker implements Tracker {
  /** How far back the forced cut of a run at its limit may reach: 8 windows (256 ms). */
  static final int LOOK_BACK_WINDOWS = 8;
  /** Silero's {@code neg_threshold} = threshold - 0.15. */
  static final double HYSTERESIS = 0.15;

  private final SegmenterOptions options;
  private final Sink sink;
  private final SileroVad.Stream vad;
  private final SileroVad.Listener listener = this::window;
  private final double threshold;
  private final double negThreshold;
  private final long minSpeech;
  private final long minSilence;
  private final long pad;
  private final long maxRun; // longest run, samples: maxSegment less the padding on both sides
  private final long minPiece;

  private long samplesSeen;
  private long lastWindowEnd; // end sample of the last window

  private boolean inSpeech;
  private boolean continued; // the run continues a piece cut for length: no leading padding
  private long runStart;
  private long tempEnd = -1; // where the probability fell below negThreshold, -1 while it has not
  private long lastEnd; // end of the last reported segment
  // the run's windows: probability and start sample, for the forced cut
  private float[] probs = new float[64];
  private long[] starts = new long[64];
  private int windowsInRun;

  public SileroTracker(SegmenterOptions options, int sampleRate, Sink sink) {
    this.options = options;
    this.sink = sink;
    this.vad = SileroVad.shared().stream(sampleRate);
    this.threshold = options.speechThreshold();
    this.negThreshold = Math.max(0.01, threshold - HYSTERESIS);
    this.minSpeech = samples(options.minSpeech(), sampleRate);
    this.minSilence = samples(options.minSilence(), sampleRate);
    this.pad = samples(options.padding(), sampleRate);
    this.maxRun = samples(options.maxSegment(), sampleRate) - 2 * pad;
    this.minPiece = samples(SegmenterOptions.MIN_SEGMENT, sampleRate);
  }

  private static long samples(Duration d, int rate) {
    return Math.round(d.toNanos() / 1e9 * rate);
  }

  @Override
  public void accept(float[] x, int off, int len) {
    samplesSeen += len; // the caller holds these samples before it calls: segments may reach them
    vad.accept(x, off, len, listener);
  }

  @Override
  public void finish() {
    if (inSpeech) {
      long end = tempEnd >= 0 ? tempEnd : samplesSeen;
      close(end);
    }
  }

  @Override
  public long samplesSeen() {
    return samplesSeen;
  }

  @Override
  public long earliestNeeded() {
    long from = inSpeech ? runStart - (continued ? 0 : pad) : lastWindowEnd - pad;
    return Math.max(lastEnd, Math.max(0, from));
  }

  private void window(long index, long end, float p) {
    long start = lastWindowEnd;
    lastWindowEnd = end;
    if (!inSpeech) {
      if (p >= threshold) {
        inSpeech = true;
        continued = false;
        runStart = start;
        tempEnd = -1;
        windowsInRun = 0;
        remember(p, start);
      }
      return;
    }
    remember(p, start);
    if (p >= threshold) {
      tempEnd = -1;
    } else if (p < negThreshold) {
      if (tempEnd < 0) {
        tempEnd = start;
      }
      if (end - tempEnd >= minSilence) {
        close(tempEnd);
        return;
      }
      if (start - runStart >= maxRun / 2) {
        cut(start); // a dip in the run's second half: cut here, now
        return;
      }
    }
    if (end - runStart >= maxRun) {
      cut(quietestRecent());
    }
  }

  private void remember(float p, long start) {
    if (windowsInRun == probs.length) {
      probs = Arrays.copyOf(probs, windowsInRun * 2);
      starts = Arrays.copyOf(starts, windowsInRun * 2);
    }
    probs[windowsInRun] = p;
    starts[windowsInRun] = start;
    windowsInRun++;
  }

  /** The start of the least probable of the last windows (the latest among equals). */
  private long quietestRecent() {
    int from = Math.max(1, windowsInRun - LOOK_BACK_WINDOWS);
    int best = windowsInRun - 1;
    for (int i = windowsInRun - 1; i >= from; i--) {
      if (probs[i] < probs[best]) {
        best = i;
      }
    }
    return Math.max(runStart + 1, starts[best]);
  }

  private void close(long end) {
    inSpeech = false;
    if (end - runStart >= (continued ? minPiece : minSpeech)) {
      emit(continued ? runStart : runStart - pad, end + pad);
    }
    tempEnd = -1;
    windowsInRun = 0;
  }

  /** Reports the run up to {@code at} and goes on with the rest as a continued run. */
  private void cut(long at) {
    emit(continued ? runStart : runStart - pad, at);
    int keep = 0;
    for (int i = 0; i < windowsInRun; i++) {
      if (starts[i] >= at) {
        probs[keep] = probs[i];
        starts[keep] = starts[i];
        keep++;
      }
    }
    windowsInRun = keep;
    runStart = at;
    continued = true;
    if (tempEnd >= 0 && tempEnd < at) {
      tempEnd = at;
    }
  }

  private void emit(long start, long end) {
    start = Math.max(Math.max(0, start), lastEnd);
    end = Math.min(end, samplesSeen);
    if (end <= start) {
      return;
    }
    lastEnd = end;
    sink.segment(start, end);
  }
}

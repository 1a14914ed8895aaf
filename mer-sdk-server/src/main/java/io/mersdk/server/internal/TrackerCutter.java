package io.mersdk.server.internal;

import io.mersdk.audio.SegmenterOptions;
import io.mersdk.audio.SpeechSegment;
import io.mersdk.audio.internal.SpeechTracker;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * TEMPORARY adapter until mer-sdk-audio's public streaming segmenter (branch audio11) is merged:
 * it drives mer-sdk-audio's own segmenter state machine ({@code SpeechTracker}, the code behind
 * {@code Segmenter} and {@code MicrophoneSource}; not a copy) and keeps the samples of the open
 * utterance. Memory is bounded: at most {@code maxSegment} + 3 s of samples are held (the tracker
 * reaches back at most 2 s when a run starts, plus padding).
 */
public final class TrackerCutter implements UtteranceCutter {
  private final int rate;
  private final SpeechTracker tracker;
  private final int window;
  private final List<SpeechSegment> out = new ArrayList<>();
  private float[] buf = new float[4096];
  private int size;
  private long base; // stream index of buf[0]

  public TrackerCutter(SegmenterOptions options, int sampleRate) {
    this.rate = sampleRate;
    this.window = (int) Math.min(Integer.MAX_VALUE - 16,
        (options.maxSegment().toNanos() / 1e9 + 3) * sampleRate);
    this.tracker = new SpeechTracker(options, sampleRate, this::segment);
  }

  private void segment(long start, long end) {
    float[] s = Arrays.copyOfRange(buf, (int) (start - base), (int) (end - base));
    out.add(new SpeechSegment(start, end, rate, s));
    drop((int) (end - base));
  }

  @Override
  public List<SpeechSegment> accept(float[] samples, int offset, int length) {
    out.clear();
    if (size + length > buf.length) {
      buf = Arrays.copyOf(buf, Math.max(size + length, Math.min(window + length, 2 * buf.length)));
    }
    System.arraycopy(samples, offset, buf, size, length);
    size += length;
    tracker.accept(samples, offset, length);
    if (size > window) {
      drop(size - window);
    }
    return List.copyOf(out);
  }

  @Override
  public List<SpeechSegment> finish() {
    out.clear();
    tracker.finish();
    size = 0;
    return List.copyOf(out);
  }

  @Override
  public long heldSamples() {
    return size;
  }

  private void drop(int n) {
    System.arraycopy(buf, n, buf, 0, size - n);
    size -= n;
    base += n;
  }
}

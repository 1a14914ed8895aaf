package io.mersdk.audio.internal;

import io.mersdk.audio.SegmenterOptions;
import io.mersdk.vad.FrameClassifier;
import io.mersdk.vad.SpeechEvidence;
import java.util.Arrays;

/**
 * The segmenter's state machine, fed samples in chunks of any size: a batch run feeds the whole
 * array, the microphone feeds what each read returns. Reports segments as sample ranges, at most
 * {@code minSilence} after their speech ended (or at {@link #finish()}).
 *
 * <p>Edges come from frame energy; whether a run is speech comes from the acoustic gate's frame
 * classifier (mer-sdk-vad's {@link FrameClassifier}, fed the same samples in the same 10 ms
 * frames): with {@link SegmenterOptions#speechGate()} on, a run (or a piece of a run cut for
 * length) is reported only when its frames pass {@link SpeechEvidence}'s rule, so a stretch of
 * noise, hum, tone or music gives no segment. Every speech frame of a reported run ends up inside
 * exactly one reported segment unless its run is shorter than {@code minSpeech}; long speech is
 * cut into contiguous pieces, so nothing is dropped for length.
 */
public final class SpeechTracker implements Tracker {
  /** Analysis frame: 10 ms, the usual VAD frame (WebRTC VAD uses 10, 20 or 30 ms). */
  static final double FRAME_SECONDS = 0.010;

  /** The noise floor is the quietest frame of this many recent frames (5 s): minimum statistics. */
  private static final int FLOOR_BLOCKS = 10;
  private static final int FLOOR_BLOCK_FRAMES = 50;

  /**
   * Frames remembered before a run starts (2 s). The floor is only known once a quiet frame has
   * been heard, so a recording that opens with speech (or with noise) is judged late; when a run
   * starts, it reaches back over the remembered frames that pass the threshold as it is now.
   */
  private static final int HISTORY_FRAMES = 200;

  /** Level given to digital silence, so log10(0) never appears. */
  private static final double SILENCE_DB = -120;

  private final SegmenterOptions options;
  private final Sink sink;
  private final int frameLen;
  private final int minSpeechFrames;
  private final int minSilenceFrames;
  private final int maxRunFrames;
  private final long padSamples;

  // frame assembly
  private double frameEnergy;
  private int frameFill;
  private long frame; // index of the frame being assembled

  // noise floor: minima of the last FLOOR_BLOCKS blocks
  private final double[] blockMin = new double[FLOOR_BLOCKS];
  private final float[] history = new float[HISTORY_FRAMES];
  private int blockFrames;
  private int block;

  // current run
  private boolean inSpeech;
  private boolean continued; // the run continues a segment cut for length
  private long runStart;
  private long lastSpeech;
  private float[] runLevels = new float[256]; // level of each frame since runStart

  private long lastEnd; // end sample of the last reported segment
  private long samplesSeen;

  // the gate: running counts of STEADY and MOVING frames, by frame index modulo the ring size
  private final FrameClassifier classifier; // null when the gate is off
  private final FrameClassifier.Listener listener = this::classified;
  private final long[] cumSteady;
  private final long[] cumMoving;
  private final int ringMask;
  private long steadySoFar;
  private long movingSoFar;

  public SpeechTracker(SegmenterOptions options, int sampleRate, Sink sink) {
    this.options = options;
    this.sink = sink;
    this.frameLen = Math.max(1, (int) Math.round(sampleRate * FRAME_SECONDS));
    double frameSeconds = (double) frameLen / sampleRate;
    this.minSpeechFrames = (int) Math.ceil(seconds(options.minSpeech()) / frameSeconds);
    this.minSilenceFrames = (int) Math.ceil(seconds(options.minSilence()) / frameSeconds);
    this.padSamples = Math.round(seconds(options.padding()) * sampleRate);
    long maxSamples = (long) Math.floor(seconds(options.maxSegment()) * sampleRate);
    this.maxRunFrames = (int) ((maxSamples - 2 * padSamples) / frameLen);
    // No floor until something is heard: the floor is the quietest frame so far.
    Arrays.fill(blockMin, Double.POSITIVE_INFINITY);
    if (options.speechGate()) {
      classifier = new FrameClassifier(sampleRate);
      // A run's evidence spans at most: the reach back, the longest piece, the closing silence.
      int span = HISTORY_FRAMES + maxRunFrames + minSilenceFrames
          + classifier.lookaheadFrames() + 2;
      int size = Integer.highestOneBit(span) << 1;
      cumSteady = new long[size];
      cumMoving = new long[size];
      ringMask = size - 1;
    } else {
      classifier = null;
      cumSteady = null;
      cumMoving = null;
      ringMask = 0;
    }
  }

  @Override
  public void accept(float[] x, int off, int len) {
    int end = off + len;
    while (off < end) {
      // one frame at a time, the classifier first: the evidence of frame f is in the ring
      // when endFrame(f) runs, and the ring never runs ahead of the energy frames
      int n = Math.min(end - off, frameLen - frameFill);
      if (classifier != null) {
        classifier.accept(x, off, n, listener);
      }
      for (int i = off; i < off + n; i++) {
        double v = x[i];
        frameEnergy += v * v;
      }
      samplesSeen += n;
      frameFill += n;
      off += n;
      if (frameFill == frameLen) {
        endFrame(frameEnergy / frameLen);
        frameEnergy = 0;
        frameFill = 0;
      }
    }
  }

  /** The stream has ended: closes any open segment (a final partial frame counts as a frame). */
  @Override
  public void finish() {
    if (frameFill > 0) {
      endFrame(frameEnergy / frameFill);
      frameEnergy = 0;
      frameFill = 0;
    }
    if (inSpeech) {
      closeRun();
    }
  }

  @Override
  public long samplesSeen() {
    return samplesSeen;
  }

  /**
   * The first sample a segment reported later can contain: the padded start of the run in
   * progress, or the padded reach back of a run that starts now; never before the end of the last
   * segment. A streaming caller may drop the samples before it.
   */
  @Override
  public long earliestNeeded() {
    long fromFrame = inSpeech ? runStart : Math.max(0, frame - HISTORY_FRAMES);
    return Math.max(lastEnd, Math.max(0, fromFrame * frameLen - padSamples));
  }

  private void classified(long index, FrameClassifier.Kind kind, double levelDb) {
    if (kind == FrameClassifier.Kind.STEADY) {
      steadySoFar++;
    } else if (kind == FrameClassifier.Kind.MOVING) {
      movingSoFar++;
    }
    cumSteady[(int) (index & ringMask)] = steadySoFar;
    cumMoving[(int) (index & ringMask)] = movingSoFar;
  }

  /** Whether frames {@code [from, to]} hold speech by the gate's rule; always when it is off. */
  private boolean speech(long from, long to) {
    if (classifier == null) {
      return true;
    }
    long last = Math.min(to + classifier.lookaheadFrames(), classifier.frames() - 1);
    if (last < from) {
      return false;
    }
    long steady = cumSteady[(int) (last & ringMask)]
        - (from > 0 ? cumSteady[(int) ((from - 1) & ringMask)] : 0);
    long moving = cumMoving[(int) (last & ringMask)]
        - (from > 0 ? cumMoving[(int) ((from - 1) & ringMask)] : 0);
    return SpeechEvidence.isSpeech(steady, moving);
  }

  private void endFrame(double meanSquare) {
    double db = meanSquare > 0 ? Math.max(SILENCE_DB, 10 * Math.log10(meanSquare)) : SILENCE_DB;
    double floor = updateFloor(db);
    double threshold = Math.max(options.thresholdDb(), floor + options.noiseMarginDb());
    boolean speech = db >= threshold;
    long f = frame++;
    history[(int) (f % HISTORY_FRAMES)] = (float) db;
    if (!inSpeech) {
      if (speech) {
        startRun(f, threshold);
      }
      return;
    }
    int idx = (int) (f - runStart);
    runLength(idx);
    runLevels[idx] = (float) db;
    if (speech) {
      lastSpeech = f;
    } else if (f - lastSpeech >= minSilenceFrames) {
      closeRun();
      return;
    }
    if (f + 1 - runStart >= maxRunFrames) {
      splitRun(f);
    }
  }

  private void startRun(long f, double threshold) {
    long limit = Math.max(Math.max(0, f - HISTORY_FRAMES + 1), (lastEnd + frameLen - 1) / frameLen);
    // Walk back as the forward rule would have gone: over pauses shorter than minSilence.
    long start = f;
    int gap = 0;
    for (long k = f - 1; k >= limit && gap < minSilenceFrames; k--) {
      if (history[(int) (k % HISTORY_FRAMES)] >= threshold) {
        start = k;
        gap = 0;
      } else {
        gap++;
      }
    }
    inSpeech = true;
    continued = false;
    runStart = start;
    lastSpeech = f;
    runLength((int) (f - start));
    for (long k = start; k <= f; k++) {
      runLevels[(int) (k - start)] = history[(int) (k % HISTORY_FRAMES)];
    }
  }

  private double updateFloor(double db) {
    if (blockFrames == 0) {
      blockMin[block] = db;
    } else {
      blockMin[block] = Math.min(blockMin[block], db);
    }
    double floor = Double.MAX_VALUE;
    for (double m : blockMin) {
      floor = Math.min(floor, m);
    }
    if (++blockFrames == FLOOR_BLOCK_FRAMES) {
      blockFrames = 0;
      block = (block + 1) % FLOOR_BLOCKS;
    }
    return floor;
  }

  private void closeRun() {
    inSpeech = false;
    long start = runStart * frameLen;
    long end = Math.min((lastSpeech + 1) * frameLen, samplesSeen());
    // Measured in samples, not frames: a final partial frame (finish()) holds less than 10 ms,
    // and counting it whole let a 0.09 s sound at the end of a recording pass a 0.1 s minSpeech.
    if (end - start < (long) minSpeechFrames * frameLen && !continued) {
      return;
    }
    if (!speech(runStart, lastSpeech)) {
      return; // noise, hum, tone or music: loud enough, but not speech
    }
    emit(continued ? start : start - padSamples, end + padSamples);
  }

  /**
   * The run has reached the longest a segment may be: cut it at its quietest frame in the second
   * half (a pause between words, if there is one) and go on with the rest as a new run.
   *
   * <p>The cut comes at least {@code minSpeech} before the last speech frame, so the rest holds
   * that much speech and never ends up a sliver (a cut at the very end of a 30 s recording once
   * left a 0.09 s last piece, below {@link SegmenterOptions#MIN_SEGMENT} and below what a
   * recogniser accepts); {@code SegmenterOptions.Builder#build} makes {@code maxSegment} long
   * enough for such a cut to exist. It comes at most {@code maxRunFrames} after the run's start, so
   * the first piece fits even when the run began by reaching back over remembered frames.
   */
  private void splitRun(long f) {
    long lo = runStart + maxRunFrames / 2;
    long hi = Math.min(runStart + maxRunFrames, Math.max(lo, lastSpeech - minSpeechFrames));
    long cut = hi;
    float quietest = Float.MAX_VALUE;
    for (long k = hi; k >= lo; k--) { // latest among equals: longer first piece
      float level = runLevels[(int) (k - runStart)];
      if (level < quietest) {
        quietest = level;
        cut = k;
      }
    }
    if (speech(runStart, cut - 1)) {
      emit(continued ? runStart * frameLen : runStart * frameLen - padSamples, cut * frameLen);
    }
    int keep = (int) (f + 1 - cut);
    System.arraycopy(runLevels, (int) (cut - runStart), runLevels, 0, keep);
    runStart = cut;
    continued = true;
    if (lastSpeech < cut) {
      lastSpeech = cut; // the remainder is all pause; it will close after minSilence
    }
  }

  private void emit(long start, long end) {
    start = Math.max(Math.max(0, start), lastEnd);
    end = Math.min(end, samplesSeen());
    if (end <= start) {
      return;
    }
    lastEnd = end;
    sink.segment(start, end);
  }

  private void runLength(int idx) {
    if (idx >= runLevels.length) {
      runLevels = Arrays.copyOf(runLevels, Math.max(idx + 1, runLevels.length * 2));
    }
  }

  private static double seconds(java.time.Duration d) {
    return d.toNanos() / 1e9;
  }
}

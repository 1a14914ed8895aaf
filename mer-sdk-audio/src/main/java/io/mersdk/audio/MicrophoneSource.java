package io.mersdk.audio;

import io.mersdk.AudioException;
import io.mersdk.audio.internal.FloatBuffer;
import io.mersdk.audio.internal.MonoPipeline;
import io.mersdk.audio.internal.PcmFrames;
import io.mersdk.audio.internal.Sizes;
import io.mersdk.source.AudioSource;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import javax.sound.sampled.AudioFormat;
import javax.sound.sampled.AudioSystem;
import javax.sound.sampled.DataLine;
import javax.sound.sampled.LineUnavailableException;
import javax.sound.sampled.Mixer;
import javax.sound.sampled.TargetDataLine;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Live capture from a microphone ({@link TargetDataLine}) that hands out utterances as they are
 * spoken, and, as an {@link AudioSource}, the whole capture so far.
 *
 * <pre>{@code
 * try (MicrophoneSource mic = AudioSources.microphone()) {
 *   mic.start();
 *   Optional<SpeechSegment> u = mic.nextUtterance(Duration.ofSeconds(10));
 *   u.ifPresent(s -> System.out.println(recognizer.recognize(s.samples()).label()));
 * }
 * }</pre>
 *
 * <p>Capture runs on a daemon thread. Each utterance (found by a {@link StreamingSegmenter} as the
 * audio arrives, at most {@link SegmenterOptions#maxSegment()} long; with its speech gate on,
 * only speech) is resampled to {@link Builder#sampleRate} and
 * both queued for {@link #nextUtterance} and passed to the {@link Builder#onUtterance} listener.
 * An utterance is complete {@code minSilence} after its speech ends, or at {@link #stop()}.
 *
 * <p>The capture is kept for {@link #readMono} up to {@link Builder#maxDuration} (default 10
 * min); capture stops there with a WARN, and the queued utterances stay readable. Thread-safe.
 */
public final class MicrophoneSource implements AudioSource, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(MicrophoneSource.class);

  /** Frames read from the line per call: 50 ms at 16 kHz, short enough for a live feel. */
  private static final double READ_SECONDS = 0.05;

  private final int sampleRate;
  private final Mixer.Info mixer;
  private final TargetDataLine suppliedLine;
  private final SegmenterOptions segmenter;
  private final Duration maxDuration;
  private final Consumer<SpeechSegment> listener;

  private final Object lock = new Object();
  private final BlockingQueue<SpeechSegment> utterances = new LinkedBlockingQueue<>();
  private TargetDataLine line;
  private Thread thread;
  private volatile boolean running;
  private volatile AudioException failure;
  private FloatBuffer recording;
  private int captureRate;
  private String description = "microphone";

  private MicrophoneSource(Builder b) {
    this.sampleRate = b.sampleRate;
    this.mixer = b.mixer;
    this.suppliedLine = b.line;
    this.segmenter = b.segmenter;
    this.maxDuration = b.maxDuration;
    this.listener = b.listener;
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * Opens the line and starts capturing. A source can be started again after {@link #stop()}; each
   * start begins a new capture.
   *
   * @throws AudioException if no capture line can be opened (no sound card, device busy, no
   *     supported format), naming the device and the problem
   * @throws IllegalStateException if already capturing
   */
  public void start() {
    synchronized (lock) {
      if (running) {
        throw new IllegalStateException(description + ": already capturing");
      }
      TargetDataLine l;
      AudioFormat wanted;
      if (suppliedLine != null) {
        l = suppliedLine;
        wanted = l.getFormat();
      } else {
        Found found = findLine();
        l = found.line();
        wanted = found.format();
      }
      AudioFormat format = openLine(l, wanted);
      line = l;
      captureRate = Math.round(format.getSampleRate());
      long cap = (long) Math.ceil(maxDuration.toNanos() / 1e9 * captureRate);
      recording = new FloatBuffer((int) Math.min(cap, Integer.MAX_VALUE - 16));
      utterances.clear();
      failure = null;
      running = true;
      l.start();
      thread = new Thread(() -> capture(l, format), "mer-sdk-microphone");
      thread.setDaemon(true);
      thread.start();
      LOG.debug("{}: capturing {}", description, format);
    }
  }

  /**
   * Stops capturing, completes the utterance in progress and releases the line. Harmless when
   * not capturing.
   */
  public void stop() {
    Thread t;
    TargetDataLine l;
    synchronized (lock) {
      running = false;
      t = thread;
      l = line;
      thread = null;
    }
    if (l != null) {
      l.stop();
      l.close(); // makes a blocked read return
    }
    if (t != null) {
      try {
        t.join();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  public boolean isCapturing() {
    return running;
  }

  /**
   * Waits up to {@code timeout} for the next utterance.
   *
   * @return the utterance at {@link Builder#sampleRate}, or empty if none came in time
   * @throws AudioException if capture failed
   */
  public Optional<SpeechSegment> nextUtterance(Duration timeout) throws InterruptedException {
    SpeechSegment s = utterances.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
    if (s == null && failure != null) {
      throw failure;
    }
    return Optional.ofNullable(s);
  }

  /** The utterances completed and not yet taken, without waiting. */
  public List<SpeechSegment> drainUtterances() {
    List<SpeechSegment> out = new ArrayList<>();
    utterances.drainTo(out);
    return out;
  }

  /**
   * Everything captured since the last {@link #start()} (while capturing: up to now), down-mixed
   * and resampled to {@code rate}.
   *
   * @throws AudioException if nothing was captured, or capture failed
   */
  @Override
  public float[] readMono(int rate) {
    float[] captured;
    int from;
    synchronized (lock) {
      if (failure != null) {
        throw failure;
      }
      if (recording == null || recording.size() == 0) {
        throw new AudioException(description + ": nothing captured; call start() first");
      }
      captured = recording.copy(0, recording.size());
      from = captureRate;
    }
    return MonoPipeline.clip(Resampler.resample(captured, from, rate), description);
  }

  @Override
  public String description() {
    return description;
  }

  /** Stops capturing (see {@link #stop()}). */
  @Override
  public void close() {
    stop();
  }

  // ---- capture --------------------------------------------------------------------------------

  private record Found(TargetDataLine line, AudioFormat format) {}

  private Found findLine() {
    for (AudioFormat f : candidateFormats()) {
      DataLine.Info info = new DataLine.Info(TargetDataLine.class, f);
      try {
        if (mixer != null) {
          Mixer m = AudioSystem.getMixer(mixer);
          description = "microphone (" + mixer.getName() + ")";
          if (m.isLineSupported(info)) {
            return new Found((TargetDataLine) m.getLine(info), f);
          }
        } else if (AudioSystem.isLineSupported(info)) {
          return new Found((TargetDataLine) AudioSystem.getLine(info), f);
        }
      } catch (LineUnavailableException e) {
        throw new AudioException(description + ": the capture line is busy or unavailable: "
            + e.getMessage(), e);
      } catch (IllegalArgumentException | SecurityException e) {
        throw new AudioException(description + ": cannot open a capture line: " + e.getMessage(),
            e);
      }
    }
    int mixers = AudioSystem.getMixerInfo().length;
    throw new AudioException(description + ": no audio capture line supports 16-bit PCM at "
        + sampleRate + ", 48000 or 44100 Hz (" + mixers + " mixers installed"
        + (mixers == 0 ? ": no sound card or audio system on this machine" : "")
        + "); pass a line with MicrophoneSource.builder().line(...)");
  }

  private List<AudioFormat> candidateFormats() {
    List<AudioFormat> out = new ArrayList<>();
    for (int rate : new int[] {sampleRate, 48000, 44100}) {
      for (int channels = 1; channels <= 2; channels++) {
        AudioFormat f = new AudioFormat(rate, 16, channels, true, false);
        if (!out.contains(f)) {
          out.add(f);
        }
      }
    }
    return out;
  }

  private AudioFormat openLine(TargetDataLine l, AudioFormat wanted) {
    try {
      if (!l.isOpen()) {
        l.open(wanted);
      }
      return l.getFormat();
    } catch (LineUnavailableException e) {
      throw new AudioException(description + ": the capture line is busy or unavailable: "
          + e.getMessage(), e);
    } catch (IllegalArgumentException | IllegalStateException | SecurityException e) {
      throw new AudioException(description + ": cannot open the capture line: " + e.getMessage(),
          e);
    }
  }

  private void capture(TargetDataLine l, AudioFormat format) {
    try {
      PcmFrames frames = PcmFrames.of(format, description);
      int frameSize = frames.frameSize();
      byte[] buf = new byte[Math.max(frameSize, (int) (captureRate * READ_SECONDS) * frameSize)];
      float[] mono = new float[buf.length / frameSize];
      Resampler resampler = Resampler.of(captureRate, sampleRate);
      StreamingSegmenter segments = StreamingSegmenter.of(segmenter, captureRate);
      long frameIndex = 0;
      boolean full = false;
      while (running && !full) {
        int n = l.read(buf, 0, buf.length);
        if (n <= 0) {
          if (!l.isOpen()) {
            break; // line closed under us (stop(), or the device went away)
          }
          Thread.onSpinWait();
          continue;
        }
        int count = n / frameSize;
        for (int i = 0; i < count; i++) {
          mono[i] = frames.mono(buf, i * frameSize, frameIndex++);
        }
        synchronized (lock) {
          for (int i = 0; i < count; i++) {
            if (!recording.add(mono[i])) {
              full = true;
              count = i;
              break;
            }
          }
        }
        for (SpeechSegment s : segments.accept(mono, 0, count)) {
          deliver(resampler, s);
        }
      }
      for (SpeechSegment s : segments.finish()) {
        deliver(resampler, s);
      }
      if (full) {
        LOG.warn("{}: capture stopped at the limit of {} (MicrophoneSource.Builder.maxDuration)",
            description, Sizes.duration(maxDuration));
      }
    } catch (AudioException e) {
      failure = e;
    } catch (RuntimeException e) {
      failure = new AudioException(description + ": capture failed: " + e, e);
    } finally {
      running = false;
    }
  }

  private void deliver(Resampler resampler, SpeechSegment captured) {
    float[] out = MonoPipeline.clip(resampler.process(captured.samples()), description);
    long outStart = Math.round(captured.startSample() * (double) sampleRate / captureRate);
    SpeechSegment s = new SpeechSegment(outStart, outStart + out.length, sampleRate, out);
    LOG.debug("{}: utterance {}", description, s);
    utterances.add(s);
    if (listener != null) {
      try {
        listener.accept(s);
      } catch (RuntimeException e) {
        LOG.warn("{}: utterance listener threw {}", description, e.toString());
      }
    }
  }

  /** Builder; {@link #build()} checks the settings and names the bad one. */
  public static final class Builder {
    private int sampleRate = 16000;
    private Mixer.Info mixer;
    private TargetDataLine line;
    private SegmenterOptions segmenter = SegmenterOptions.defaults();
    private Duration maxDuration = Duration.ofMinutes(10);
    private Consumer<SpeechSegment> listener;

    private Builder() {}

    /** Rate of the utterances handed out, in Hz; default 16000 (the bundles' rate). */
    public Builder sampleRate(int sampleRate) {
      this.sampleRate = sampleRate;
      return this;
    }

    /** Capture from this mixer (see {@link AudioSystem#getMixerInfo()}); default: the system's. */
    public Builder mixer(Mixer.Info mixer) {
      this.mixer = Objects.requireNonNull(mixer, "mixer");
      return this;
    }

    /**
     * Capture from this line (16-bit or wider linear PCM, any rate and channel count); opened
     * with its own format if it is not open yet. Default: a line found through {@link
     * AudioSystem}.
     */
    public Builder line(TargetDataLine line) {
      this.line = Objects.requireNonNull(line, "line");
      return this;
    }

    public Builder segmenter(SegmenterOptions segmenter) {
      this.segmenter = Objects.requireNonNull(segmenter, "segmenter");
      return this;
    }

    /** Most audio kept for {@link MicrophoneSource#readMono}; capture stops there. */
    public Builder maxDuration(Duration maxDuration) {
      this.maxDuration = Objects.requireNonNull(maxDuration, "maxDuration");
      return this;
    }

    /** Called on the capture thread for each utterance; keep it short or hand the work off. */
    public Builder onUtterance(Consumer<SpeechSegment> listener) {
      this.listener = Objects.requireNonNull(listener, "listener");
      return this;
    }

    public MicrophoneSource build() {
      if (sampleRate < 1000 || sampleRate > 384000) {
        throw new IllegalArgumentException(
            "sampleRate: must be within [1000, 384000] Hz, got " + sampleRate);
      }
      if (maxDuration.isNegative() || maxDuration.isZero()
          || maxDuration.compareTo(Duration.ofHours(24)) > 0) {
        throw new IllegalArgumentException(
            "maxDuration: must be > 0 and at most 24 h, got " + maxDuration);
      }
      return new MicrophoneSource(this);
    }
  }
}

package io.mersdk.vad;

import io.mersdk.SpeechGateSettings;
import io.mersdk.spi.SpeechActivity;
import io.mersdk.spi.SpeechDetector;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The default speech gate: Silero VAD v6 ({@link SileroVad}) over the utterance, then Silero's own
 * rule for stretches of speech ({@code get_speech_timestamps} in utils_vad.py): a stretch starts at
 * a window whose probability is at least {@link SpeechGateSettings#threshold()} and ends once the
 * probability has stayed below {@link SpeechGateSettings#negThreshold()} for {@link
 * SpeechGateSettings#minSilence()}; stretches shorter than {@link SpeechGateSettings#minSpeech()}
 * are dropped. The utterance holds speech when a stretch remains; its speech time is the padded
 * stretches' total. Thread-safe: each call has its own recurrent state; the ONNX Runtime session
 * is shared by the process. See docs/audio.md, "The speech gate".
 */
public final class SileroSpeechDetector implements SpeechDetector {
  private static final Logger LOG = LoggerFactory.getLogger(SileroSpeechDetector.class);

  private final SpeechGateSettings settings;
  private final SileroVad model;

  /** With {@link SpeechGateSettings#defaults()}. */
  public SileroSpeechDetector() {
    this(SpeechGateSettings.defaults());
  }

  /**
   * @throws SpeechGateModelException if the model cannot be loaded (checked here, not at the
   *     first call)
   */
  public SileroSpeechDetector(SpeechGateSettings settings) {
    this.settings = Objects.requireNonNull(settings, "settings");
    this.model = SileroVad.shared();
  }

  public SpeechGateSettings settings() {
    return settings;
  }

  @Override
  public SpeechActivity detect(float[] samples, int sampleRate) {
    Evidence e = evidence(samples, sampleRate);
    LOG.debug("speech gate: {} samples at {} Hz: {}", samples.length, sampleRate, e);
    return SpeechActivity.of(e.isSpeech(), e.speechDuration());
  }

  /**
   * The window probabilities and stretches behind {@link #detect}.
   *
   * @param samples mono samples, finite; any length, an empty array included
   * @param sampleRate their rate in Hz, > 0
   */
  public Evidence evidence(float[] samples, int sampleRate) {
    Objects.requireNonNull(samples, "samples");
    if (sampleRate <= 0) {
      throw new IllegalArgumentException("sampleRate: must be > 0, got " + sampleRate);
    }
    SileroVad.Stream s = model.stream(sampleRate);
    float[][] probs = {new float[Math.max(16, samples.length / 256 + 2)]};
    int[] n = {0};
    s.accept(samples, 0, samples.length, (index, end, p) -> {
      if (n[0] == probs[0].length) {
        probs[0] = java.util.Arrays.copyOf(probs[0], n[0] * 2);
      }
      probs[0][n[0]++] = p;
    });
    float[] p = java.util.Arrays.copyOf(probs[0], n[0]);
    return new Evidence(p, s.windowSeconds(), samples.length / (double) sampleRate,
        stretches(p, s.windowSeconds(), samples.length / (double) sampleRate, settings));
  }

  /**
   * Silero's rule over window probabilities: the stretches of speech, as {@code [start, end]}
   * seconds, unpadded. Every window is {@code window} seconds; the audio lasts {@code length}.
   */
  static List<double[]> stretches(float[] p, double window, double length,
      SpeechGateSettings s) {
    double threshold = s.threshold();
    double neg = s.negThreshold();
    double minSilence = seconds(s.minSilence());
    double minSpeech = seconds(s.minSpeech());
    List<double[]> out = new ArrayList<>();
    boolean triggered = false;
    double start = 0;
    double tempEnd = -1; // where the probability first fell below neg, -1 when it has not
    for (int i = 0; i < p.length; i++) {
      double at = i * window;
      if (p[i] >= threshold) {
        tempEnd = -1;
        if (!triggered) {
          triggered = true;
          start = at;
        }
        continue;
      }
      if (triggered && p[i] < neg) {
        if (tempEnd < 0) {
          tempEnd = at;
        }
        if (at + window - tempEnd >= minSilence) {
          if (tempEnd - start >= minSpeech) {
            out.add(new double[] {start, tempEnd});
          }
          triggered = false;
          tempEnd = -1;
        }
      }
    }
    if (triggered) {
      double end = Math.min(length, p.length * window);
      if (end - start >= minSpeech) {
        out.add(new double[] {start, end});
      }
    }
    return out;
  }

  private static double seconds(Duration d) {
    return d.toNanos() / 1e9;
  }

  @Override
  public String toString() {
    return "SileroSpeechDetector[" + settings + "]";
  }

  /** What the detector saw in one utterance. Immutable. */
  public final class Evidence {
    private final float[] probabilities;
    private final double windowSeconds;
    private final double lengthSeconds;
    private final List<double[]> stretches;

    private Evidence(float[] probabilities, double windowSeconds, double lengthSeconds,
        List<double[]> stretches) {
      this.probabilities = probabilities;
      this.windowSeconds = windowSeconds;
      this.lengthSeconds = lengthSeconds;
      this.stretches = stretches;
    }

    /** Each window's speech probability, in order. */
    public float[] probabilities() {
      return probabilities.clone();
    }

    public double windowSeconds() {
      return windowSeconds;
    }

    /** The stretches of speech, {@code [start, end]} seconds, unpadded. */
    public List<double[]> stretches() {
      return stretches.stream().map(double[]::clone).toList();
    }

    public boolean isSpeech() {
      return !stretches.isEmpty();
    }

    /** The padded stretches' total, clipped to the audio; zero when not speech. */
    public Duration speechDuration() {
      double pad = seconds(settings.padding());
      double total = 0;
      double lastEnd = 0;
      for (double[] r : stretches) {
        double a = Math.max(lastEnd, Math.max(0, r[0] - pad));
        double b = Math.min(lengthSeconds, r[1] + pad);
        if (b > a) {
          total += b - a;
          lastEnd = b;
        }
      }
      return Duration.ofNanos(Math.round(total * 1e9));
    }

    public float maxProbability() {
      float m = 0;
      for (float v : probabilities) {
        m = Math.max(m, v);
      }
      return m;
    }

    @Override
    public String toString() {
      return String.format(java.util.Locale.ROOT, "%s: %d windows, max p %.3f, %d stretch(es)",
          isSpeech() ? "speech" : "no speech", probabilities.length, maxProbability(),
          stretches.size());
    }
  }
}

package io.mersdk.vad;

import java.util.Arrays;

/**
 * Classifies audio in 10 ms frames as it arrives: is the frame voiced (periodic), and if so, does
 * its pitch move the way a voice's does. The one frame classifier of the SDK: {@link
 * SpectralSpeechDetector} (the acoustic gate) runs it over a whole utterance, mer-sdk-audio's
 * streaming segmenter and microphone run it alongside their energy tracking.
 *
 * <p>Per frame (hop 10 ms; analysis window the last 40 ms, Hann, mean removed):
 *
 * <ol>
 *   <li><b>level</b>: RMS of the window in dBFS; below {@link #SILENT_DB} the frame is {@link
 *       Kind#SILENT};
 *   <li><b>voicing</b>: the highest peak, over the lags of a {@value #MIN_PITCH_HZ}-{@value
 *       #MAX_PITCH_HZ} Hz pitch, of the normalised autocorrelation of the window band-passed to
 *       {@value #BAND_LOW_HZ}-{@value #BAND_HIGH_HZ} Hz (in the spectrum), divided by the
 *       window's own autocorrelation (Boersma 1993). The band keeps the harmonics that carry a
 *       voice's periodicity and drops most of the noise and the mains rumble. Level-independent:
 *       a quiet voice and a loud one get the same value. Below {@link #VOICED} the frame is {@link
 *       Kind#UNVOICED};
 *   <li><b>pitch</b>: the lag of the first peak within 10 % of the highest (so a subharmonic does
 *       not win), refined by a parabola;
 *   <li><b>movement</b>: a voiced frame that ends a pitch track of at least {@link #TRACK_FRAMES}
 *       frames (voiced frames whose pitch steps stay under {@link #MAX_STEP}) is {@link
 *       Kind#STEADY} when its pitch moved less than {@link #MIN_GLIDE} over the last 20 ms, {@link
 *       Kind#MOVING} otherwise. A held tone, a chord, a hum, a buzz or a note of a melody is
 *       steady; a voice glides (intonation, and the microprosody of every syllable). Voiced
 *       frames without such a track are {@link Kind#VOICED}.
 * </ol>
 *
 * <p>Why each constant has its value, with the measured figures: docs/audio.md, "The acoustic
 * gate". Not thread-safe: one instance per stream. Cost: two real FFTs of {@link #fftSize()}
 * points (1024 at 16 kHz) per frame, each done as a complex FFT of half that size.
 */
public final class FrameClassifier {
  /** What a frame is. */
  public enum Kind {
    /** Below {@link #SILENT_DB}: digital silence or close to it. */
    SILENT,
    /** Audible, not periodic: noise, fricatives, clicks. */
    UNVOICED,
    /** Periodic, without a continuous pitch track yet (onsets, chance peaks in noise). */
    VOICED,
    /** Periodic with a pitch that holds still: tones, chords, hum, notes. */
    STEADY,
    /** Periodic with a pitch that glides continuously: a voice. */
    MOVING
  }

  /** Receives each frame as it is classified. */
  public interface Listener {
    /**
     * @param index the frame's index in the stream (frame {@code i} ends at sample {@code (i + 1)
     *     * hop})
     * @param kind what the frame is
     * @param levelDb the window's RMS level, dBFS
     */
    void frame(long index, Kind kind, double levelDb);
  }

  /** Hop between frames, seconds: the usual VAD frame (WebRTC VAD uses 10, 20 or 30 ms). */
  public static final double HOP_SECONDS = 0.010;
  /** Analysis window, seconds: 2.4 periods of the lowest pitch, so its period is seen twice. */
  static final double WINDOW_SECONDS = 0.040;
  /**
   * Pitch range searched: a low male voice to a high female one. From 70 Hz, espeak-ng's lowest
   * pitch setting ({@code -p 0}) lost a third of its moving frames; 60 Hz changed no other clip.
   */
  static final double MIN_PITCH_HZ = 60;
  static final double MAX_PITCH_HZ = 400;
  /** The band the voicing is measured in: the first harmonics and the first formant. */
  static final double BAND_LOW_HZ = 100;
  static final double BAND_HIGH_HZ = 2500;
  /**
   * Frames quieter than this (window RMS, dBFS) are silent; -40 dBFS speech has voiced frames near
   * -35.
   */
  static final double SILENT_DB = -75;
  /** Voicing at or above this is voiced. */
  static final double VOICED = 0.6;
  /** Largest pitch step between neighbouring frames of one track (log of the ratio: ~10 %). */
  static final double MAX_STEP = 0.10;
  /** Smallest pitch change over 20 ms that counts as movement (log ratio: 0.4 %, about 7 cents). */
  static final double MIN_GLIDE = 0.004;
  /**
   * Frames a pitch track must have lasted (this one included) before its movement is judged: 50
   * ms. In brown noise, whose energy sits low, chance periodicity gives tracks of 3-4 frames.
   */
  static final int TRACK_FRAMES = 5;

  private final int sampleRate;
  private final int hop;
  private final int window;
  private final int size; // transform length: window + longest lag, zero-padded to a power of two
  private final Fft half; // complex FFT of size / 2, for the real transforms of size
  private final double[] hann;
  private final double[] windowAcf;
  private final int minLag;
  private final int maxLag;
  private final int bandLow;
  private final int bandHigh;

  private final float[] ring; // the last `window` samples
  private int ringPos;
  private int fill; // samples since the last frame
  private long frames;

  private final double[] re; // the windowed frame, then its band autocorrelation
  private final double[] zr;
  private final double[] zi;
  private final double[] power;
  private final double[] cosN;
  private final double[] sinN;
  // pitch (log Hz) of the last two frames, NaN when unvoiced
  private double pitch1 = Double.NaN;
  private double pitch2 = Double.NaN;
  private int track; // frames in the current continuous pitch track, this one included

  // the last frame's features, for tests and tuning
  private double lastVoicing;
  private double lastPitchHz;

  /**
   * @param sampleRate the stream's rate in Hz; any rate >= 1 works, though below 8 kHz the pitch
   *     range no longer fits and every frame is at most {@link Kind#UNVOICED}
   */
  public FrameClassifier(int sampleRate) {
    if (sampleRate <= 0) {
      throw new IllegalArgumentException("sampleRate: must be > 0, got " + sampleRate);
    }
    this.sampleRate = sampleRate;
    this.hop = Math.max(1, (int) Math.round(sampleRate * HOP_SECONDS));
    this.window = Math.max(hop, (int) Math.round(sampleRate * WINDOW_SECONDS));
    this.minLag = Math.max(2, (int) Math.floor(sampleRate / MAX_PITCH_HZ));
    this.maxLag = Math.min(window - 2, (int) Math.ceil(sampleRate / MIN_PITCH_HZ));
    int n = Math.max(4, Integer.highestOneBit(Math.max(2, window + maxLag + 1) - 1) << 1);
    this.size = n;
    this.half = new Fft(n / 2);
    this.hann = new double[window];
    for (int i = 0; i < window; i++) {
      hann[i] = 0.5 - 0.5 * Math.cos(2 * Math.PI * (i + 0.5) / window);
    }
    this.windowAcf = new double[Math.max(0, maxLag + 2)];
    double w0 = 0;
    for (double w : hann) {
      w0 += w * w;
    }
    for (int lag = 0; lag < windowAcf.length && lag < window; lag++) {
      double s = 0;
      for (int i = 0; i + lag < window; i++) {
        s += hann[i] * hann[i + lag];
      }
      windowAcf[lag] = s / w0;
    }
    this.bandLow = Math.max(1, (int) Math.round(BAND_LOW_HZ * size / sampleRate));
    this.bandHigh = Math.min(size / 2, (int) Math.round(BAND_HIGH_HZ * size / sampleRate));
    this.ring = new float[window];
    this.re = new double[size];
    this.zr = new double[size / 2];
    this.zi = new double[size / 2];
    this.power = new double[size / 2 + 1];
    this.cosN = new double[size / 2 + 1];
    this.sinN = new double[size / 2 + 1];
    for (int k = 0; k <= size / 2; k++) {
      cosN[k] = Math.cos(2 * Math.PI * k / size);
      sinN[k] = Math.sin(2 * Math.PI * k / size);
    }
  }

  public int sampleRate() {
    return sampleRate;
  }

  /** Samples per frame (10 ms). */
  public int hop() {
    return hop;
  }

  /**
   * How many later frames still see a frame's samples in their window (3): evidence about frames
   * {@code [a, b]} of a stream is in classified frames {@code [a, b + lookaheadFrames()]}.
   */
  public int lookaheadFrames() {
    return (window + hop - 1) / hop - 1;
  }

  int fftSize() {
    return size;
  }

  /** Frames classified so far. */
  public long frames() {
    return frames;
  }

  double lastVoicing() {
    return lastVoicing;
  }

  double lastPitchHz() {
    return lastPitchHz;
  }

  /**
   * Takes the next samples of the stream and classifies every frame they complete.
   *
   * @param x mono samples, finite (values beyond [-1, 1] are analysed as they are)
   */
  public void accept(float[] x, int off, int len, Listener listener) {
    for (int i = off; i < off + len; i++) {
      ring[ringPos] = x[i];
      if (++ringPos == window) {
        ringPos = 0;
      }
      if (++fill == hop) {
        fill = 0;
        classify(listener);
      }
    }
  }

  private void classify(Listener listener) {
    long index = frames++;
    double mean = 0;
    for (float v : ring) {
      mean += v;
    }
    mean /= window;
    double energy = 0;
    for (int i = 0; i < window; i++) {
      int at = ringPos + i; // oldest first
      double v = ring[at < window ? at : at - window] - mean;
      energy += v * v;
      re[i] = v * hann[i];
    }
    double levelDb = energy > 0 ? 10 * Math.log10(energy / window) : -200;
    if (!(levelDb >= SILENT_DB)) { // also catches NaN
      forget();
      listener.frame(index, Kind.SILENT, levelDb);
      return;
    }
    double voicing = voicing();
    if (voicing < VOICED) {
      forget();
      listener.frame(index, Kind.UNVOICED, levelDb);
      return;
    }
    double p = Math.log(lastPitchHz);
    Kind kind = Kind.VOICED;
    if (!Double.isNaN(pitch1) && Math.abs(p - pitch1) < MAX_STEP) {
      track++;
    } else {
      track = 1;
    }
    if (track >= TRACK_FRAMES) {
      kind = Math.abs(p - pitch2) < MIN_GLIDE ? Kind.STEADY : Kind.MOVING;
    }
    pitch2 = pitch1;
    pitch1 = p;
    listener.frame(index, kind, levelDb);
  }

  private void forget() {
    track = 0;
    pitch1 = Double.NaN;
    pitch2 = Double.NaN;
    lastVoicing = 0;
    lastPitchHz = 0;
  }

  /** Voicing of the window in {@code re} (see the class comment); sets lastPitchHz. */
  private double voicing() {
    int n = re.length;
    int m = n / 2;
    Arrays.fill(re, window, n, 0);
    if (maxLag <= minLag + 1 || bandHigh <= bandLow) {
      return 0;
    }
    // A real FFT of n points as a complex FFT of n/2: even samples as the real part, odd as the
    // imaginary part, then the two halves untangled (Numerical Recipes, "FFT of real functions").
    for (int j = 0; j < m; j++) {
      zr[j] = re[2 * j];
      zi[j] = re[2 * j + 1];
    }
    half.forward(zr, zi);
    // the power spectrum within the band: its inverse transform is the autocorrelation of the
    // band-passed window (Wiener-Khinchin)
    for (int k = 0; k <= m; k++) {
      if (k < bandLow || k > bandHigh) {
        power[k] = 0;
        continue;
      }
      int a = k % m;
      int b = (m - k) % m;
      double er = (zr[a] + zr[b]) / 2; // even samples' spectrum
      double ei = (zi[a] - zi[b]) / 2;
      double or = (zi[a] + zi[b]) / 2; // odd samples' spectrum
      double oi = -(zr[a] - zr[b]) / 2;
      double c = cosN[k];
      double sn = -sinN[k]; // e^{-2 pi i k / n}
      double xr = er + c * or - sn * oi;
      double xi = ei + c * oi + sn * or;
      power[k] = xr * xr + xi * xi;
    }
    // The inverse of that real, even spectrum, again as a complex FFT of n/2 (conjugated, so the
    // forward transform inverts): r[2j] and r[2j + 1] come out as the real and imaginary parts.
    for (int k = 0; k < m; k++) {
      double sum = (power[k] + power[m - k]) / 2;
      double dif = (power[k] - power[m - k]) / 2;
      zr[k] = sum - dif * sinN[k];
      zi[k] = -dif * cosN[k];
    }
    half.forward(zr, zi);
    for (int j = 0; j < m; j++) {
      re[2 * j] = zr[j];
      re[2 * j + 1] = -zi[j];
    }
    double r0 = re[0];
    if (!(r0 > 0)) {
      return 0;
    }
    double best = -1;
    for (int lag = minLag; lag <= maxLag; lag++) {
      best = Math.max(best, norm(lag, r0));
    }
    // the first local peak within 10 % of the best: the period, not a multiple of it
    for (int lag = minLag; lag <= maxLag; lag++) {
      double v = norm(lag, r0);
      if (v >= 0.9 * best && v >= norm(lag - 1, r0) && v >= norm(lag + 1, r0)) {
        double a = norm(lag - 1, r0);
        double c = norm(lag + 1, r0);
        double d = a - 2 * v + c;
        double shift = d < 0 ? 0.5 * (a - c) / d : 0;
        lastPitchHz = sampleRate / (lag + Math.max(-0.5, Math.min(0.5, shift)));
        lastVoicing = v;
        return v;
      }
    }
    lastVoicing = best;
    lastPitchHz = sampleRate / (double) minLag;
    return best;
  }

  private double norm(int lag, double r0) {
    return re[lag] / r0 / windowAcf[lag];
  }
}

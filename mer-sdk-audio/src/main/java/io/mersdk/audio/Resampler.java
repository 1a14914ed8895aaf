package io.mersdk.audio;

import java.util.Arrays;

/**
 * Band-limited sample-rate conversion by a Kaiser-windowed sinc, evaluated as a polyphase filter.
 * Immutable and thread-safe: build one per rate pair and reuse it.
 *
 * <pre>{@code
 * float[] at16k = Resampler.resample(samples, 44100, 16000);
 * }</pre>
 *
 * <p><b>Filter.</b> Low-pass at the lower of the two Nyquist rates, linear phase, no delay (output
 * sample {@code n} is at time {@code n / toRate}, as in sox), designed as sox's default {@code
 * rate} effect (rate.c, "high" quality) is: -3 dB at 95% of Nyquist, which with its roll-off puts
 * the 0 dB passband edge at {@value #PASSBAND} of Nyquist; stopband from 100% (no aliasing);
 * {@value #STOPBAND_DB} dB attenuation. Matching sox's response is what brings our 16 kHz output
 * within 68-74 dB SNR of sox's on speech (a flat 94% passband gave 41-44 dB); see FormatSnrTest
 * and docs/audio.md.
 *
 * <p><b>Why hand-written.</b> The resampler found on Maven Central, libresample4j (a Java port of
 * libresample 0.1.3, republished as io.github.overplex:libresample4j 0.1.4 by one person), has a
 * fixed filter we cannot match to sox's and an LGPL licence; the other candidates are JNI
 * wrappers of native code (libswresample) or frameworks not on Central. A windowed sinc is ~150
 * lines, and its agreement with sox is pinned by FormatSnrTest.
 *
 * <p>The filter's taps for rate pairs with a small ratio (every standard rate to 16 kHz: 8000,
 * 11025, 22050, 44100, 48000, 96000, ...) are exact; for odd pairs whose reduced ratio needs more
 * than {@value #MAX_EXACT_PHASES} phases, taps are linearly interpolated between {@value
 * #MAX_EXACT_PHASES} precomputed phases (error below -100 dB).
 */
public final class Resampler {
  /** Stopband attenuation of the Kaiser window, in dB. */
  public static final double STOPBAND_DB = 120;

  /**
   * Start of the transition band as a fraction of the lower Nyquist rate: sox's {@code
   * 100 - (100 - 95) / TO_3dB(att)} for its default 95% bandwidth (rate.c).
   */
  static final double PASSBAND = 0.913;

  /** Most polyphase branches kept exactly; beyond that the taps are interpolated. */
  static final int MAX_EXACT_PHASES = 4096;

  private final int fromRate;
  private final int toRate;
  private final int up; // L: toRate / gcd
  private final int down; // M: fromRate / gcd
  private final int half; // taps each side of the centre, in input samples
  private final int phases; // P
  private final boolean exact;
  private final float[] table; // (phases + 1) rows of 2*half taps, phase-major

  private Resampler(int fromRate, int toRate) {
    this.fromRate = fromRate;
    this.toRate = toRate;
    int g = gcd(fromRate, toRate);
    this.up = toRate / g;
    this.down = fromRate / g;
    this.exact = up <= MAX_EXACT_PHASES;
    this.phases = exact ? up : MAX_EXACT_PHASES;

    // Kaiser design (Oppenheim & Schafer, eqs. 7.62-7.63): beta from the attenuation, length from
    // attenuation and transition width (in radians per input sample).
    double nyquist = Math.min(fromRate, toRate) / 2.0;
    double transitionHz = (1 - PASSBAND) * nyquist;
    double cutoff = (PASSBAND + 1) / 2 * nyquist / fromRate; // cycles per input sample
    double deltaOmega = 2 * Math.PI * transitionHz / fromRate;
    int length = (int) Math.ceil((STOPBAND_DB - 7.95) / (2.285 * deltaOmega)) + 1;
    this.half = Math.max(2, (length + 1) / 2);
    double beta = 0.1102 * (STOPBAND_DB - 8.7);

    int taps = 2 * half;
    this.table = new float[(phases + 1) * taps];
    double i0Beta = besselI0(beta);
    for (int p = 0; p <= phases; p++) {
      double frac = (double) p / phases;
      double sum = 0;
      double[] row = new double[taps];
      for (int k = 0; k < taps; k++) {
        // tap k weighs input sample (i - half + 1 + k) for an output at time i + frac
        double t = frac + half - 1 - k;
        double x = t / half;
        double w = Math.abs(x) >= 1 ? 0 : besselI0(beta * Math.sqrt(1 - x * x)) / i0Beta;
        double v = 2 * cutoff * sinc(2 * cutoff * t) * w;
        row[k] = v;
        sum += v;
      }
      // Unit gain at DC for every phase, so a constant stays constant whatever the position.
      for (int k = 0; k < taps; k++) {
        table[p * taps + k] = (float) (row[k] / sum);
      }
    }
  }

  /**
   * A resampler from {@code fromRate} to {@code toRate} Hz.
   *
   * @throws IllegalArgumentException if a rate is not positive
   */
  public static Resampler of(int fromRate, int toRate) {
    if (fromRate <= 0) {
      throw new IllegalArgumentException("fromRate: must be > 0 Hz, got " + fromRate);
    }
    if (toRate <= 0) {
      throw new IllegalArgumentException("toRate: must be > 0 Hz, got " + toRate);
    }
    return new Resampler(fromRate, toRate);
  }

  /** One-off conversion; returns {@code samples} itself when the rates are equal. */
  public static float[] resample(float[] samples, int fromRate, int toRate) {
    if (fromRate == toRate && fromRate > 0) {
      return samples;
    }
    return of(fromRate, toRate).process(samples);
  }

  public int fromRate() {
    return fromRate;
  }

  public int toRate() {
    return toRate;
  }

  /** Output length for {@code inputLength} input samples: {@code ceil(n * to / from)}. */
  public long outputLength(long inputLength) {
    return (inputLength * up + down - 1) / down;
  }

  /**
   * Converts a whole signal. Samples outside it are taken as zero, so the output has the
   * filter's natural (short) fade at both ends, as sox's has.
   */
  public float[] process(float[] in) {
    if (fromRate == toRate) {
      return in.clone();
    }
    long outLen = outputLength(in.length);
    if (outLen > Integer.MAX_VALUE - 16) {
      throw new IllegalArgumentException("output of " + outLen + " samples does not fit an array");
    }
    float[] out = new float[(int) outLen];
    int taps = 2 * half;
    for (int n = 0; n < out.length; n++) {
      long pos = (long) n * down; // output time in units of 1/up input samples
      long i = pos / up;
      int first = (int) (i - half + 1);
      double acc;
      if (exact) {
        int row = (int) (pos - i * up) * taps;
        acc = dot(in, first, table, row, taps);
      } else {
        double phase = (double) (pos - i * up) / up * phases;
        int p0 = (int) phase;
        double w = phase - p0;
        double a = dot(in, first, table, p0 * taps, taps);
        double b = dot(in, first, table, (p0 + 1) * taps, taps);
        acc = a + (b - a) * w;
      }
      out[n] = (float) acc;
    }
    return out;
  }

  private static double dot(float[] x, int first, float[] h, int row, int taps) {
    int k0 = Math.max(0, -first);
    int k1 = Math.min(taps, x.length - first);
    double acc = 0;
    for (int k = k0; k < k1; k++) {
      acc += x[first + k] * h[row + k];
    }
    return acc;
  }

  private static double sinc(double x) {
    if (Math.abs(x) < 1e-12) {
      return 1;
    }
    double px = Math.PI * x;
    return Math.sin(px) / px;
  }

  /** Modified Bessel function of the first kind, order 0 (power series; converges fast here). */
  static double besselI0(double x) {
    double sum = 1;
    double term = 1;
    double q = x * x / 4;
    for (int k = 1; k < 200; k++) {
      term *= q / ((double) k * k);
      sum += term;
      if (term < sum * 1e-17) {
        break;
      }
    }
    return sum;
  }

  private static int gcd(int a, int b) {
    while (b != 0) {
      int t = a % b;
      a = b;
      b = t;
    }
    return a;
  }

  @Override
  public String toString() {
    return "Resampler[" + fromRate + " -> " + toRate + " Hz, " + (2 * half) + " taps, "
        + phases + (exact ? " exact" : " interpolated") + " phases]";
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Resampler r && r.fromRate == fromRate && r.toRate == toRate;
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(new int[] {fromRate, toRate});
  }
}

package io.mersdk.vad;

/**
 * An in-place iterative radix-2 complex FFT of one fixed size, with its twiddle factors and
 * bit-reversal table made once. Hand-written (about 40 lines) because this module depends on
 * nothing but the API and SLF4J; a power-of-two size is all the frame analysis needs. The tables
 * are read-only; callers own the arrays they pass.
 */
final class Fft {
  private final int n;
  private final int[] reverse;
  private final double[] cos;
  private final double[] sin;

  Fft(int n) {
    if (n < 2 || Integer.bitCount(n) != 1) {
      throw new IllegalArgumentException("FFT size must be a power of two >= 2, got " + n);
    }
    this.n = n;
    int bits = Integer.numberOfTrailingZeros(n);
    reverse = new int[n];
    for (int i = 0; i < n; i++) {
      reverse[i] = Integer.reverse(i) >>> (32 - bits);
    }
    cos = new double[n / 2];
    sin = new double[n / 2];
    for (int i = 0; i < n / 2; i++) {
      cos[i] = Math.cos(2 * Math.PI * i / n);
      sin[i] = Math.sin(2 * Math.PI * i / n);
    }
  }

  int size() {
    return n;
  }

  /** Forward transform (e^{-i...}) of {@code re + i im}, in place. */
  void forward(double[] re, double[] im) {
    for (int i = 0; i < n; i++) {
      int j = reverse[i];
      if (j > i) {
        double t = re[i];
        re[i] = re[j];
        re[j] = t;
        t = im[i];
        im[i] = im[j];
        im[j] = t;
      }
    }
    for (int len = 2; len <= n; len <<= 1) {
      int half = len >> 1;
      int step = n / len;
      for (int i = 0; i < n; i += len) {
        for (int k = 0; k < half; k++) {
          double wr = cos[k * step];
          double wi = -sin[k * step];
          int a = i + k;
          int b = a + half;
          double xr = re[b] * wr - im[b] * wi;
          double xi = re[b] * wi + im[b] * wr;
          re[b] = re[a] - xr;
          im[b] = im[a] - xi;
          re[a] += xr;
          im[a] += xi;
        }
      }
    }
  }
}

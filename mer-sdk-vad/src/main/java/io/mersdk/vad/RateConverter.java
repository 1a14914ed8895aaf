package io.mersdk.vad;

import java.util.Arrays;

/**
 * Streaming band-limited resampling for the speech gate: each output sample is the input under a
 * Hann-windowed sinc low-pass at 0.9 of the lower Nyquist frequency, {@value #ZERO_CROSSINGS}
 * zero crossings a side. Hand-written (about 50 lines) because mer-sdk-vad sits below
 * mer-sdk-audio (whose {@code Resampler} serves the recogniser's rate) and depends on nothing but
 * the API, SLF4J and ONNX Runtime; the gate needs a speech band, not studio quality. Output sample
 * {@code n} is the input at time {@code n * inRate / outRate}; zeros precede the stream.
 * Not thread-safe.
 */
final class RateConverter {
  /** Zero crossings of the sinc on each side of the centre. */
  static final int ZERO_CROSSINGS = 16;
  /** Cut-off as a share of the lower of the two Nyquist frequencies. */
  static final double ROLLOFF = 0.9;

  interface Sink {
    void sample(float v);
  }

  private final double step; // input samples per output sample
  private final double cutoff; // cycles per input sample x 2 (1 = input Nyquist)
  private final int half; // taps on each side, in input samples
  private float[] buf = new float[1024]; // buf[0] is input sample `bufStart`
  private long bufStart;
  private int buffered;
  private long produced;

  RateConverter(int inRate, int outRate) {
    this.step = inRate / (double) outRate;
    this.cutoff = ROLLOFF * Math.min(1.0, outRate / (double) inRate);
    this.half = (int) Math.ceil(ZERO_CROSSINGS / cutoff);
  }

  void accept(float[] x, int off, int len, Sink sink) {
    if (buffered + len > buf.length) {
      buf = Arrays.copyOf(buf, Math.max(buffered + len, buf.length * 2));
    }
    System.arraycopy(x, off, buf, buffered, len);
    buffered += len;
    long available = bufStart + buffered; // input samples seen
    while (true) {
      double t = produced * step;
      long centre = (long) Math.floor(t);
      if (centre + half >= available) {
        break;
      }
      double sum = 0;
      for (long k = centre - half + 1; k <= centre + half; k++) {
        if (k < bufStart) {
          continue; // before the stream, or dropped as no longer needed: zeros
        }
        double u = t - k;
        sum += buf[(int) (k - bufStart)] * kernel(u);
      }
      sink.sample((float) sum);
      produced++;
    }
    long keepFrom = Math.max(bufStart, (long) Math.floor(produced * step) - half);
    int drop = (int) (keepFrom - bufStart);
    if (drop > 0 && drop >= buffered / 2) {
      System.arraycopy(buf, drop, buf, 0, buffered - drop);
      buffered -= drop;
      bufStart = keepFrom;
    }
  }

  private double kernel(double u) {
    double a = Math.abs(u);
    if (a >= half) {
      return 0;
    }
    double x = Math.PI * cutoff * u;
    double sinc = x == 0 ? 1 : Math.sin(x) / x;
    return cutoff * sinc * (0.5 + 0.5 * Math.cos(Math.PI * u / half));
  }
}

package io.mersdk.audio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The {@link Resampler} API against closed forms: a sine sampled at one rate and converted must
 * equal the same sine sampled at the other rate (amplitude, phase, no delay), a tone above the
 * lower Nyquist rate must vanish, a constant must stay constant. One test compares with sox's
 * {@code rate} effect on the same samples and needs the tools; the others need nothing.
 */
class ResamplerTest {
  /**
   * Largest error against the closed-form sine inside the passband, away from the ends: -94 dB of
   * a 0.5 amplitude. Measured (2026-12-01, target/resampler-report.txt): at most 3.1e-7 over the
   * pairs below. A filter one input sample late fails every pair.
   */
  static final double PASSBAND_TOLERANCE = 1e-5;

  /**
   * Largest output (RMS) of a tone in the stopband, relative to its amplitude: -120 dB, the
   * design's {@link Resampler#STOPBAND_DB}. Measured: -135 to -155 dB.
   */
  static final double STOPBAND_TOLERANCE = 1e-6;

  /**
   * Least SNR of our conversion of a sweep against sox's: measured 82.6 dB (8 kHz) to 91.1 dB
   * (48 kHz). Higher than FormatSnrTest's floor for files, which covers lossy codecs too.
   */
  static final double SOX_SNR_DB = 70;

  /** Samples at each end left out of the closed-form comparisons (the filter's fade): 50 ms. */
  static final double EDGE_SECONDS = 0.05;

  static final StringBuilder report = new StringBuilder();

  @AfterAll
  static void writeReport() throws IOException {
    Path target = Path.of("target");
    if (Files.isDirectory(target)) {
      Files.writeString(target.resolve("resampler-report.txt"), report.toString());
    }
  }

  static void note(String format, Object... args) {
    synchronized (report) {
      report.append(String.format(Locale.ROOT, format, args)).append('\n');
    }
  }

  static double[] sine(int rate, int n, double hz, double amplitude, double phase) {
    double[] x = new double[n];
    for (int i = 0; i < n; i++) {
      x[i] = amplitude * Math.sin(2 * Math.PI * hz * i / rate + phase);
    }
    return x;
  }

  static float[] floats(double[] x) {
    float[] f = new float[x.length];
    for (int i = 0; i < x.length; i++) {
      f[i] = (float) x[i];
    }
    return f;
  }

  /** Largest |ours - expected| over the samples more than {@link #EDGE_SECONDS} from the ends. */
  static double maxInteriorError(float[] ours, double[] expected, int rate) {
    int edge = (int) Math.ceil(EDGE_SECONDS * rate);
    double max = 0;
    for (int i = edge; i < expected.length - edge; i++) {
      max = Math.max(max, Math.abs(ours[i] - expected[i]));
    }
    return max;
  }

  static double interiorRms(float[] ours, int rate) {
    int edge = (int) Math.ceil(EDGE_SECONDS * rate);
    double sum = 0;
    int n = 0;
    for (int i = edge; i < ours.length - edge; i++) {
      sum += (double) ours[i] * ours[i];
      n++;
    }
    return Math.sqrt(sum / n);
  }

  @ParameterizedTest(name = "{0} -> {1} Hz, {2} Hz tone")
  @CsvSource({
      // down: the standard rates, an exact and an interpolated odd pair
      "44100, 16000, 1000", "44100, 16000, 7000", "48000, 16000, 440", "22050, 16000, 3000",
      "96000, 16000, 5000", "44101, 16000, 1234",
      // up
      "8000, 16000, 1000", "11025, 16000, 4500", "16000, 48000, 7000", "8000, 44100, 300",
      "15999, 16000, 2500"})
  void aSineInThePassbandIsTheSameSineAtTheNewRate(int from, int to, double hz) {
    int n = from; // one second
    double phase = 0.3;
    double[] x = sine(from, n, hz, 0.5, phase);
    Resampler r = Resampler.of(from, to);

    float[] y = r.process(floats(x));

    assertThat((long) y.length).isEqualTo(r.outputLength(n));
    double[] expected = sine(to, y.length, hz, 0.5, phase);
    double error = maxInteriorError(y, expected, to);
    note("passband %d -> %d Hz, %.0f Hz tone: max error %.2e", from, to, hz, error);
    assertThat(error).as("%s: largest error against the closed-form sine", r)
        .isLessThan(PASSBAND_TOLERANCE);
  }

  @ParameterizedTest(name = "{0} -> {1} Hz, {2} Hz tone")
  @CsvSource({
      // above the lower Nyquist rate (8 kHz for 16 kHz): the filter's stopband starts there
      "44100, 16000, 9000", "44100, 16000, 15000", "48000, 16000, 12000", "22050, 16000, 10000",
      "44101, 16000, 8500"})
  void aToneAboveTheNewNyquistRateVanishes(int from, int to, double hz) {
    double[] x = sine(from, from, hz, 0.5, 0);
    Resampler r = Resampler.of(from, to);

    float[] y = r.process(floats(x));

    // Without the low-pass it would alias to |to - hz| (or similar) at full amplitude.
    double relative = interiorRms(y, to) / 0.5;
    note("stopband %d -> %d Hz, %.0f Hz tone: relative RMS %.2e (%.0f dB)", from, to, hz,
        relative, 20 * Math.log10(relative));
    assertThat(relative).as("%s: RMS of a %s Hz tone, relative", r, hz)
        .isLessThan(STOPBAND_TOLERANCE);
  }

  @ParameterizedTest(name = "{0} -> {1} Hz")
  @CsvSource({"44100, 16000", "8000, 16000", "44101, 16000", "16000, 22050"})
  void aConstantStaysConstantUpToTheEnds(int from, int to) {
    float[] x = new float[from / 2];
    java.util.Arrays.fill(x, 0.3f);
    Resampler r = Resampler.of(from, to);

    float[] y = r.process(x);

    double[] expected = new double[y.length];
    java.util.Arrays.fill(expected, 0.3);
    assertThat(maxInteriorError(y, expected, to)).isLessThan(1e-6);
  }

  @Test
  void outputLengthIsTheCeilingOfTheDurationAtTheNewRate() {
    int[][] pairs = {{44100, 16000}, {16000, 44100}, {48000, 16000}, {44101, 16000}, {7, 3}};
    for (int[] p : pairs) {
      Resampler r = Resampler.of(p[0], p[1]);
      for (long n : new long[] {0, 1, 2, 99, 44100, 44101, 1_000_003}) {
        long expected = (long) Math.ceil(n * (double) p[1] / p[0] - 1e-9);
        assertThat(r.outputLength(n)).as("%s, %s samples", r, n).isEqualTo(expected);
      }
      assertThat(r.process(new float[1234]).length).isEqualTo((int) r.outputLength(1234));
      assertThat(r.process(new float[0])).isEmpty();
    }
  }

  @Test
  void equalRatesCopyOrReturnTheSamples() {
    float[] x = {0.1f, -0.2f, 0.3f};
    Resampler same = Resampler.of(16000, 16000);

    float[] copy = same.process(x);

    assertThat(copy).containsExactly(x).isNotSameAs(x);
    assertThat(Resampler.resample(x, 16000, 16000)).isSameAs(x);
    assertThat(Resampler.resample(x, 8000, 16000))
        .containsExactly(Resampler.of(8000, 16000).process(x));
  }

  @Test
  void ratesArePositive() {
    assertThatThrownBy(() -> Resampler.of(0, 16000)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("fromRate").hasMessageContaining("0");
    assertThatThrownBy(() -> Resampler.of(16000, -1)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("toRate").hasMessageContaining("-1");
    assertThatThrownBy(() -> Resampler.resample(new float[1], 0, 0))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("fromRate");
  }

  @Test
  void aResamplerIsItsRatePair() {
    Resampler r = Resampler.of(44100, 16000);

    assertThat(r.fromRate()).isEqualTo(44100);
    assertThat(r.toRate()).isEqualTo(16000);
    assertThat(r).isEqualTo(Resampler.of(44100, 16000)).isNotEqualTo(Resampler.of(16000, 44100))
        .hasSameHashCodeAs(Resampler.of(44100, 16000));
    assertThat(r.toString()).contains("44100", "16000", "exact");
    assertThat(Resampler.of(44101, 16000).toString()).contains("interpolated");
  }

  /** sox's {@code rate} on the same raw samples, the reference FormatSnrTest uses for files. */
  @ParameterizedTest(name = "{0} -> 16000 Hz")
  @CsvSource({"44100", "48000", "8000", "44101"})
  void agreesWithSoxOnASweep(int from, @TempDir Path dir) throws Exception {
    TestAudio.assumeTools();
    // a linear sweep 100 Hz -> 7 kHz over 2 s: every passband frequency once
    int n = 2 * from;
    float[] x = new float[n];
    double top = Math.min(7000, 0.45 * from);
    for (int i = 0; i < n; i++) {
      double t = i / (double) from;
      x[i] = (float) (0.5 * Math.sin(2 * Math.PI * (100 * t + (top - 100) / 4 * t * t)));
    }
    Path raw = dir.resolve("sweep.f32");
    java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(4 * n)
        .order(java.nio.ByteOrder.LITTLE_ENDIAN);
    b.asFloatBuffer().put(x);
    java.nio.file.Files.write(raw, b.array());
    Path out = dir.resolve("sweep16k.f32");
    TestAudio.run(TestAudio.SOX, "-t", "raw", "-e", "floating-point", "-b", "32", "-L", "-c", "1",
        "-r", String.valueOf(from), raw.toString(), "-t", "raw", "-e", "floating-point", "-b",
        "32", "-L", "-r", "16000", out.toString());
    float[] sox = TestAudio.readF32(out);

    float[] ours = Resampler.of(from, 16000).process(x);

    assertThat(ours.length).isCloseTo(sox.length, org.assertj.core.api.Assertions.within(1));
    // no lag allowed: both put output sample n at time n / 16000
    double snr = TestAudio.snrDb(sox, ours, 0);
    note("sox sweep %d -> 16000 Hz: SNR %.1f dB (%d vs %d samples)", from, snr, ours.length,
        sox.length);
    assertThat(snr).isGreaterThan(SOX_SNR_DB);
  }
}

package io.mersdk.audio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mersdk.AudioException;
import io.mersdk.source.AudioSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@link AudioSources#of(float[], int)} and {@link AudioSources#of(short[], int)} at rates other
 * than the recogniser's: what {@code readMono(16000)} returns is the same sine sampled at 16 kHz
 * (a closed form, independent of the resampler), 16-bit input scaled by 1/32768, clipped to
 * [-1, 1], the duration limits applied to the source's own duration.
 */
class ArraySourceRateTest {
  /** As ResamplerTest's passband bound; 16-bit quantisation adds at most 2^-16 to it. */
  static final double FLOAT_TOLERANCE = ResamplerTest.PASSBAND_TOLERANCE;

  static final double SHORT_TOLERANCE = ResamplerTest.PASSBAND_TOLERANCE + 1.0 / 65536;

  static float[] floatSine(int rate, int n, double hz, double amplitude) {
    return ResamplerTest.floats(ResamplerTest.sine(rate, n, hz, amplitude, 0.7));
  }

  static short[] shortSine(int rate, int n, double hz, double amplitude) {
    double[] x = ResamplerTest.sine(rate, n, hz, amplitude, 0.7);
    short[] s = new short[n];
    for (int i = 0; i < n; i++) {
      s[i] = (short) Math.round(x[i] * 32768);
    }
    return s;
  }

  @ParameterizedTest(name = "float[] at {0} Hz read at {1} Hz")
  @CsvSource({"44100, 16000", "48000, 16000", "8000, 16000", "22050, 16000", "11025, 16000",
      "44101, 16000", "16000, 8000", "16000, 44100"})
  void floatSamplesAreResampledOnRead(int rate, int target) {
    double hz = 0.3 * Math.min(rate, target); // well inside both passbands
    AudioSource source = AudioSources.of(floatSine(rate, rate, hz, 0.6), rate);

    float[] y = source.readMono(target);

    assertThat((long) y.length).isEqualTo(Resampler.of(rate, target).outputLength(rate));
    double[] expected = ResamplerTest.sine(target, y.length, hz, 0.6, 0.7);
    assertThat(ResamplerTest.maxInteriorError(y, expected, target))
        .as("float[] at %s Hz read at %s Hz against the closed-form sine", rate, target)
        .isLessThan(FLOAT_TOLERANCE);
  }

  @ParameterizedTest(name = "short[] at {0} Hz read at {1} Hz")
  @CsvSource({"44100, 16000", "8000, 16000", "48000, 16000", "22050, 16000"})
  void shortSamplesAreScaledAndResampledOnRead(int rate, int target) {
    double hz = 0.3 * Math.min(rate, target);
    AudioSource source = AudioSources.of(shortSine(rate, rate, hz, 0.6), rate);

    float[] y = source.readMono(target);

    double[] expected = ResamplerTest.sine(target, y.length, hz, 0.6, 0.7);
    assertThat(ResamplerTest.maxInteriorError(y, expected, target))
        .as("short[] at %s Hz read at %s Hz against the closed-form sine", rate, target)
        .isLessThan(SHORT_TOLERANCE);
  }

  @Test
  void shortsAreScaledByOneOver32768AtTheSameRate() {
    short[] s = {0, 1, -1, 16384, -16384, Short.MAX_VALUE, Short.MIN_VALUE};
    short[] padded = new short[16000]; // 1 s: above the shortest audio accepted
    System.arraycopy(s, 0, padded, 0, s.length);

    float[] y = AudioSources.of(padded, 16000).readMono(16000);

    assertThat(java.util.Arrays.copyOf(y, s.length))
        .containsExactly(0f, 1 / 32768f, -1 / 32768f, 0.5f, -0.5f, 32767 / 32768f, -1f);
  }

  @Test
  void theSameRateGivesACopyOfTheSamples() {
    float[] x = floatSine(16000, 16000, 440, 0.5);
    AudioSource source = AudioSources.of(x, 16000);

    float[] y = source.readMono(16000);
    y[0] = 0.99f;

    assertThat(source.readMono(16000)).containsExactly(x);
  }

  @Test
  void theResamplersOvershootIsClippedToPlusMinusOne() {
    // a full-scale square wave at 44.1 kHz: the low-pass rings (Gibbs) beyond +-1
    int rate = 44100;
    float[] x = new float[rate];
    for (int i = 0; i < x.length; i++) {
      x[i] = (i / 50) % 2 == 0 ? 1f : -1f;
    }
    float[] unclipped = Resampler.of(rate, 16000).process(x);
    assertThat(max(unclipped)).as("the test needs an overshoot").isGreaterThan(1.01f);

    float[] y = AudioSources.of(x, rate).readMono(16000);

    assertThat(y).hasSize(unclipped.length);
    assertThat(max(y)).isEqualTo(1f);
    for (int i = 0; i < y.length; i++) {
      assertThat(y[i]).isEqualTo(Math.max(-1f, Math.min(1f, unclipped[i])));
    }
  }

  @Test
  void theDurationLimitsApplyToTheSourcesOwnRate() {
    // the default minimum (0.1 s) at 8 kHz is 800 samples; counted at 16 kHz they would be 0.05 s
    int min = (int) Math.ceil(
        DecodeOptions.defaults().minDuration().toNanos() / 1e9 * 8000);
    float[] tooShort = new float[Math.max(0, min - 1)];
    float[] justLongEnough = new float[min];

    assertThatThrownBy(() -> AudioSources.of(tooShort, 8000).readMono(16000))
        .isInstanceOf(AudioException.class).hasMessageContaining("8000 Hz")
        .hasMessageContaining("too short");
    assertThat(AudioSources.of(justLongEnough, 8000).readMono(16000))
        .hasSize((int) Resampler.of(8000, 16000).outputLength(min));
  }

  @Test
  void theDescriptionNamesTheKindCountAndRate() {
    assertThat(AudioSources.of(new float[44100], 44100).description())
        .isEqualTo("float samples (44100 at 44100 Hz, 1.000 s)");
    assertThat(AudioSources.of(new short[4000], 8000).description())
        .isEqualTo("16-bit samples (4000 at 8000 Hz, 0.500 s)");
  }

  @Test
  void ratesMustBePositive() {
    assertThatThrownBy(() -> AudioSources.of(new float[10], 0))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("sampleRate")
        .hasMessageContaining("0");
    assertThatThrownBy(() -> AudioSources.of(new short[10], -8000))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("-8000");
    assertThatThrownBy(() -> AudioSources.of(new float[16000], 16000).readMono(0))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("sampleRate");
  }

  private static float max(float[] x) {
    float m = Float.NEGATIVE_INFINITY;
    for (float v : x) {
      m = Math.max(m, v);
    }
    return m;
  }
}

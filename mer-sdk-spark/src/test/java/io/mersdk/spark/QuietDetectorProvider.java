package io.mersdk.spark;

import io.mersdk.spi.SpeechActivity;
import io.mersdk.spi.SpeechDetector;
import io.mersdk.spi.SpeechDetectorProvider;
import java.time.Duration;

/**
 * A test speech gate (src/test/resources/META-INF/services) that outranks any other, so the tests
 * do not depend on which detector module is on the class path: speech when some 20 ms frame has an
 * RMS above -50 dBFS (digital silence and faint hiss are not speech).
 */
public final class QuietDetectorProvider implements SpeechDetectorProvider {
  static final double LEVEL = Math.pow(10, -50 / 20.0);

  public QuietDetectorProvider() {}

  @Override
  public String name() {
    return "quiet-test";
  }

  @Override
  public int priority() {
    return Integer.MAX_VALUE;
  }

  @Override
  public SpeechDetector create() {
    return (samples, rate) -> {
      int frame = Math.max(1, rate / 50);
      int voiced = 0;
      for (int from = 0; from + frame <= samples.length; from += frame) {
        double e = 0;
        for (int i = from; i < from + frame; i++) {
          e += samples[i] * (double) samples[i];
        }
        voiced += Math.sqrt(e / frame) > LEVEL ? 1 : 0;
      }
      return SpeechActivity.of(voiced > 0, Duration.ofMillis(voiced * 20L));
    };
  }
}

package io.mersdk.testkit;

import io.mersdk.spi.SpeechActivity;
import io.mersdk.spi.SpeechDetector;
import io.mersdk.spi.SpeechDetectorProvider;
import java.time.Duration;

/**
 * A speech gate for tests where the acoustic gate is not under test: speech where any sample's
 * magnitude exceeds 0.01; the speech duration is the whole utterance. A module registers {@link
 * Provider} (name "fake") in its src/test/resources/META-INF/services.
 */
public final class FakeDetector implements SpeechDetector {
  @Override
  public SpeechActivity detect(float[] samples, int sampleRate) {
    boolean speech = false;
    for (float s : samples) {
      speech |= Math.abs(s) > 0.01f;
    }
    return SpeechActivity.of(speech,
        speech ? Duration.ofNanos(Math.round(samples.length * 1e9 / sampleRate)) : Duration.ZERO);
  }

  /** Found through META-INF/services in the test class path. */
  public static final class Provider implements SpeechDetectorProvider {
    @Override
    public String name() {
      return "fake";
    }

    @Override
    public SpeechDetector create() {
      return new FakeDetector();
    }
  }
}

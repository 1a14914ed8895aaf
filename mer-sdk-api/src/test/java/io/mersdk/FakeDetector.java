package io.mersdk;

import io.mersdk.spi.SpeechActivity;
import io.mersdk.spi.SpeechDetector;
import io.mersdk.spi.SpeechDetectorProvider;
import java.time.Duration;

/** Speech where any sample's magnitude exceeds 0.01; the speech duration is the whole utterance. */
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

package io.mersdk.server;

import io.mersdk.spi.SpeechActivity;
import io.mersdk.spi.SpeechDetector;
import io.mersdk.spi.SpeechDetectorProvider;
import java.time.Duration;

/** Speech where any sample's magnitude exceeds 0.01 (the acoustic gate is not under test here). */
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

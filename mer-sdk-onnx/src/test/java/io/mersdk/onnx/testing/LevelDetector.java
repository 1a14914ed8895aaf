package io.mersdk.onnx.testing;

import io.mersdk.spi.SpeechActivity;
import io.mersdk.spi.SpeechDetector;
import java.time.Duration;

/**
 * A trivial acoustic gate for tests (the real one is mer-sdk-vad's): speech when the RMS level is
 * above {@code threshold}, all of the utterance counted as speech. Stateless, as the SPI asks.
 */
public record LevelDetector(double threshold) implements SpeechDetector {
  @Override
  public SpeechActivity detect(float[] samples, int sampleRate) {
    double sum = 0;
    for (float s : samples) {
      sum += (double) s * s;
    }
    double rms = samples.length == 0 ? 0 : Math.sqrt(sum / samples.length);
    boolean speech = rms > threshold;
    return SpeechActivity.of(speech,
        speech ? Duration.ofNanos(Math.round(samples.length * 1e9 / sampleRate)) : Duration.ZERO);
  }
}

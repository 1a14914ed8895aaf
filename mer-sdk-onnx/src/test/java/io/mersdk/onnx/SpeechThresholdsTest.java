package io.mersdk.onnx;

import static org.assertj.core.api.Assertions.assertThat;

import io.mersdk.Device;
import io.mersdk.EmotionRecognizer;
import io.mersdk.SpeechThresholds;
import io.mersdk.onnx.testing.TestData;
import java.nio.file.Path;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The recogniser decides with the bundle's speech_decision, each builder override replacing one. */
class SpeechThresholdsTest {
  static java.util.List<Path> bundles() {
    return TestData.bundles();
  }

  @ParameterizedTest
  @MethodSource("bundles")
  void overridesReplaceOnlyTheThresholdsTheyName(Path bundle) {
    try (EmotionRecognizer plain = open(bundle).build();
        EmotionRecognizer one = open(bundle).logProbThreshold(-0.5).build()) {
      SpeechThresholds bundled = plain.bundle().speechThresholds();
      assertThat(plain.speechThresholds()).isEqualTo(bundled);
      assertThat(one.speechThresholds()).isEqualTo(
          new SpeechThresholds(bundled.noSpeech(), -0.5, bundled.compressionRatio()));
    }
  }

  private static EmotionRecognizer.Builder open(Path bundle) {
    return EmotionRecognizer.builder().bundle(bundle).device(Device.CPU).threads(1).speechGate(false);
  }
}

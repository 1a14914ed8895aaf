package io.mersdk.onnx;

import static org.assertj.core.api.Assertions.assertThat;

import io.mersdk.EmotionResult;
import io.mersdk.Utterance;
import io.mersdk.onnx.internal.pipeline.OnnxBackend;
import io.mersdk.onnx.internal.pipeline.Probe;
import io.mersdk.onnx.testing.Backends;
import io.mersdk.onnx.testing.Collector;
import io.mersdk.onnx.testing.TestData;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The opt-in fitted ASR window: Whisper's encoder sees the utterance rounded up to whole seconds,
 * not the bundle's 30 s window. The features of the real frames are the reference's; the encoder
 * states of the utterance keep their length but change (less padding to attend to).
 */
class FitAsrWindowTest {
  /** The bundles that run Whisper (a speech-only bundle has no ASR window to fit). */
  static Stream<Arguments> cases() {
    return TestData.bundles().stream()
        .filter(b -> io.mersdk.onnx.testing.Manifests.read(b).has("whisper"))
        .flatMap(b -> TestData.fixtures(b.getFileName().toString())
        .stream().flatMap(f -> f.cases().stream().limit(1).map(c -> Arguments.of(b, c))));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void encoderSeesWholeSecondsAndFeaturesAreUnchanged(Path bundle, TestData.Case c) throws Exception {
    var manifest = new com.fasterxml.jackson.databind.ObjectMapper().readTree(bundle.resolve("bundle.json").toFile());
    int rate = manifest.get("audio").get("sample_rate").asInt();
    int hop = manifest.get("audio").get("hop_length").asInt();
    int window = manifest.get("audio").get("n_samples").asInt();
    float[] wave = c.waveform();
    long fitted = (wave.length + rate - 1L) / rate * rate;
    assertThat(fitted).isLessThan(window);

    Collector full = new Collector();
    Collector fit = new Collector();
    EmotionResult rFull;
    EmotionResult rFit;
    try (OnnxBackend a = Backends.cpu(bundle, false); OnnxBackend b = Backends.cpu(bundle, true)) {
      rFull = a.recognize(List.of(Utterance.of(wave)), full).get(0);
      rFit = b.recognize(List.of(Utterance.of(wave)), fit).get(0);
    }

    TestData.Array melFull = full.get(Probe.LOG_MEL, 0);
    TestData.Array melFit = fit.get(Probe.LOG_MEL, 0);
    int mels = (int) melFull.shape()[0];
    assertThat(melFull.shape()[1]).isEqualTo(window / hop);
    assertThat(melFit.shape()).containsExactly(mels, fitted / hop);
    // every frame but the last two (the STFT's reflect padding reaches into the fitted edge)
    int frames = (int) (fitted / hop) - 2;
    double melDiff = 0;
    for (int m = 0; m < mels; m++) {
      for (int t = 0; t < frames; t++) {
        melDiff = Math.max(melDiff, Math.abs(melFit.data()[m * (int) (fitted / hop) + t]
            - melFull.data()[m * (window / hop) + t]));
      }
    }
    assertThat(melDiff).isLessThan(1e-5);

    TestData.Array statesFull = full.get(Probe.ENCODER_STATES, 0);
    TestData.Array statesFit = fit.get(Probe.ENCODER_STATES, 0);
    assertThat(statesFit.shape()).containsExactly(statesFull.shape());
    double statesDiff = 0;
    for (int i = 0; i < statesFull.data().length; i++) {
      statesDiff = Math.max(statesDiff, Math.abs(statesFit.data()[i] - statesFull.data()[i]));
    }
    assertThat(statesDiff).as("encoder states with less padding").isGreaterThan(1e-4);

    assertThat(rFit.probabilities().values().stream().mapToDouble(Double::doubleValue).sum())
        .isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-5));
    assertThat(rFit.probabilities().keySet()).containsExactlyElementsOf(rFull.probabilities().keySet());
  }
}

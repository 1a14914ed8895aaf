package io.mersdk.onnx;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mersdk.AudioException;
import io.mersdk.Device;
import io.mersdk.EmotionRecognizer;
import io.mersdk.Utterance;
import io.mersdk.onnx.testing.TestData;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Audio is checked before any model runs; messages name the length or the sample index. */
class AudioValidationTest {
  private static EmotionRecognizer recognizer;
  private static int minSamples;

  @BeforeAll
  static void open() {
    recognizer = EmotionRecognizer.builder().bundle(TestData.bundles().get(0))
        .device(Device.CPU).threads(1).build();
    minSamples = 1600; // audio.min_samples of every tiny bundle; checked below through the message
  }

  @AfterAll
  static void close() {
    recognizer.close();
  }

  @Test
  void tooShortAudioNamesItsLengthAndTheMinimum() {
    assertThatThrownBy(() -> recognizer.recognize(new float[minSamples - 1]))
        .isInstanceOf(AudioException.class)
        .hasMessageContaining((minSamples - 1) + " samples")
        .hasMessageContaining("audio.min_samples");
  }

  @Test
  void emptyAudioIsTooShort() {
    assertThatThrownBy(() -> recognizer.recognize(new float[0]))
        .isInstanceOf(AudioException.class).hasMessageContaining("0 samples");
  }

  @Test
  void aNanSampleIsNamedByIndex() {
    float[] samples = new float[16000];
    samples[1234] = Float.NaN;
    assertThatThrownBy(() -> recognizer.recognize(samples))
        .isInstanceOf(AudioException.class).hasMessageContaining("sample 1234 is NaN");
  }

  @Test
  void anInfiniteSampleInABatchNamesTheItemAndTheIndex() {
    float[] good = new float[16000];
    float[] bad = new float[16000];
    bad[77] = Float.NEGATIVE_INFINITY;
    assertThatThrownBy(() -> recognizer.recognizeBatch(List.of(Utterance.of(good), Utterance.of(bad))))
        .isInstanceOf(AudioException.class)
        .hasMessageContaining("utterance 1 of the batch")
        .hasMessageContaining("sample 77 is -Infinity");
  }

  @Test
  void exactlyTheMinimumIsAccepted() {
    org.assertj.core.api.Assertions.assertThat(recognizer.recognize(new float[minSamples]).label())
        .isIn(recognizer.labels());
  }
}

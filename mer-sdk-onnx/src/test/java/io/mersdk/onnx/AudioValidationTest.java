package io.mersdk.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mersdk.AudioException;
import io.mersdk.Device;
import io.mersdk.EmotionRecognizer;
import io.mersdk.EmotionResult;
import io.mersdk.Outcome;
import io.mersdk.Utterance;
import io.mersdk.onnx.testing.TestData;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Audio is checked before any model runs; messages name the length or the sample index. */
class AudioValidationTest {
  /** speech + text + context: Whisper reads every utterance. */
  private static final Path TINY_A = TestData.root().resolve("bundles").resolve("tiny-a");
  /** speech + text: Whisper reads an utterance only to transcribe it. */
  private static final Path TINY_B = TestData.root().resolve("bundles").resolve("tiny-b");

  private static EmotionRecognizer recognizer;
  private static int minSamples;
  /** tiny-a's ASR window (audio.n_samples) and rate, read from its manifest. */
  private static int window;
  private static int rate;

  @BeforeAll
  static void open() throws IOException {
    recognizer = EmotionRecognizer.builder().speechGate(false).bundle(TINY_A)
        .device(Device.CPU).threads(1).build();
    minSamples = 1600; // audio.min_samples of every tiny bundle; checked below through the message
    JsonNode audio = new ObjectMapper().readTree(TINY_A.resolve("bundle.json").toFile()).get("audio");
    window = audio.get("n_samples").asInt();
    rate = audio.get("sample_rate").asInt();
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
  void anInfiniteSampleInABatchFailsThatItemNamingItAndTheIndex() {
    float[] good = new float[16000];
    float[] bad = new float[16000];
    bad[77] = Float.NEGATIVE_INFINITY;
    List<EmotionResult> r = recognizer.recognizeBatch(List.of(Utterance.of(good), Utterance.of(bad)));
    assertThat(r.get(0).isFailed()).isFalse();
    assertThat(r.get(1).outcome()).isEqualTo(Outcome.FAILED);
    assertThat(r.get(1).error())
        .isInstanceOf(AudioException.class)
        .hasMessageContaining("utterance 1 of the batch")
        .hasMessageContaining("sample 77 is -Infinity");
  }

  @Test
  void exactlyTheMinimumIsAccepted() {
    // silence with the gate off: the model may call it no speech, but it is not refused
    assertThat(recognizer.recognize(new float[minSamples]).outcome())
        .isIn(Outcome.EMOTION, Outcome.NO_SPEECH);
  }

  @Test
  void exactlyTheAsrWindowIsAccepted() {
    assertThat(recognizer.recognize(new float[window]).outcome()).isIn(Outcome.EMOTION, Outcome.NO_SPEECH);
  }

  @Test
  void oneSampleMoreThanTheAsrWindowIsRefusedNamingLengthWindowAndTheFix() {
    assertThatThrownBy(() -> recognizer.recognize(new float[window + 1]))
        .isInstanceOf(AudioException.class)
        .hasMessageStartingWith("utterance is " + seconds(window + 1) + " long (" + (window + 1)
            + " samples at " + rate + " Hz)")
        .hasMessageContaining("ASR window of " + seconds(window))
        .hasMessageContaining("audio.n_samples = " + window)
        .hasMessageContaining("io.mersdk.audio.Timeline");
  }

  @Test
  void anUtteranceLongerThanTheAsrWindowInABatchFailsAloneNamedByIndex() {
    List<Utterance> batch = List.of(Utterance.of(new float[minSamples]),
        Utterance.of(new float[window]), Utterance.of(new float[window + rate]));
    List<EmotionResult> r = recognizer.recognizeBatch(batch);
    assertThat(r).extracting(EmotionResult::isFailed).containsExactly(false, false, true);
    assertThat(r.get(2).error())
        .isInstanceOf(AudioException.class)
        .hasMessageStartingWith("utterance 2 of the batch is " + seconds(window + rate) + " long");
  }

  @Test
  void aSuppliedTranscriptDoesNotLiftTheLimitWhenTheContextModalityReadsTheAudio() {
    assertThatThrownBy(() -> recognizer.recognize(new float[window + 1], "a supplied transcript"))
        .isInstanceOf(AudioException.class)
        .hasMessageContaining("audio.n_samples = " + window);
  }

  @Test
  void withoutTheContextModalityASuppliedTranscriptMeansWhisperDoesNotRead() throws IOException {
    // tiny-b (speech + text): with the caller's transcript no Whisper stage runs, WavLM takes any
    // length, so nothing is cut and nothing is refused; ASR on the same audio is refused.
    int windowB = new ObjectMapper().readTree(TINY_B.resolve("bundle.json").toFile())
        .get("audio").get("n_samples").asInt();
    try (EmotionRecognizer b = EmotionRecognizer.builder().speechGate(false).bundle(TINY_B).device(Device.CPU)
        .threads(1).build()) {
      float[] longer = new float[windowB + 1];
      assertThat(b.recognize(longer, "a supplied transcript").transcriptSupplied()).isTrue();
      assertThatThrownBy(() -> b.recognize(longer))
          .isInstanceOf(AudioException.class)
          .hasMessageContaining("audio.n_samples = " + windowB);
    }
  }

  private static String seconds(int samples) {
    return String.format(Locale.ROOT, "%.3f s", samples / (double) rate);
  }
}

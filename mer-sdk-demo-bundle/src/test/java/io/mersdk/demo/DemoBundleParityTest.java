package io.mersdk.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mersdk.Device;
import io.mersdk.EmotionRecognizer;
import io.mersdk.EmotionResult;
import io.mersdk.audio.AudioSources;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The embedded demo bundle, read from the class path as users read it, gives the PyTorch
 * reference's labels, transcripts and probabilities on held-out synthetic utterances (fixtures
 * written by {@code python -m mer_train make-demo-bundle}: FLAC audio, lossless, so the samples
 * are those PyTorch saw).
 */
class DemoBundleParityTest {
  static final String BUNDLE = "io/mersdk/demo/bundle";
  static final Path FIXTURES = fixtures();
  static EmotionRecognizer recognizer;

  @BeforeAll
  static void open() {
    recognizer = EmotionRecognizer.builder().bundleResource(BUNDLE).device(Device.CPU).threads(2).build();
  }

  @AfterAll
  static void close() {
    recognizer.close();
  }

  static JsonNode doc() {
    try {
      return new ObjectMapper().readTree(FIXTURES.resolve("fixtures.json").toFile());
    } catch (IOException e) {
      throw new AssertionError("cannot read the demo fixtures", e);
    }
  }

  static List<JsonNode> cases() {
    return StreamSupport.stream(doc().get("cases").spliterator(), false).toList();
  }

  @Test
  void theBundleIsTheOneTheFixturesWereMadeFrom() {
    JsonNode doc = doc();
    assertThat(recognizer.bundle().bundleId()).isEqualTo(doc.get("bundle_id").asText());
    List<String> labels = new ArrayList<>();
    doc.get("labels").forEach(l -> labels.add(l.asText()));
    assertThat(recognizer.labels()).containsExactlyElementsOf(labels);
    // every label is represented among the held-out cases
    assertThat(cases()).extracting(c -> c.get("true_label").asText()).containsAll(labels);
  }

  @ParameterizedTest(name = "{index}: {0}")
  @MethodSource("cases")
  void sameLabelTranscriptAndProbabilitiesAsPyTorch(JsonNode c) {
    double tol = doc().get("tolerances").get("probabilities").asDouble();
    EmotionResult r = recognizer.recognize(AudioSources.of(FIXTURES.resolve(c.get("audio").asText())));

    List<Integer> tokens = new ArrayList<>();
    c.get("asr_tokens").forEach(t -> tokens.add(t.asInt()));
    assertThat(r.asrTokenIds()).as("Whisper greedy tokens").containsExactlyElementsOf(tokens);
    assertThat(r.transcript()).isEqualTo(c.get("transcript").asText());
    List<Integer> ids = new ArrayList<>();
    c.get("text_ids").forEach(t -> ids.add(t.asInt()));
    assertThat(r.textTokenIds()).as("RoBERTa ids").containsExactlyElementsOf(ids);

    assertThat(r.label()).isEqualTo(c.get("label").asText());
    List<String> labels = recognizer.labels();
    for (int i = 0; i < labels.size(); i++) {
      assertThat(r.probability(labels.get(i))).as(labels.get(i))
          .isCloseTo(c.get("probabilities").get(i).asDouble(), within(tol));
    }
  }

  private static Path fixtures() {
    try {
      return Path.of(DemoBundleParityTest.class.getResource("/io/mersdk/demo/fixtures/fixtures.json").toURI())
          .getParent();
    } catch (URISyntaxException | NullPointerException e) {
      throw new AssertionError("demo fixtures missing: run python -m mer_train make-demo-bundle", e);
    }
  }
}

package io.mersdk.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * ClassificationMetrics equals scikit-learn on the cases of testdata/metrics/sklearn-cases.json
 * (written by scripts/make_metrics_fixture.py): accuracy_score, recall_score(average="macro"),
 * f1_score(average="macro", zero_division=0), per-label scores, confusion_matrix(labels=...).
 */
class ClassificationMetricsTest {
  private static final double EPS = 1e-12;

  static Stream<JsonNode> sklearnCases() throws IOException {
    JsonNode doc = new ObjectMapper().readTree(
        TestAudio.testdata().resolve("metrics/sklearn-cases.json").toFile());
    List<JsonNode> cases = new ArrayList<>();
    doc.get("cases").forEach(cases::add);
    assertThat(cases).hasSizeGreaterThanOrEqualTo(8);
    return cases.stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("sklearnCases")
  void equalsScikitLearn(JsonNode c) {
    List<String> labels = strings(c.get("labels"));
    ClassificationMetrics m = ClassificationMetrics.of(labels, strings(c.get("y_true")),
        strings(c.get("y_pred")));

    assertThat(m.accuracy()).isCloseTo(c.get("accuracy").asDouble(), within(EPS));
    assertThat(m.unweightedAverageRecall()).isCloseTo(c.get("uar").asDouble(), within(EPS));
    assertThat(m.macroF1()).isCloseTo(c.get("macro_f1").asDouble(), within(EPS));
    for (int k = 0; k < labels.size(); k++) {
      assertThat(m.precision(k)).as("precision of " + labels.get(k))
          .isCloseTo(c.get("precision").get(k).asDouble(), within(EPS));
      assertThat(m.recall(k)).as("recall of " + labels.get(k))
          .isCloseTo(c.get("recall").get(k).asDouble(), within(EPS));
      assertThat(m.f1(k)).as("f1 of " + labels.get(k))
          .isCloseTo(c.get("f1").get(k).asDouble(), within(EPS));
    }
    long[][] cm = m.confusionMatrix();
    for (int i = 0; i < labels.size(); i++) {
      for (int j = 0; j < labels.size(); j++) {
        assertThat(cm[i][j]).as("confusion[%d][%d]", i, j)
            .isEqualTo(c.get("confusion_matrix").get(i).get(j).asLong());
      }
    }
  }

  @Test
  void fixtureCoversAClassNeverPredictedAndOneAbsentFromTheTruth() throws IOException {
    List<String> names = sklearnCases().map(c -> c.get("name").asText()).toList();
    assertThat(names).anyMatch(n -> n.contains("never predicted"))
        .anyMatch(n -> n.contains("absent from the truth"));
  }

  @Test
  void unknownLabelIsRefusedNamingTheSample() {
    assertThatThrownBy(() -> ClassificationMetrics.of(List.of("a", "b"), List.of("a", "c"),
        List.of("a", "b")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("true label 'c' of sample 1");
  }

  @Test
  void lengthsMustMatch() {
    assertThatThrownBy(() -> ClassificationMetrics.of(List.of("a"), List.of("a"), List.of()))
        .isInstanceOf(IllegalArgumentException.class);
  }

  private static List<String> strings(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(n -> out.add(n.asText()));
    return out;
  }
}

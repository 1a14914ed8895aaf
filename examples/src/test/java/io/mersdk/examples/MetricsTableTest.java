package io.mersdk.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The table `mer evaluate` prints, read back cell by cell, against scikit-learn's figures
 * (testdata/metrics/sklearn-cases.json, scripts/make_metrics_fixture.py): each label's precision,
 * recall, f1 and support under its own column, and the confusion matrix with true labels as rows.
 * A swapped column or a transposed matrix prints the same words and totals but fails here.
 */
class MetricsTableTest {
  /** The table prints 4 decimals: half a unit of the last one. */
  private static final double PRINTED = 0.5e-4 + 1e-12;

  static java.util.stream.Stream<JsonNode> sklearnCases() throws java.io.IOException {
    return ClassificationMetricsTest.sklearnCases();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("sklearnCases")
  void everyCellIsScikitLearns(JsonNode c) {
    List<String> labels = strings(c.get("labels"));
    List<String> truth = strings(c.get("y_true"));
    ClassificationMetrics m = ClassificationMetrics.of(labels, truth, strings(c.get("y_pred")));
    StringWriter s = new StringWriter();
    try (PrintWriter out = new PrintWriter(s)) {
      new MetricsReport(m, 0, 0, "b").printTable(out);
    }
    List<String> lines = s.toString().lines().toList();

    int header = lines.indexOf(lines.stream().filter(l -> l.startsWith("label")).findFirst().orElseThrow());
    assertThat(lines.get(header).split("\\s+")).containsExactly("label", "precision", "recall", "f1", "support");
    for (int k = 0; k < labels.size(); k++) {
      String[] cells = lines.get(header + 1 + k).trim().split("\\s+");
      assertThat(cells[0]).isEqualTo(labels.get(k));
      String l = labels.get(k);
      assertThat(Double.parseDouble(cells[1])).as("precision of " + l)
          .isCloseTo(c.get("precision").get(k).asDouble(), within(PRINTED));
      assertThat(Double.parseDouble(cells[2])).as("recall of " + l)
          .isCloseTo(c.get("recall").get(k).asDouble(), within(PRINTED));
      assertThat(Double.parseDouble(cells[3])).as("f1 of " + l)
          .isCloseTo(c.get("f1").get(k).asDouble(), within(PRINTED));
      assertThat(Long.parseLong(cells[4])).as("support of " + l)
          .isEqualTo(truth.stream().filter(l::equals).count());
    }
    int matrix = lines.indexOf("confusion matrix (rows: true label, columns: predicted)");
    assertThat(matrix).isPositive();
    assertThat(lines.get(matrix + 1).trim().split("\\s+")).containsExactlyElementsOf(labels);
    for (int i = 0; i < labels.size(); i++) {
      String[] cells = lines.get(matrix + 2 + i).trim().split("\\s+");
      assertThat(cells[0]).isEqualTo(labels.get(i));
      for (int j = 0; j < labels.size(); j++) {
        assertThat(Long.parseLong(cells[j + 1])).as("true %s, predicted %s", labels.get(i), labels.get(j))
            .isEqualTo(c.get("confusion_matrix").get(i).get(j).asLong());
      }
    }
  }

  private static List<String> strings(JsonNode a) {
    List<String> out = new ArrayList<>();
    a.forEach(n -> out.add(n.asText()));
    return out;
  }
}

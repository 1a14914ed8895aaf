package io.mersdk.examples;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Classification metrics over a fixed label set, defined as scikit-learn computes them with
 * {@code labels=} given and {@code zero_division=0}: a label absent from the truth still counts in
 * the macro averages, with recall 0; a label never predicted has precision 0. Proved equal to
 * scikit-learn by ClassificationMetricsTest on fixtures written by
 * scripts/make_metrics_fixture.py.
 */
final class ClassificationMetrics {
  private final List<String> labels;
  private final long[][] confusion;
  private final long total;

  private ClassificationMetrics(List<String> labels, long[][] confusion, long total) {
    this.labels = labels;
    this.confusion = confusion;
    this.total = total;
  }

  /**
   * @param labels the label set, in the order of the confusion matrix's rows and columns
   * @param truth the true label of each sample
   * @param predicted the predicted label of each sample
   * @throws IllegalArgumentException if the lists differ in length or hold a label not in {@code
   *     labels}
   */
  static ClassificationMetrics of(List<String> labels, List<String> truth, List<String> predicted) {
    if (truth.size() != predicted.size()) {
      throw new IllegalArgumentException("truth has " + truth.size() + " samples but predicted has "
          + predicted.size());
    }
    Map<String, Integer> index = new HashMap<>();
    for (String l : labels) {
      if (index.put(l, index.size()) != null) {
        throw new IllegalArgumentException("label '" + l + "' appears twice in " + labels);
      }
    }
    long[][] m = new long[labels.size()][labels.size()];
    for (int i = 0; i < truth.size(); i++) {
      m[indexOf(index, truth.get(i), "true", i, labels)]
          [indexOf(index, predicted.get(i), "predicted", i, labels)]++;
    }
    return new ClassificationMetrics(List.copyOf(labels), m, truth.size());
  }

  private static int indexOf(
      Map<String, Integer> index, String label, String which, int sample, List<String> labels) {
    Integer i = index.get(label);
    if (i == null) {
      throw new IllegalArgumentException(
          which + " label '" + label + "' of sample " + sample + " is not one of " + labels);
    }
    return i;
  }

  List<String> labels() {
    return labels;
  }

  long samples() {
    return total;
  }

  /** sklearn's {@code confusion_matrix(labels=...)}: rows are true labels, columns predicted. */
  long[][] confusionMatrix() {
    long[][] copy = new long[confusion.length][];
    for (int i = 0; i < confusion.length; i++) {
      copy[i] = confusion[i].clone();
    }
    return copy;
  }

  /** sklearn's {@code accuracy_score}: correct / all; 0 for no samples. */
  double accuracy() {
    long correct = 0;
    for (int i = 0; i < confusion.length; i++) {
      correct += confusion[i][i];
    }
    return ratio(correct, total);
  }

  long support(int k) {
    long s = 0;
    for (long c : confusion[k]) {
      s += c;
    }
    return s;
  }

  private long predictedCount(int k) {
    long s = 0;
    for (long[] row : confusion) {
      s += row[k];
    }
    return s;
  }

  /** tp / (tp + fn); 0 when the label is absent from the truth. */
  double recall(int k) {
    return ratio(confusion[k][k], support(k));
  }

  /** tp / (tp + fp); 0 when the label is never predicted. */
  double precision(int k) {
    return ratio(confusion[k][k], predictedCount(k));
  }

  /**
   * 2 tp / (2 tp + fp + fn), the form scikit-learn uses since 1.3 (equal to 2PR/(P+R) where that
   * is defined); 0 when the label is neither true nor predicted anywhere.
   */
  double f1(int k) {
    long tp = confusion[k][k];
    long fp = predictedCount(k) - tp;
    long fn = support(k) - tp;
    return ratio(2 * tp, 2 * tp + fp + fn);
  }

  /** UAR: unweighted mean of the per-label recalls, sklearn's {@code recall_score(average="macro")}. */
  double unweightedAverageRecall() {
    double sum = 0;
    for (int k = 0; k < labels.size(); k++) {
      sum += recall(k);
    }
    return sum / labels.size();
  }

  /** sklearn's {@code f1_score(average="macro", zero_division=0)}. */
  double macroF1() {
    double sum = 0;
    for (int k = 0; k < labels.size(); k++) {
      sum += f1(k);
    }
    return sum / labels.size();
  }

  private static double ratio(long num, long den) {
    return den == 0 ? 0.0 : (double) num / den;
  }
}

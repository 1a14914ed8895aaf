package io.mersdk.dataset;

import io.mersdk.MerException;
import java.util.List;

/**
 * A dataset manifest that cannot be used, with every problem found, each as {@code FILE:LINE:
 * field: problem} ({@code data.csv:7: start: '1.5s' is not a number of seconds}); a problem of the
 * whole file has no line ({@code data.csv: no rows}). Also thrown by {@link DatasetRow#readMono}
 * for a cut that does not fit its file.
 */
public class DatasetException extends MerException {
  private static final long serialVersionUID = 1L;
  private final List<String> problems;

  public DatasetException(List<String> problems) {
    super(summary(problems));
    this.problems = List.copyOf(problems);
  }

  /** One message per problem, in file order. */
  public List<String> problems() {
    return problems;
  }

  private static String summary(List<String> problems) {
    if (problems.isEmpty()) {
      throw new IllegalArgumentException("problems: need at least one");
    }
    return problems.size() == 1 ? problems.get(0)
        : problems.size() + " problems: " + String.join("; ", problems);
  }
}

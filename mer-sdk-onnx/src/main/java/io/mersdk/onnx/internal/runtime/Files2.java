package io.mersdk.onnx.internal.runtime;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** File helpers the JDK lacks. */
public final class Files2 {
  private static final Logger LOG = LoggerFactory.getLogger(Files2.class);

  private Files2() {}

  /** Deletes a folder tree; logs (does not throw) what could not be deleted. */
  public static void deleteRecursively(Path root) {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(root)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> {
        try {
          Files.deleteIfExists(p);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      });
    } catch (IOException | UncheckedIOException e) {
      LOG.warn("could not delete temporary folder {}: {}", root, e.toString());
    }
  }
}

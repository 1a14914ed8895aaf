package io.mersdk.release;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every model file a published jar carries (an ONNX graph under some module's src/main/resources)
 * is named in NOTICE, with its folder, so that its licence and provenance are written down before
 * it ships.
 */
class ModelNoticeTest {

  private static final Path ROOT = Path.of(System.getProperty("mer.root")).toAbsolutePath().normalize();

  @Test
  void noticeNamesTheFolderOfEveryShippedModel() throws IOException {
    String notice = Files.readString(ROOT.resolve("NOTICE"), StandardCharsets.UTF_8);
    List<String> folders = shippedModelFolders();
    assertThat(folders).as("model folders under */src/main/resources").isNotEmpty();
    assertThat(folders)
        .as("model folders that NOTICE does not name (add each with its licence and provenance)")
        .allSatisfy(folder -> assertThat(notice).contains(folder));
  }

  /** Folders (from the repository root) holding an .onnx file under a top-level module's resources. */
  private static List<String> shippedModelFolders() throws IOException {
    List<Path> resourceRoots;
    try (Stream<Path> modules = Files.list(ROOT)) {
      resourceRoots = modules.map(m -> m.resolve("src/main/resources")).filter(Files::isDirectory)
          .collect(Collectors.toList());
    }
    List<String> folders = new ArrayList<>();
    for (Path resources : resourceRoots) {
      try (Stream<Path> files = Files.walk(resources)) {
        files.filter(f -> f.getFileName().toString().endsWith(".onnx"))
            .map(f -> ROOT.relativize(f.getParent()).toString().replace('\\', '/') + "/")
            .forEach(folders::add);
      }
    }
    return folders.stream().distinct().sorted().collect(Collectors.toList());
  }
}

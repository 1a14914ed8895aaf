package io.mersdk.release;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The committed THIRD-PARTY.txt is the union of the lists that license-maven-plugin wrote in this
 * build from each published module's dependency tree (each module's build already failed on a
 * licence off the allow-list). scripts/update-third-party.sh writes the same union.
 */
class ThirdPartyNoticeTest {

  private static final Path ROOT = Path.of(System.getProperty("mer.root")).toAbsolutePath().normalize();
  private static final String MODULE_LIST = "target/generated-sources/license/THIRD-PARTY.txt";
  /** The lines of a list that name a dependency: "     (licence) name (g:a:v - url)". */
  private static final String ENTRY = "     (";

  @Test
  void committedThirdPartyListIsTheUnionOfThePublishedModulesLists() throws IOException {
    // -Pcuda swaps onnxruntime for onnxruntime_gpu (same licence): the committed list is the default build's
    assumeTrue("onnxruntime".equals(System.getProperty("mer.onnxruntime.artifactId")),
        "the committed list describes the default (CPU) build");
    List<Path> modules = publishedModules();
    assertThat(modules).extracting(m -> m.getFileName().toString()).contains("mer-sdk-api", "mer-sdk-onnx");
    TreeSet<String> union = new TreeSet<>();
    for (Path module : modules) {
      Path list = module.resolve(MODULE_LIST);
      assertThat(list).as("the module's list (built by this build's license-maven-plugin)").isRegularFile();
      union.addAll(entries(list));
    }
    assertThat(entries(ROOT.resolve("THIRD-PARTY.txt")))
        .as("THIRD-PARTY.txt is out of date with the dependency tree: run bash scripts/update-third-party.sh")
        .containsExactlyElementsOf(union);
  }

  /** Top-level jar modules that do not set mer.publish.skip: those a release publishes. */
  private static List<Path> publishedModules() throws IOException {
    try (Stream<Path> dirs = Files.list(ROOT)) {
      return dirs.filter(d -> Files.isRegularFile(d.resolve("pom.xml")))
          .filter(d -> {
            String pom = read(d.resolve("pom.xml"));
            return !pom.contains("<packaging>pom</packaging>")
                && !pom.contains("<mer.publish.skip>true</mer.publish.skip>");
          })
          .sorted()
          .collect(Collectors.toList());
    }
  }

  private static List<String> entries(Path list) {
    return read(list).lines().filter(l -> l.startsWith(ENTRY)).collect(Collectors.toList());
  }

  private static String read(Path file) {
    try {
      return Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}

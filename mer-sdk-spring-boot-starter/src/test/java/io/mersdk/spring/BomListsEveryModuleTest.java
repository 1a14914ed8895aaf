package io.mersdk.spring;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * mer-sdk-bom pins every published module of the build (jar modules named mer-sdk-*), at the
 * build's version. Lives here because the BOM module has no code to test it with.
 */
class BomListsEveryModuleTest {
  private static final Path ROOT = Path.of(System.getProperty("user.dir")).getParent();

  @Test
  void everyPublishedModuleIsInTheBom() throws IOException {
    String root = Files.readString(ROOT.resolve("pom.xml"));
    String bom = Files.readString(ROOT.resolve("mer-sdk-bom/pom.xml"));
    List<String> published = new ArrayList<>();
    Matcher m = Pattern.compile("<module>(mer-sdk-[a-z-]+)</module>").matcher(root);
    while (m.find()) {
      String module = m.group(1);
      String pom = Files.readString(ROOT.resolve(module).resolve("pom.xml"));
      // tests-only modules (mer-sdk-spark-it) set mer.publish.skip and are not published
      if (!pom.contains("<packaging>pom</packaging>")
          && !pom.contains("<mer.publish.skip>true</mer.publish.skip>")) {
        published.add(module);
      }
    }
    assertThat(published).contains("mer-sdk-api", "mer-sdk-spring-boot-starter");
    for (String module : published) {
      assertThat(bom).as("mer-sdk-bom/pom.xml lists " + module)
          .contains("<artifactId>" + module + "</artifactId>");
    }
  }

  @Test
  void theBomHasTheBuildsVersion() throws IOException {
    Pattern version = Pattern.compile("<artifactId>(?:mer-sdk-parent|mer-sdk-bom)</artifactId>\\s*"
        + "(?:<[^>]+>[^<]*</[^>]+>\\s*)*?<version>([^<]+)</version>");
    Matcher root = version.matcher(Files.readString(ROOT.resolve("pom.xml")));
    Matcher bom = version.matcher(Files.readString(ROOT.resolve("mer-sdk-bom/pom.xml")));
    assertThat(root.find()).isTrue();
    assertThat(bom.find()).isTrue();
    assertThat(bom.group(1)).isEqualTo(root.group(1));
  }
}

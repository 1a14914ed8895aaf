package io.mersdk.onnx.internal.bundle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mersdk.BundleException;
import io.mersdk.onnx.testing.TestData;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The parser and mer-train's JSON Schema agree in both directions: on every edit of an exported
 * manifest in testdata/schema/manifest-cases.json (types, enums, ranges, patterns, unknown fields,
 * files.*), the parser refuses exactly what the schema refuses. The schema's verdicts are written
 * by scripts/make_schema_cases.py and re-checked against the schema by mer-train's
 * tests/test_schema_cases.py, so neither side can change alone.
 */
class SchemaCasesTest {
  static JsonNode doc() {
    try {
      return HandMadeBundle.JSON.readTree(
          Files.readAllBytes(TestData.root().resolve("schema").resolve("manifest-cases.json")));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static Stream<Arguments> cases() {
    List<Arguments> out = new ArrayList<>();
    doc().get("cases").forEach(c -> out.add(Arguments.of(c.get("name").asText(), c)));
    return out.stream();
  }

  static ObjectNode base() throws IOException {
    Path repo = TestData.root().getParent();
    return (ObjectNode) HandMadeBundle.JSON.readTree(
        Files.readAllBytes(repo.resolve(doc().get("base").asText())));
  }

  /** Applies the case's edits (JSON Pointer paths; "set" adds or replaces, "remove" deletes). */
  static ObjectNode apply(ObjectNode m, JsonNode edits) {
    for (JsonNode e : edits) {
      String[] keys = e.get("path").asText().substring(1).split("/", -1);
      JsonNode parent = m;
      for (int i = 0; i < keys.length - 1; i++) {
        parent = parent.get(unescape(keys[i]));
      }
      String last = unescape(keys[keys.length - 1]);
      if (e.get("op").asText().equals("set")) {
        ((ObjectNode) parent).set(last, e.get("value"));
      } else {
        ((ObjectNode) parent).remove(last);
      }
    }
    return m;
  }

  private static String unescape(String key) {
    return key.replace("~1", "/").replace("~0", "~");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void theParserGivesTheSchemasVerdict(String name, JsonNode c) throws IOException {
    byte[] m = HandMadeBundle.bytes(apply(base(), c.get("edits")));
    if (c.get("schema").asText().equals("refuses")) {
      assertThatThrownBy(() -> ManifestParser.parse(m, "t")).as("the schema refuses: " + name)
          .isInstanceOf(BundleException.class);
    } else {
      assertThatCode(() -> ManifestParser.parse(m, "t")).as("the schema accepts: " + name)
          .doesNotThrowAnyException();
    }
  }

  @org.junit.jupiter.api.Test
  void theCasesCoverBothVerdictsAndEveryKindOfRule() {
    List<String> verdicts = new ArrayList<>();
    List<String> paths = new ArrayList<>();
    doc().get("cases").forEach(c -> {
      verdicts.add(c.get("schema").asText());
      ((ArrayNode) c.get("edits")).forEach(e -> paths.add(e.get("path").asText()));
    });
    assertThat(verdicts).contains("accepts", "refuses");
    assertThat(paths).anyMatch(p -> p.startsWith("/files/")).anyMatch(p -> p.startsWith("/variant/"))
        .anyMatch(p -> p.startsWith("/speech_decision/")).anyMatch(p -> p.startsWith("/head/"));
  }
}

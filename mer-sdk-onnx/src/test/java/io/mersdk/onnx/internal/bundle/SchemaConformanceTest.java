package io.mersdk.onnx.internal.bundle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mersdk.BundleException;
import io.mersdk.onnx.testing.TestData;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The Java loader requires what mer-train's JSON Schema requires: every "required" field of the
 * schema, removed from a valid manifest, is a BundleException naming that field. Read from the
 * schema file itself, so the two cannot drift apart silently.
 */
class SchemaConformanceTest {
  static Path schemaFile() {
    return TestData.root().resolveSibling("mer-train").resolve("src/mer_train/schema/bundle.schema.json");
  }

  /** Dotted paths of every required field of the schema's (nested) objects. */
  static Stream<String> requiredFields() throws IOException {
    JsonNode schema = HandMadeBundle.JSON.readTree(Files.readAllBytes(schemaFile()));
    List<String> out = new ArrayList<>();
    collect(schema, "", out);
    // The shared "encoder" definition (wavlm, text) and the per-modality rules (allOf).
    schema.get("$defs").get("encoder").get("required")
        .forEach(r -> List.of("wavlm.", "text.").forEach(p -> out.add(p + r.asText())));
    // The conditional rules (per modality, per format version): their "then" may require fields
    // at any depth.
    for (JsonNode rule : schema.get("allOf")) {
      collect(rule.get("then"), "", out);
    }
    return out.stream().distinct();
  }

  private static void collect(JsonNode schema, String prefix, List<String> out) {
    if (schema.has("required")) {
      schema.get("required").forEach(r -> out.add(prefix + r.asText()));
    }
    if (schema.has("properties")) {
      schema.get("properties").fields().forEachRemaining(e -> {
        if (e.getValue().isObject()) {
          collect(e.getValue(), prefix + e.getKey() + ".", out);
        }
      });
    }
  }

  @Test
  void theSchemaIsWhereTheDocsSayAndTheHandMadeManifestIsComplete() {
    assertThat(schemaFile()).exists();
    assertThat(ManifestParser.parse(HandMadeBundle.bytes(HandMadeBundle.manifest()), "t").bundleId())
        .isEqualTo("hand-made");
    assertThat(ManifestParser.parse(HandMadeBundle.bytes(HandMadeBundle.manifestV2()), "t")
        .formatVersion()).isEqualTo(2);
  }

  /**
   * On the format-2 manifest, which has every field any version requires (a rule that applies
   * only to format 2 applies to it too).
   */
  @ParameterizedTest
  @MethodSource("requiredFields")
  void aFieldTheSchemaRequiresIsRequiredHere(String path) {
    ObjectNode m = HandMadeBundle.manifestV2();
    String[] parts = path.split("\\.");
    JsonNode parent = m;
    for (int i = 0; i < parts.length - 1; i++) {
      parent = parent.get(parts[i]);
    }
    assertThat(parent).as("hand-made manifest has " + path).isNotNull();
    ((ObjectNode) parent).remove(parts[parts.length - 1]);
    assertThatThrownBy(() -> ManifestParser.parse(HandMadeBundle.bytes(m), "t"))
        .isInstanceOf(BundleException.class)
        .hasMessageContaining(path + " is missing");
  }
}

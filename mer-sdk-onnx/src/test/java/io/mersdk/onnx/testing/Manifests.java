package io.mersdk.onnx.testing;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.function.Consumer;

/** Edits a copied bundle's bundle.json (which is not itself checksummed). */
public final class Manifests {
  private static final ObjectMapper JSON = new ObjectMapper();

  private Manifests() {}

  public static ObjectNode read(Path bundle) {
    try {
      return (ObjectNode) JSON.readTree(bundle.resolve("bundle.json").toFile());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static void edit(Path bundle, Consumer<ObjectNode> change) {
    Path file = bundle.resolve("bundle.json");
    try {
      ObjectNode root = (ObjectNode) JSON.readTree(file.toFile());
      change.accept(root);
      JSON.writerWithDefaultPrettyPrinter().writeValue(file.toFile(), root);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}

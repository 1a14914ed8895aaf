package io.mersdk.onnx.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The committed tiny bundles ({@code testdata/bundles/<id>}) and their parity fixtures ({@code
 * testdata/fixtures/<id>/fixtures.json} with raw little-endian arrays), written by {@code python -m
 * mer_train make-test-bundle}.
 */
public final class TestData {
  private static final ObjectMapper JSON = new ObjectMapper();

  private TestData() {}

  public static Path root() {
    String p = System.getProperty("mer.testdata");
    Path root = p != null ? Path.of(p) : Path.of("..", "testdata");
    return root.toAbsolutePath().normalize();
  }

  /** Every bundle folder under testdata/bundles, sorted by name. */
  public static List<Path> bundles() {
    return bundleFolders(root().resolve("bundles"));
  }

  /** The sub-folders of {@code dir} holding a bundle.json, sorted; none when it does not exist. */
  private static List<Path> bundleFolders(Path dir) {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(b -> Files.isRegularFile(b.resolve("bundle.json"))).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Bundles rewritten by {@code python -m mer_train fuse} (fused attention, cross-attention K/V one
   * tensor per decoder layer): testdata/rewritten/NAME is {@code fuse testdata/bundles/NAME}
   * (scripts/make_rewritten_fixtures.py), so the fixtures of NAME describe it (same bundle id).
   */
  public static List<Path> rewrittenBundles() {
    return bundleFolders(root().resolve("rewritten"));
  }

  /** The format-1 bundle kept byte for byte for the compatibility test: testdata/compat/format-1. */
  public static Optional<Path> compatFormat1Bundle() {
    Path b = root().resolve("compat").resolve("format-1").resolve("tiny-b");
    return Files.isRegularFile(b.resolve("bundle.json")) ? Optional.of(b) : Optional.empty();
  }

  /** Its fixtures, testdata/compat/format-1/fixtures/tiny-b. */
  public static Optional<Fixtures> compatFormat1Fixtures() {
    return fixtures(root().resolve("compat").resolve("format-1").resolve("fixtures"), "tiny-b");
  }

  public static Optional<Fixtures> fixtures(String bundleId) {
    return fixtures(root().resolve("fixtures"), bundleId);
  }

  private static Optional<Fixtures> fixtures(Path folder, String bundleId) {
    Path file = folder.resolve(bundleId).resolve("fixtures.json");
    if (!Files.isRegularFile(file)) {
      return Optional.empty();
    }
    try {
      return Optional.of(new Fixtures(file.getParent(), JSON.readTree(file.toFile())));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A float array with its shape. */
  public record Array(long[] shape, float[] data) {}

  /** One bundle's fixtures. */
  public record Fixtures(Path folder, JsonNode json) {
    public String bundleId() {
      return json.get("bundle_id").asText();
    }

    public double tolerance(String name) {
      return json.get("tolerances").get(name).asDouble();
    }

    public List<Case> cases() {
      List<Case> out = new ArrayList<>();
      json.get("cases").forEach(c -> out.add(new Case(folder, c)));
      return out;
    }
  }

  /** One utterance of the fixtures. */
  public record Case(Path folder, JsonNode json) {
    public String name() {
      return json.get("name").asText();
    }

    public String sentence() {
      return json.get("sentence").asText();
    }

    public String transcript() {
      return json.get("transcript").asText();
    }

    public String label() {
      return json.get("label").asText();
    }

    public List<Integer> ints(String field) {
      List<Integer> out = new ArrayList<>();
      json.get(field).forEach(n -> out.add(n.asInt()));
      return out;
    }

    public double[] doubles(String field) {
      JsonNode n = json.get(field);
      double[] out = new double[n.size()];
      for (int i = 0; i < out.length; i++) {
        out[i] = n.get(i).asDouble();
      }
      return out;
    }

    public boolean has(String field) {
      return json.has(field);
    }

    public float[] waveform() {
      return array("waveform").orElseThrow().data();
    }

    /** Names of the arrays this case has. */
    public Map<String, Array> arrays() {
      Map<String, Array> out = new LinkedHashMap<>();
      json.get("arrays").fieldNames().forEachRemaining(n -> out.put(n, array(n).orElseThrow()));
      return out;
    }

    public Optional<Array> array(String name) {
      JsonNode a = json.get("arrays").get(name);
      if (a == null) {
        return Optional.empty();
      }
      if (!a.get("dtype").asText().equals("float32")) {
        throw new IllegalStateException("array " + name + " is " + a.get("dtype") + ", not float32");
      }
      long[] shape = new long[a.get("shape").size()];
      long n = 1;
      for (int i = 0; i < shape.length; i++) {
        shape[i] = a.get("shape").get(i).asLong();
        n *= shape[i];
      }
      try {
        byte[] bytes = Files.readAllBytes(folder.resolve(a.get("file").asText()));
        if (bytes.length != n * 4) {
          throw new IllegalStateException(a.get("file") + " has " + bytes.length + " bytes, shape says " + n * 4);
        }
        float[] data = new float[(int) n];
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(data);
        return Optional.of(new Array(shape, data));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  /** Copies a bundle folder so that a test can break it. */
  public static Path copyBundle(Path bundle, Path target) {
    try {
      Files.createDirectories(target);
      try (Stream<Path> s = Files.list(bundle)) {
        for (Path f : s.toList()) {
          Files.copy(f, target.resolve(f.getFileName()));
        }
      }
      return target;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static double maxAbsDiff(float[] a, float[] b) {
    if (a.length != b.length) {
      throw new IllegalArgumentException("lengths differ: " + a.length + " vs " + b.length);
    }
    double max = 0;
    for (int i = 0; i < a.length; i++) {
      max = Math.max(max, Math.abs((double) a[i] - b[i]));
    }
    return max;
  }
}

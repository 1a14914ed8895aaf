package io.mersdk.onnx;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ArrayNode;
import io.mersdk.BundleException;
import io.mersdk.Device;
import io.mersdk.EmotionRecognizer;
import io.mersdk.onnx.testing.Manifests;
import io.mersdk.onnx.testing.TestData;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** A copy of each committed bundle, broken one way at a time: each is a BundleException naming it. */
class BundleIntegrityTest {
  @TempDir Path temp;

  static List<Path> bundles() {
    return TestData.bundles();
  }

  private Path copy(Path bundle) {
    return TestData.copyBundle(bundle, temp.resolve(bundle.getFileName()));
  }

  private static EmotionRecognizer build(Path bundle) {
    return EmotionRecognizer.builder().speechGate(false).bundle(bundle).device(Device.CPU).threads(1).build();
  }

  @ParameterizedTest
  @MethodSource("bundles")
  void aMissingFileIsNamed(Path bundle) throws IOException {
    Path broken = copy(bundle);
    Files.delete(broken.resolve("head.onnx"));
    assertThatThrownBy(() -> build(broken))
        .isInstanceOf(BundleException.class)
        .hasMessageContaining("head.onnx").hasMessageContaining("missing");
  }

  @ParameterizedTest
  @MethodSource("bundles")
  void oneChangedByteFailsTheChecksum(Path bundle) throws IOException {
    Path broken = copy(bundle);
    Path file = broken.resolve("head.onnx"); // the one graph every bundle has
    byte[] bytes = Files.readAllBytes(file);
    bytes[bytes.length / 2] ^= 0x01;
    Files.write(file, bytes);
    assertThatThrownBy(() -> build(broken))
        .isInstanceOf(BundleException.class)
        .hasMessageContaining("head.onnx").hasMessageContaining("SHA-256");
  }

  @ParameterizedTest
  @MethodSource("bundles")
  void aTruncatedFileFailsTheSizeCheck(Path bundle) throws IOException {
    Path broken = copy(bundle);
    Path file = broken.resolve("head.onnx");
    byte[] bytes = Files.readAllBytes(file);
    Files.write(file, java.util.Arrays.copyOf(bytes, bytes.length - 1));
    assertThatThrownBy(() -> build(broken))
        .isInstanceOf(BundleException.class)
        .hasMessageContaining("head.onnx").hasMessageContaining("bytes");
  }

  @ParameterizedTest
  @MethodSource("bundles")
  void anUnlistedExtraFileIsNamed(Path bundle) throws IOException {
    Path broken = copy(bundle);
    Files.writeString(broken.resolve("notes.txt"), "not part of the bundle");
    assertThatThrownBy(() -> build(broken))
        .isInstanceOf(BundleException.class)
        .hasMessageContaining("notes.txt").hasMessageContaining("not listed");
  }

  @ParameterizedTest
  @MethodSource("bundles")
  void anotherFormatVersionIsRefused(Path bundle) {
    Path broken = copy(bundle);
    Manifests.edit(broken, m -> m.put("format_version", 3));
    assertThatThrownBy(() -> build(broken))
        .isInstanceOf(BundleException.class)
        .hasMessageContaining("format_version is 3").hasMessageContaining("format versions 1 to 2");
  }

  @ParameterizedTest
  @MethodSource("bundles")
  void aLabelCountThatDoesNotMatchTheHeadIsRefused(Path bundle) {
    Path broken = copy(bundle);
    // one label more than the head classifies (removing one could leave fewer than the 2 required)
    Manifests.edit(broken, m -> ((ArrayNode) m.get("labels")).add("not-in-the-head"));
    assertThatThrownBy(() -> build(broken))
        .isInstanceOf(BundleException.class)
        .hasMessageContaining("labels has").hasMessageContaining("head.onnx");
  }

  @ParameterizedTest
  @MethodSource("bundles")
  void aMissingRequiredFieldIsNamed(Path bundle) {
    Path broken = copy(bundle);
    Manifests.edit(broken, m -> ((com.fasterxml.jackson.databind.node.ObjectNode) m.get("audio"))
        .remove("min_samples"));
    assertThatThrownBy(() -> build(broken))
        .isInstanceOf(BundleException.class)
        .hasMessageContaining("audio.min_samples").hasMessageContaining("missing");
  }

  @ParameterizedTest
  @MethodSource("bundles")
  void aGraphThatIsNotOnnxIsABundleException(Path bundle) throws IOException {
    Path broken = copy(bundle);
    // Valid checksum, invalid model: the manifest is rewritten to match the garbage.
    byte[] garbage = "this is not an ONNX model".getBytes(java.nio.charset.StandardCharsets.UTF_8);
    Files.write(broken.resolve("head.onnx"), garbage);
    String sha = java.util.HexFormat.of().formatHex(
        sha256(garbage));
    Manifests.edit(broken, m -> ((com.fasterxml.jackson.databind.node.ObjectNode) m.get("files").get("head.onnx"))
        .put("sha256", sha).put("bytes", garbage.length));
    assertThatThrownBy(() -> build(broken))
        .isInstanceOf(BundleException.class)
        .hasMessageContaining("head.onnx").hasMessageContaining("could not be loaded");
  }

  private static byte[] sha256(byte[] data) {
    try {
      return java.security.MessageDigest.getInstance("SHA-256").digest(data);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
  }

  @ParameterizedTest
  @MethodSource("bundles")
  void aManifestSizeThatDoesNotMatchTheGraphsIsNamed(Path bundle) {
    Path broken = copy(bundle);
    // the first encoder the bundle has: a size its graph does not have
    String section = Manifests.read(bundle).has("text") ? "text" : "wavlm";
    String graph = section.equals("text") ? "roberta.onnx" : "wavlm.onnx";
    Manifests.edit(broken, m -> {
      var encoder = (com.fasterxml.jackson.databind.node.ObjectNode) m.get(section);
      encoder.put("hidden_size", encoder.get("hidden_size").asInt() + 8);
    });
    assertThatThrownBy(() -> build(broken))
        .isInstanceOf(BundleException.class)
        .hasMessageContaining(graph).hasMessageContaining(section + ".hidden_size");
  }

  /** A graph from another bundle, with a matching checksum: its shapes give it away. */
  @org.junit.jupiter.api.Test
  void aGraphFromAnotherBundleIsRefused() throws IOException {
    // two bundles with WavLM graphs of different sizes
    List<Path> withWavlm = TestData.bundles().stream()
        .filter(b -> Files.exists(b.resolve("wavlm.onnx"))).toList();
    Path first = withWavlm.get(0);
    Path other = withWavlm.stream().filter(b -> !Manifests.read(b).get("wavlm")
        .equals(Manifests.read(first).get("wavlm"))).findFirst().orElseThrow();
    Path a = copy(first);
    byte[] foreign = Files.readAllBytes(other.resolve("wavlm.onnx"));
    Files.write(a.resolve("wavlm.onnx"), foreign);
    Manifests.edit(a, m -> ((com.fasterxml.jackson.databind.node.ObjectNode) m.get("files").get("wavlm.onnx"))
        .put("sha256", java.util.HexFormat.of().formatHex(sha256(foreign))).put("bytes", foreign.length));
    assertThatThrownBy(() -> build(a))
        .isInstanceOf(BundleException.class)
        .hasMessageContaining("wavlm.onnx output hidden_states").hasMessageContaining("wavlm.");
  }
}

package io.mersdk.onnx.internal.bundle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mersdk.BundleException;
import io.mersdk.spi.BundleLocation;
import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The file checks on a hand-made bundle of dummy files: no model needed. */
class BundleLoaderTest {
  @TempDir Path temp;

  private Path bundle() {
    return HandMadeBundle.write(temp.resolve("b"), m -> { });
  }

  @Test
  void aCompleteBundleLoadsWithEveryChecksumVerified() {
    try (LoadedBundle b = BundleLoader.load(new BundleLocation.Directory(bundle()))) {
      assertThat(b.manifest().bundleId()).isEqualTo("hand-made");
      assertThat(b.graph(GraphSpec.HEAD)).hasFileName("head.onnx").exists();
      assertThat(b.temporaryFolder()).isEmpty();
      assertThat(b.info().labels()).hasSize(4);
    }
  }

  @Test
  void aFolderWithoutManifestIsNamed() throws IOException {
    Path b = bundle();
    Files.delete(b.resolve("bundle.json"));
    assertThatThrownBy(() -> BundleLoader.load(new BundleLocation.Directory(b)))
        .isInstanceOf(BundleException.class).hasMessageContaining("no bundle.json");
  }

  @Test
  void aMissingFileIsNamed() throws IOException {
    Path b = bundle();
    Files.delete(b.resolve("wavlm.onnx"));
    assertThatThrownBy(() -> BundleLoader.load(new BundleLocation.Directory(b)))
        .isInstanceOf(BundleException.class)
        .hasMessageContaining("file wavlm.onnx is listed in bundle.json files but missing");
  }

  @Test
  void aChangedByteIsNamedWithBothChecksums() throws IOException {
    Path b = bundle();
    byte[] bytes = Files.readAllBytes(b.resolve("head.onnx"));
    bytes[0] ^= 0x20;
    Files.write(b.resolve("head.onnx"), bytes);
    String expected = HandMadeBundle.manifest().get("files").get("head.onnx").get("sha256").asText();
    assertThatThrownBy(() -> BundleLoader.load(new BundleLocation.Directory(b)))
        .isInstanceOf(BundleException.class)
        .hasMessageContaining("file head.onnx has SHA-256 " + HandMadeBundle.sha256(bytes))
        .hasMessageContaining("says " + expected);
  }

  @Test
  void aWrongSizeIsNamed() {
    Path b = HandMadeBundle.write(temp.resolve("b"),
        m -> ((ObjectNode) m.get("files").get("roberta.onnx")).put("bytes", 1));
    assertThatThrownBy(() -> BundleLoader.load(new BundleLocation.Directory(b)))
        .isInstanceOf(BundleException.class).hasMessageContaining("roberta.onnx has")
        .hasMessageContaining("files.roberta.onnx.bytes says 1");
  }

  @Test
  void unlistedFilesAreRefusedButDotFilesIgnored() throws IOException {
    Path b = bundle();
    Files.writeString(b.resolve(".DS_Store"), "os junk");
    try (LoadedBundle ok = BundleLoader.load(new BundleLocation.Directory(b))) {
      assertThat(ok.manifest()).isNotNull();
    }
    Files.writeString(b.resolve("extra.onnx"), "x");
    assertThatThrownBy(() -> BundleLoader.load(new BundleLocation.Directory(b)))
        .isInstanceOf(BundleException.class).hasMessageContaining("[extra.onnx]");
  }

  @Test
  void aClassPathBundleIsExtractedAndTheCopyDeletedOnClose() throws IOException {
    Path root = temp.resolve("cp");
    HandMadeBundle.write(root.resolve("models").resolve("hand"), m -> { });
    try (URLClassLoader loader = new URLClassLoader(new URL[] {root.toUri().toURL()}, null)) {
      LoadedBundle b = BundleLoader.load(new BundleLocation.Resource(loader, "/models/hand/"));
      Path copy = b.temporaryFolder().orElseThrow();
      assertThat(b.folder()).isEqualTo(copy);
      assertThat(copy.resolve("head.onnx")).hasBinaryContent(HandMadeBundle.contents().get("head.onnx"));
      assertThat(b.description()).isEqualTo("classpath:models/hand");
      b.close();
      assertThat(copy).doesNotExist();
    }
  }

  @Test
  void aCorruptClassPathFileLeavesNoTemporaryCopyBehind() throws IOException {
    Path root = temp.resolve("cp");
    Path b = HandMadeBundle.write(root.resolve("hand"), m -> { });
    Files.writeString(b.resolve("features.onnx"), "changed");
    long before = countTempBundles();
    try (URLClassLoader loader = new URLClassLoader(new URL[] {root.toUri().toURL()}, null)) {
      assertThatThrownBy(() -> BundleLoader.load(new BundleLocation.Resource(loader, "hand")))
          .isInstanceOf(BundleException.class).hasMessageContaining("features.onnx");
    }
    assertThat(countTempBundles()).isEqualTo(before);
  }

  private static long countTempBundles() throws IOException {
    try (var s = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
      return s.filter(p -> p.getFileName().toString().startsWith("mer-bundle-")).count();
    }
  }
}

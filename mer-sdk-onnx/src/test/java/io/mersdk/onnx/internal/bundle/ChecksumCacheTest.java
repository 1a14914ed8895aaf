package io.mersdk.onnx.internal.bundle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mersdk.BundleException;
import io.mersdk.spi.BundleLocation;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The checksum cache's trust rule (docs/model-bundle.md): a file that passed the full check is
 * trusted while its size, modification time and file key are unchanged; anything else is hashed.
 */
class ChecksumCacheTest {
  @TempDir Path temp;

  private Path bundle() {
    return HandMadeBundle.write(temp.resolve("b"), m -> { });
  }

  private Optional<Path> cache() {
    return Optional.of(temp.resolve("cache"));
  }

  private LoadedBundle load(Path b, Optional<Path> cache) {
    return BundleLoader.load(new BundleLocation.Directory(b), cache);
  }

  /** Flips one byte of {@code name} and sets its modification time back to what it was. */
  private static void flipByteKeepingSizeAndTime(Path b, String name) throws IOException {
    Path file = b.resolve(name);
    FileTime mtime = Files.getLastModifiedTime(file);
    byte[] bytes = Files.readAllBytes(file);
    bytes[0] ^= 0x20;
    Files.write(file, bytes);
    Files.setLastModifiedTime(file, mtime);
  }

  @Test
  void aFullCheckLeavesOneRecordInTheCacheFolder() throws IOException {
    load(bundle(), cache()).close();
    try (Stream<Path> records = Files.list(temp.resolve("cache"))) {
      assertThat(records.map(p -> p.getFileName().toString())).singleElement()
          .satisfies(n -> assertThat(n).endsWith(".properties"));
    }
  }

  @Test
  void aChangedByteWithANewModificationTimeIsCaughtAfterAFullCheck() throws IOException {
    Path b = bundle();
    load(b, cache()).close();
    Path file = b.resolve("head.onnx");
    byte[] bytes = Files.readAllBytes(file);
    bytes[0] ^= 0x20;
    Files.write(file, bytes);
    Files.setLastModifiedTime(file, FileTime.fromMillis(Files.getLastModifiedTime(file).toMillis() + 2000));
    assertThatThrownBy(() -> load(b, cache()))
        .isInstanceOf(BundleException.class)
        .hasMessageContaining("head.onnx").hasMessageContaining("SHA-256");
  }

  @Test
  void aChangeThatKeepsSizeAndModificationTimeIsTrustedByDesign() throws IOException {
    Path b = bundle();
    load(b, cache()).close();
    flipByteKeepingSizeAndTime(b, "head.onnx");
    // the documented limit of the rule: such a change is only caught when verification is forced
    load(b, cache()).close();
    assertThatThrownBy(() -> load(b, Optional.empty()))
        .isInstanceOf(BundleException.class).hasMessageContaining("head.onnx").hasMessageContaining("SHA-256");
  }

  @Test
  void withoutACacheEveryLoadHashesEveryFile() throws IOException {
    Path b = bundle();
    load(b, Optional.empty()).close();
    flipByteKeepingSizeAndTime(b, "wavlm.onnx");
    assertThatThrownBy(() -> load(b, Optional.empty()))
        .isInstanceOf(BundleException.class).hasMessageContaining("wavlm.onnx");
    assertThat(temp.resolve("cache")).doesNotExist();
  }

  @Test
  void aFileThatFailedIsNotRecordedAndFailsAgain() throws IOException {
    Path b = bundle();
    flipByteKeepingSizeAndTime(b, "head.onnx");
    for (int i = 0; i < 2; i++) {
      assertThatThrownBy(() -> load(b, cache()))
          .isInstanceOf(BundleException.class).hasMessageContaining("head.onnx");
    }
  }

  @Test
  void aCopyOfTheBundleIsHashedAgain() throws IOException {
    Path b = bundle();
    load(b, cache()).close();
    Path copy = temp.resolve("copy");
    Files.createDirectories(copy);
    try (Stream<Path> files = Files.list(b)) {
      for (Path f : files.toList()) {
        Files.copy(f, copy.resolve(f.getFileName()), java.nio.file.StandardCopyOption.COPY_ATTRIBUTES);
      }
    }
    flipByteKeepingSizeAndTime(copy, "head.onnx");
    assertThatThrownBy(() -> load(copy, cache()))
        .isInstanceOf(BundleException.class).hasMessageContaining("head.onnx");
  }

  @Test
  void anUnreadableOrUnwritableCacheOnlyCostsTheHashing() throws IOException {
    Path b = bundle();
    Path notAFolder = Files.writeString(temp.resolve("cache-file"), "not a folder");
    load(b, Optional.of(notAFolder)).close();
    load(b, cache()).close();
    try (Stream<Path> records = Files.list(temp.resolve("cache"))) {
      for (Path r : records.toList()) {
        Files.writeString(r, "\\u00zz garbage");
      }
    }
    flipByteKeepingSizeAndTime(b, "head.onnx");
    assertThatThrownBy(() -> load(b, cache()))
        .isInstanceOf(BundleException.class).hasMessageContaining("head.onnx");
  }

  @Test
  void recordsNotWrittenForThirtyDaysArePrunedWhenAnotherIsWritten() throws IOException {
    Path cacheDir = temp.resolve("cache");
    Files.createDirectories(cacheDir);
    Path stale = Files.writeString(cacheDir.resolve("0123.properties"), "x=y\n");
    Files.setLastModifiedTime(stale, FileTime.from(java.time.Instant.now().minus(ChecksumCache.MAX_AGE).minusSeconds(60)));
    Path recent = Files.writeString(cacheDir.resolve("4567.properties"), "x=y\n");
    load(bundle(), cache()).close();
    assertThat(stale).doesNotExist();
    assertThat(recent).exists();
  }
}

package io.mersdk.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mersdk.Device;
import io.mersdk.EmotionRecognizer;
import io.mersdk.EmotionResult;
import io.mersdk.Utterance;
import io.mersdk.onnx.internal.pipeline.OnnxBackend;
import io.mersdk.onnx.testing.Backends;
import io.mersdk.onnx.testing.TestData;
import io.mersdk.spi.BackendConfig;
import io.mersdk.spi.BundleLocation;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** close() releases everything; calls after it fail; closing twice is harmless. */
class LifecycleTest {
  private final Path bundle = TestData.bundles().get(0);
  private final float[] samples =
      TestData.fixtures(bundle.getFileName().toString()).orElseThrow().cases().get(0).waveform();

  @Test
  void aCallAfterCloseThrowsIllegalState() {
    EmotionRecognizer recognizer =
        EmotionRecognizer.builder().speechGate(false).bundle(bundle).device(Device.CPU).threads(1).build();
    assertThat(recognizer.recognize(samples).isFailed()).isFalse();
    recognizer.close();

    assertThatThrownBy(() -> recognizer.recognize(samples))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
    assertThatCode(recognizer::close).as("second close").doesNotThrowAnyException();
  }

  @Test
  void aClassPathBundleIsExtractedOnceAndItsCopyDeletedOnClose() throws Exception {
    URL root = TestData.root().resolve("bundles").toUri().toURL();
    EmotionResult fromFolder;
    try (Backends.TestBackend folder = Backends.wrap(open(new BundleLocation.Directory(bundle)))) {
      fromFolder = folder.recognize(List.of(Utterance.of(samples))).get(0);
    }
    try (URLClassLoader loader = new URLClassLoader(new URL[] {root}, null)) {
      OnnxBackend backend = open(new BundleLocation.Resource(loader, bundle.getFileName().toString()));
      Path copy = backend.bundleFolder();
      assertThat(copy).isNotEqualTo(bundle);
      assertThat(Files.list(copy).count()).isEqualTo(backend.manifest().files().size());

      EmotionResult fromJar = Backends.wrap(backend).recognize(List.of(Utterance.of(samples))).get(0);
      assertThat(fromJar.outcome()).isEqualTo(fromFolder.outcome());
      assertThat(fromJar.speech()).isEqualTo(fromFolder.speech());
      assertThat(fromJar.asrTokenIds()).isEqualTo(fromFolder.asrTokenIds());
      if (fromJar.isEmotion()) {
        assertThat(fromJar.probabilities()).isEqualTo(fromFolder.probabilities());
      }

      backend.close();
      assertThat(copy).doesNotExist();
    }
  }

  @Test
  void aMissingClassPathBundleIsABundleException() throws Exception {
    try (URLClassLoader loader = new URLClassLoader(new URL[0], null)) {
      assertThatThrownBy(() -> open(new BundleLocation.Resource(loader, "no/such-bundle")))
          .isInstanceOf(io.mersdk.BundleException.class)
          .hasMessageContaining("no/such-bundle/bundle.json");
    }
  }

  private static OnnxBackend open(BundleLocation location) {
    return (OnnxBackend) new OnnxBackendProvider().open(
        BackendConfig.builder(location).device(Device.CPU).threads(1).build());
  }
}

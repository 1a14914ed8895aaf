package io.mersdk.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mersdk.BundleException;
import io.mersdk.BundleInfo;
import io.mersdk.Device;
import io.mersdk.EmotionRecognizer;
import io.mersdk.Modality;
import io.mersdk.onnx.testing.TestData;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/** The builder finds this backend with ServiceLoader and validates its settings once. */
class BuilderTest {
  static List<Path> bundles() {
    return TestData.bundles();
  }

  @Test
  void threadsBelowOneAreRefusedByName() {
    assertThatThrownBy(() -> EmotionRecognizer.builder().speechGate(false).bundle(TestData.bundles().get(0)).threads(0).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("threads");
  }

  @Test
  void aBundleMustBeSet() {
    assertThatThrownBy(() -> EmotionRecognizer.builder().speechGate(false).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("bundle");
  }

  @Test
  void aMissingFolderIsABundleException() {
    assertThatThrownBy(() -> EmotionRecognizer.builder().speechGate(false).bundle(Path.of("no", "such", "bundle")).build())
        .isInstanceOf(BundleException.class).hasMessageContaining("no/such/bundle");
  }

  @ParameterizedTest
  @MethodSource("bundles")
  void bundleInfoComesFromTheManifest(Path bundle) throws Exception {
    var manifest = new com.fasterxml.jackson.databind.ObjectMapper().readTree(bundle.resolve("bundle.json").toFile());
    try (EmotionRecognizer r = EmotionRecognizer.builder().speechGate(false).bundle(bundle).device(Device.CPU).threads(1).build()) {
      BundleInfo info = r.bundle();
      assertThat(info.bundleId()).isEqualTo(manifest.get("bundle_id").asText());
      assertThat(info.formatVersion()).isEqualTo(manifest.get("format_version").asInt());
      assertThat(r.labels()).hasSize(manifest.get("labels").size());
      assertThat(r.labels().get(0)).isEqualTo(manifest.get("labels").get(0).asText());
      assertThat(info.modalities()).hasSize(manifest.get("variant").get("modalities").size());
      assertThat(info.sampleRate()).isEqualTo(manifest.get("audio").get("sample_rate").asInt());
      // a bundle that runs Whisper (context, or text decoding) has the window audio.n_samples
      if (manifest.has("whisper")) {
        assertThat(info.asrWindowSamples()).hasValue(manifest.get("audio").get("n_samples").asInt());
        assertThat(info.asrWindow()).hasValue(java.time.Duration.ofMillis(
            1000L * manifest.get("audio").get("n_samples").asInt() / info.sampleRate()));
      } else {
        assertThat(info.asrWindowSamples()).isEmpty();
      }
    }
  }

  @ParameterizedTest
  @MethodSource("bundles")
  void requiredModalitiesAreCheckedAgainstTheVariant(Path bundle) throws Exception {
    var manifest = new com.fasterxml.jackson.databind.ObjectMapper().readTree(bundle.resolve("bundle.json").toFile());
    EnumSet<Modality> has = EnumSet.noneOf(Modality.class);
    manifest.get("variant").get("modalities").forEach(m -> has.add(Modality.valueOf(m.asText().toUpperCase())));

    try (EmotionRecognizer r = EmotionRecognizer.builder().speechGate(false).bundle(bundle).device(Device.CPU).threads(1)
        .requireModalities(has.toArray(Modality[]::new)).build()) {
      assertThat(r.bundle().modalities()).isEqualTo(has);
    }
    for (Modality m : EnumSet.complementOf(has)) {
      assertThatThrownBy(() -> EmotionRecognizer.builder().speechGate(false).bundle(bundle).device(Device.CPU)
              .requireModalities(m).build())
          .isInstanceOf(BundleException.class).hasMessageContaining(m.name());
    }
  }
}

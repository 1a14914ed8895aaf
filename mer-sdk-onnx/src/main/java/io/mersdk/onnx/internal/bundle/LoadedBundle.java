package io.mersdk.onnx.internal.bundle;

import io.mersdk.BundleInfo;
import io.mersdk.onnx.internal.runtime.Files2;
import java.nio.file.Path;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * A bundle whose manifest is valid and whose files are all present with the right checksums, in
 * {@link #folder()}. For a class-path bundle the folder is a temporary copy that {@link #close()}
 * deletes.
 *
 * @param description where it came from, for messages ({@code /models/x} or {@code classpath:x})
 */
public record LoadedBundle(
    String description, Path folder, Manifest manifest, Optional<Path> temporaryFolder)
    implements AutoCloseable {

  /** The file a graph or tokenizer key names, in the bundle folder. */
  public Path graph(GraphSpec spec) {
    return folder.resolve(manifest.graphs().get(spec.key()));
  }

  public Path tokenizer(String key) {
    return folder.resolve(manifest.tokenizers().get(key));
  }

  public BundleInfo info() {
    return BundleInfo.builder(manifest.bundleId(), manifest.labels(),
            manifest.variant().modalities(), manifest.audio().sampleRate())
        .formatVersion(manifest.formatVersion())
        .layerAdapter(manifest.variant().layerAdapter())
        .multimodalFusion(manifest.variant().multimodalFusion())
        .minSamples(manifest.audio().minSamples())
        .asrWindowSamples(manifest.hasWhisper()
            ? OptionalInt.of(manifest.audio().nSamples()) : OptionalInt.empty())
        .speechThresholds(manifest.speechThresholds())
        .modelSpeechEvidence(manifest.hasModelSpeechEvidence())
        .build();
  }

  /** Deletes the temporary copy of a class-path bundle; nothing for a folder bundle. */
  @Override
  public void close() {
    temporaryFolder.ifPresent(Files2::deleteRecursively);
  }
}

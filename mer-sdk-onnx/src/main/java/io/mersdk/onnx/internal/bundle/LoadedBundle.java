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
    return new BundleInfo(
        manifest.bundleId(),
        manifest.formatVersion(),
        manifest.labels(),
        manifest.variant().modalities(),
        manifest.variant().layerAdapter(),
        manifest.variant().multimodalFusion(),
        manifest.audio().sampleRate(),
        manifest.hasWhisper() ? OptionalInt.of(manifest.audio().nSamples()) : OptionalInt.empty(),
        manifest.speechThresholds(),
        manifest.hasModelSpeechEvidence());
  }

  /** Deletes the temporary copy of a class-path bundle; nothing for a folder bundle. */
  @Override
  public void close() {
    temporaryFolder.ifPresent(Files2::deleteRecursively);
  }
}

package io.mersdk;

import java.util.List;
import java.util.Set;

/**
 * What a loaded model bundle is, read from its manifest.
 *
 * @param bundleId the manifest's {@code bundle_id}
 * @param formatVersion the manifest's {@code format_version}
 * @param labels the labels in output order
 * @param modalities the modalities the fusion head uses
 * @param layerAdapter whether the head uses layer adapters (paper eqs. 1-2)
 * @param multimodalFusion whether the head uses the MLF fusion module (paper eqs. 3-8)
 * @param sampleRate the sample rate the models expect, in Hz
 */
public record BundleInfo(
    String bundleId,
    int formatVersion,
    List<String> labels,
    Set<Modality> modalities,
    boolean layerAdapter,
    boolean multimodalFusion,
    int sampleRate) {
  public BundleInfo {
    labels = List.copyOf(labels);
    modalities = Set.copyOf(modalities);
  }
}

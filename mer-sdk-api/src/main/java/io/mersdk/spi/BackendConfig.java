package io.mersdk.spi;

import io.mersdk.Device;
import io.mersdk.Modality;
import java.util.Set;

/**
 * What the builder hands to a backend, already validated.
 *
 * @param bundle where the model bundle is
 * @param device the device asked for
 * @param threads intra-op threads per model session (&gt;= 1)
 * @param requiredModalities modalities the caller insists the bundle uses (empty: no check)
 * @param fitAsrWindow run Whisper's encoder over the batch's longest utterance rounded up to whole
 *     seconds instead of the bundle's full window (see {@code
 *     EmotionRecognizer.Builder#fitAsrWindow})
 */
public record BackendConfig(
    BundleLocation bundle,
    Device device,
    int threads,
    Set<Modality> requiredModalities,
    boolean fitAsrWindow) {
  public BackendConfig {
    requiredModalities = Set.copyOf(requiredModalities);
  }

  /** The defaults: full ASR window. */
  public BackendConfig(BundleLocation bundle, Device device, int threads, Set<Modality> requiredModalities) {
    this(bundle, device, threads, requiredModalities, false);
  }
}

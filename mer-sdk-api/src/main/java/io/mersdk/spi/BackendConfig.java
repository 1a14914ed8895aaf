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
 */
public record BackendConfig(
    BundleLocation bundle, Device device, int threads, Set<Modality> requiredModalities) {
  public BackendConfig {
    requiredModalities = Set.copyOf(requiredModalities);
  }
}

package io.mersdk.testkit;

import io.mersdk.MerException;
import io.mersdk.spi.BackendConfig;
import io.mersdk.spi.InferenceBackend;
import io.mersdk.spi.InferenceBackendProvider;
import java.util.Comparator;
import java.util.ServiceLoader;
import java.util.stream.StreamSupport;

/**
 * For a test provider that outranks every other and hands (some) bundles on to the real backend
 * beside it on the class path (mer-sdk-onnx): the recogniser would otherwise pick the test
 * provider again.
 */
public final class RealBackend {
  private RealBackend() {}

  /**
   * Opens {@code config} with the highest-priority provider on {@code self}'s class path that is
   * not of {@code self}'s class; {@code why} ends the message when there is none.
   */
  public static InferenceBackend open(Class<? extends InferenceBackendProvider> self,
      BackendConfig config, String why) {
    return StreamSupport.stream(ServiceLoader.load(InferenceBackendProvider.class,
            self.getClassLoader()).spliterator(), false)
        .filter(p -> !self.isInstance(p))
        .max(Comparator.comparingInt(InferenceBackendProvider::priority))
        .orElseThrow(() -> new MerException(self.getSimpleName() + ": " + why))
        .open(config);
  }
}

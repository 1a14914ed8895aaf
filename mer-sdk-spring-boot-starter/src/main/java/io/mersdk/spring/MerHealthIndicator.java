package io.mersdk.spring;

import io.mersdk.Device;
import io.mersdk.EmotionRecognizer;
import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;

/**
 * Actuator health of the shared recogniser (component {@code mer}): UP with the bundle id, labels,
 * the device actually used and whether the speech gate runs; DOWN when the recogniser is closed, or
 * when a CUDA device was required ({@code mer.device=cuda[:N]} or {@code mer.health.require-cuda})
 * and the models run elsewhere.
 */
public class MerHealthIndicator extends AbstractHealthIndicator {
  private final EmotionRecognizer recognizer;
  private final boolean requireCuda;

  /**
   * @param recognizer the recogniser to report on
   * @param requireCuda whether a device other than CUDA is DOWN
   */
  public MerHealthIndicator(EmotionRecognizer recognizer, boolean requireCuda) {
    super("emotion recogniser health check failed");
    this.recognizer = recognizer;
    this.requireCuda = requireCuda;
  }

  @Override
  protected void doHealthCheck(Health.Builder builder) {
    Device device = recognizer.device();
    builder.withDetail("bundleId", recognizer.bundle().bundleId())
        .withDetail("labels", recognizer.labels())
        .withDetail("device", device.toString())
        .withDetail("speechGate", recognizer.speechGate());
    if (recognizer.isClosed()) {
      builder.down().withDetail("reason", "the recogniser is closed");
    } else if (requireCuda && device.kind() != Device.Kind.CUDA) {
      builder.down().withDetail("reason", "a CUDA device is required (mer.device or "
          + "mer.health.require-cuda) but the models run on " + device + "; see docs/gpu.md");
    } else {
      builder.up();
    }
  }
}

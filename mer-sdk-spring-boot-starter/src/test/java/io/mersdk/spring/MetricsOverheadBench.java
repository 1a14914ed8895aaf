package io.mersdk.spring;

import io.micrometer.core.instrument.observation.DefaultMeterObservationHandler;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.observation.ObservationRegistry;
import io.mersdk.EmotionRecognizer;
import java.util.Arrays;
import java.util.function.Supplier;

/**
 * Bench, not a test (surefire skips it): the per-call cost of {@link EmotionRecognitionService}'s
 * meters and observation, on the fake backend so that the model's time does not hide it. Compares
 * the bare recogniser with the service on a plain registry, and with the service whose observations
 * also feed the registry (Boot's default with Actuator). Run as docs/spring-boot.md says.
 */
public final class MetricsOverheadBench {
  private MetricsOverheadBench() {}

  public static void main(String[] args) {
    int calls = args.length > 0 ? Integer.parseInt(args[0]) : 200_000;
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 7;
    try (EmotionRecognizer r = EmotionRecognizer.builder()
        .bundleResource(MetricsOverheadBench.class.getClassLoader(), "fake-bundle")
        .speechGate(false).threads(1).build()) {
      float[] samples = new float[1_600];
      Arrays.fill(samples, 0.2f);
      EmotionRecognitionService plain =
          new EmotionRecognitionService(r, new SimpleMeterRegistry(), ObservationRegistry.NOOP);
      SimpleMeterRegistry registry = new SimpleMeterRegistry();
      ObservationRegistry observations = ObservationRegistry.create();
      observations.observationConfig().observationHandler(new DefaultMeterObservationHandler(registry));
      EmotionRecognitionService observed = new EmotionRecognitionService(r, registry, observations);

      double[] bare = new double[rounds];
      double[] metered = new double[rounds];
      double[] both = new double[rounds];
      for (int k = -2; k < rounds; k++) { // two warm-up rounds
        double a = nsPerCall(calls, () -> r.recognize(samples, "angry"));
        double b = nsPerCall(calls, () -> plain.recognize(samples, "angry"));
        double c = nsPerCall(calls, () -> observed.recognize(samples, "angry"));
        if (k >= 0) {
          bare[k] = a;
          metered[k] = b;
          both[k] = c;
        }
      }
      System.out.printf("calls per round %d, rounds %d (medians)%n", calls, rounds);
      System.out.printf("bare recogniser (fake backend): %.0f ns/call%n", median(bare));
      System.out.printf("service, meters only:           %.0f ns/call (+%.0f)%n",
          median(metered), median(metered) - median(bare));
      System.out.printf("service, meters + observation:  %.0f ns/call (+%.0f)%n",
          median(both), median(both) - median(bare));
    }
  }

  private static double nsPerCall(int calls, Supplier<Object> call) {
    Object sink = null;
    long t = System.nanoTime();
    for (int i = 0; i < calls; i++) {
      sink = call.get();
    }
    double ns = (System.nanoTime() - t) / (double) calls;
    if (sink == null) {
      throw new AssertionError();
    }
    return ns;
  }

  private static double median(double[] v) {
    double[] s = v.clone();
    Arrays.sort(s);
    return s[s.length / 2];
  }
}

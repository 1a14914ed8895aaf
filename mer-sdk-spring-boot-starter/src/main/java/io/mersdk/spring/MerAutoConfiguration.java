package io.mersdk.spring;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.micrometer.observation.ObservationRegistry;
import io.mersdk.EmotionRecognizer;
import io.mersdk.spi.SpeechDetector;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnSingleCandidate;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.core.io.ResourceLoader;

/**
 * One shared {@link EmotionRecognizer} from the {@code mer.*} properties ({@link MerProperties}),
 * and an {@link EmotionRecognitionService} that meters and observes its calls (the health indicator
 * is {@link MerHealthAutoConfiguration}'s). Each backs off when the application defines its own
 * bean of that type. The context closes the recogniser on shutdown; {@link
 * EmotionRecognizer#close()} waits for the calls in flight.
 */
@AutoConfiguration(afterName = {
    // Only so that the registries exist when the service is made; nothing here requires them.
    "org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration",
    "org.springframework.boot.micrometer.observation.autoconfigure.ObservationAutoConfiguration"})
@ConditionalOnClass(EmotionRecognizer.class)
@EnableConfigurationProperties(MerProperties.class)
public class MerAutoConfiguration {

  @Bean(destroyMethod = "close")
  @ConditionalOnMissingBean
  EmotionRecognizer emotionRecognizer(MerProperties properties, ResourceLoader resources,
      ObjectProvider<SpeechDetector> detector) {
    ClassLoader loader = resources.getClassLoader() != null
        ? resources.getClassLoader() : EmotionRecognizer.class.getClassLoader();
    return RecognizerFactory.build(properties, loader, detector.getIfAvailable());
  }

  @Bean
  @ConditionalOnMissingBean
  @ConditionalOnSingleCandidate(EmotionRecognizer.class)
  EmotionRecognitionService emotionRecognitionService(EmotionRecognizer recognizer,
      ObjectProvider<MeterRegistry> meters, ObjectProvider<ObservationRegistry> observations) {
    // No registry (no Actuator): an empty composite records nothing, at almost no cost.
    return new EmotionRecognitionService(recognizer,
        meters.getIfUnique(CompositeMeterRegistry::new),
        observations.getIfUnique(() -> ObservationRegistry.NOOP));
  }
}

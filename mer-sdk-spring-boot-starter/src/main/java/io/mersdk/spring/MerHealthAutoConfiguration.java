package io.mersdk.spring;

import io.mersdk.Device;
import io.mersdk.EmotionRecognizer;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnSingleCandidate;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;

/**
 * The {@link MerHealthIndicator} (health component {@code mer}) when Actuator's health module is on
 * the class path; off with {@code management.health.mer.enabled=false}. A class of its own, after
 * {@link MerAutoConfiguration}, so that the single-recogniser condition sees the recogniser bean.
 */
@AutoConfiguration(after = MerAutoConfiguration.class)
@ConditionalOnClass({EmotionRecognizer.class, HealthIndicator.class})
@ConditionalOnEnabledHealthIndicator("mer")
@EnableConfigurationProperties(MerProperties.class)
public class MerHealthAutoConfiguration {

  @Bean
  @ConditionalOnMissingBean(name = "merHealthIndicator")
  @ConditionalOnSingleCandidate(EmotionRecognizer.class)
  MerHealthIndicator merHealthIndicator(EmotionRecognizer recognizer, MerProperties properties) {
    boolean cudaAsked = RecognizerFactory.device(properties).kind() == Device.Kind.CUDA;
    return new MerHealthIndicator(recognizer, cudaAsked || properties.getHealth().isRequireCuda());
  }
}

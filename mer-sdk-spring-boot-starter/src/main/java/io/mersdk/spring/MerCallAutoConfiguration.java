package io.mersdk.spring;

import io.mersdk.audio.CallTimeline;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;

/**
 * A {@link CallRecognitionService} over the {@link EmotionRecognitionService}, when mer-sdk-audio
 * (which holds {@link CallTimeline}) is on the class path; backs off when the application defines
 * its own.
 */
@AutoConfiguration(after = MerAutoConfiguration.class)
@ConditionalOnClass(CallTimeline.class)
@EnableConfigurationProperties(MerCallProperties.class)
public class MerCallAutoConfiguration {
  @Bean
  @ConditionalOnMissingBean
  @ConditionalOnBean(EmotionRecognitionService.class)
  CallRecognitionService callRecognitionService(EmotionRecognitionService service,
      MerCallProperties properties) {
    return new CallRecognitionService(service, properties);
  }
}

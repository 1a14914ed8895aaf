package io.mersdk.examples.spring;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * The example Spring Boot application: {@code POST /emotion} ({@link EmotionController}), Actuator
 * health and metrics. Everything about the recogniser comes from mer-sdk-spring-boot-starter and
 * application.properties; docs/spring-boot.md.
 */
@SpringBootApplication
public class MerSpringBootApp {
  public static void main(String[] args) {
    SpringApplication.run(MerSpringBootApp.class, args);
  }
}

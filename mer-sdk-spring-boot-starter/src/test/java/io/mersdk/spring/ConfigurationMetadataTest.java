package io.mersdk.spring;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** IDE completion: the configuration processor's metadata lists every mer.* property with a description. */
class ConfigurationMetadataTest {
  private static String read(String resource) throws IOException {
    try (InputStream in = ConfigurationMetadataTest.class.getClassLoader().getResourceAsStream(resource)) {
      assertThat(in).as(resource).isNotNull();
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  @Test
  void everyPropertyIsDescribed() throws IOException {
    String json = read("META-INF/spring-configuration-metadata.json");
    List<String> names = new ArrayList<>();
    Matcher m = Pattern.compile("\"name\": \"(mer\\.[a-z.-]+)\",\\s*\"type\"[^}]*\"description\"").matcher(json);
    while (m.find()) {
      names.add(m.group(1));
    }
    assertThat(names).contains("mer.bundle", "mer.device", "mer.threads", "mer.concurrent-calls", "mer.speech-gate",
        "mer.no-speech-threshold", "mer.log-prob-threshold", "mer.compression-ratio-threshold",
        "mer.fit-asr-window", "mer.parallel-encoders", "mer.prepack-weights", "mer.health.require-cuda",
        "mer.gate.threshold", "mer.gate.min-speech", "mer.gate.min-silence", "mer.gate.padding");
  }

  @Test
  void theDeviceHasValueHints() throws IOException {
    String json = read("META-INF/spring-configuration-metadata.json");
    assertThat(json).contains("\"hints\"").contains("\"name\": \"mer.device\"")
        .contains("\"value\": \"cpu\"").contains("\"value\": \"cuda\"");
  }

  @Test
  void everyAutoConfigurationIsRegistered() throws IOException {
    assertThat(read("META-INF/spring/org.springframework.boot.autoconfigure.AutoConfiguration.imports")
        .lines()).containsExactly(MerAutoConfiguration.class.getName(),
            MerHealthAutoConfiguration.class.getName(), MerCallAutoConfiguration.class.getName());
  }
}

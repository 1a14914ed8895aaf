package io.mersdk.examples.spring;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mersdk.EmotionRecognizer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;

/** Once the recogniser is closed, health is DOWN (HTTP 503) and an upload is 503 with a failed result. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
    EmotionEndpointTest.BUNDLE, "mer.threads=1", "mer.device=cpu"})
@DirtiesContext
class ClosedRecognizerTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @LocalServerPort
  int port;

  @Autowired
  EmotionRecognizer recognizer;

  @Test
  void afterCloseHealthIsDownAndUploadsAre503() throws Exception {
    recognizer.close();
    HttpClient http = HttpClient.newHttpClient();
    HttpResponse<String> health = http.send(HttpRequest.newBuilder(
        URI.create("http://127.0.0.1:" + port + "/actuator/health/mer")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(health.statusCode()).isEqualTo(503);
    JsonNode h = JSON.readTree(health.body());
    assertThat(h.path("status").asText()).isEqualTo("DOWN");
    assertThat(h.path("details").path("reason").asText()).contains("closed");

    float[] samples = new float[16_000];
    for (int i = 0; i < samples.length; i++) {
      samples[i] = (float) (0.3 * Math.sin(2 * Math.PI * 220 * i / 16_000.0));
    }
    HttpResponse<String> r = EmotionEndpointTest.upload(http, port, Wav.of(samples, 16_000), "tone.wav", null);
    assertThat(r.statusCode()).isEqualTo(503);
    assertThat(JSON.readTree(r.body()).path("outcome").asText()).isEqualTo("failed");
  }
}

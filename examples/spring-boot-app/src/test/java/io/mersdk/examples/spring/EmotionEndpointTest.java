package io.mersdk.examples.spring;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mersdk.EmotionRecognizer;
import io.mersdk.Modality;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * The example application on a real port (127.0.0.1, random) with a tiny test bundle (tiny-a, or
 * the bundle folder in the system property mer.test.bundle): an upload gives the shared result
 * JSON, and Actuator's health and metrics show the call. Expectations come from the bundle.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
    EmotionEndpointTest.BUNDLE, "mer.threads=1", "mer.device=cpu"})
class EmotionEndpointTest {
  static final String BUNDLE = "mer.bundle=${mer.test.bundle:${mer.testdata}/bundles/tiny-a}";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Path RECORDINGS = Path.of(System.getProperty("mer.testdata"))
      .resolveSibling("examples").resolve("recordings");

  @LocalServerPort
  int port;

  @Autowired
  EmotionRecognizer recognizer;

  private final HttpClient http = HttpClient.newHttpClient();

  @Test
  void anUploadGivesTheResultJsonAndActuatorShowsTheCall() throws Exception {
    Path wav;
    try (var files = Files.list(RECORDINGS)) {
      wav = files.filter(p -> p.toString().endsWith(".wav")).sorted().findFirst().orElseThrow();
    }
    HttpResponse<String> r = upload(Files.readAllBytes(wav), wav.getFileName().toString(), "I won.");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(
        t -> assertThat(t).startsWith("application/json"));
    JsonNode result = JSON.readTree(r.body());
    assertThat(result.path("bundle_id").asText()).isEqualTo(recognizer.bundle().bundleId());
    assertThat(result.path("device").asText()).isEqualTo("cpu");
    // A supplied transcript: no ASR decoding, so no model evidence can say "no speech".
    assertThat(result.path("outcome").asText()).isEqualTo("emotion");
    List<String> labels = new ArrayList<>();
    result.path("probabilities").fieldNames().forEachRemaining(labels::add);
    assertThat(labels).isEqualTo(recognizer.labels());
    assertThat(recognizer.labels()).contains(result.path("label").asText());
    if (recognizer.bundle().modalities().contains(Modality.TEXT)) {
      assertThat(result.path("transcript").asText()).isEqualTo("I won.");
    }
    assertThat(result.path("timings_ms").path("total").asDouble()).isPositive();

    JsonNode health = JSON.readTree(get("/actuator/health/mer").body());
    assertThat(health.path("status").asText()).isEqualTo("UP");
    assertThat(health.path("details").path("bundleId").asText())
        .isEqualTo(recognizer.bundle().bundleId());
    assertThat(health.path("details").path("labels").size()).isEqualTo(recognizer.labels().size());

    String label = result.path("label").asText();
    JsonNode results = JSON.readTree(get("/actuator/metrics/mer.results?tag=label:" + label).body());
    assertThat(count(results)).isEqualTo(1.0);
    JsonNode total = JSON.readTree(get("/actuator/metrics/mer.stage?tag=stage:total").body());
    assertThat(count(total)).isEqualTo(1.0);
    // The observation as Boot's timer; the bad-audio test's call is the outcome "failed".
    JsonNode observed = JSON.readTree(
        get("/actuator/metrics/mer.recognition?tag=mer.outcome:emotion").body());
    assertThat(count(observed)).isEqualTo(1.0);
  }

  @Test
  void audioThatCannotBeDecodedIs400WithAFailedResult() throws Exception {
    HttpResponse<String> r = upload("not audio".getBytes(StandardCharsets.UTF_8), "x.wav", null);
    assertThat(r.statusCode()).isEqualTo(400);
    JsonNode result = JSON.readTree(r.body());
    assertThat(result.path("outcome").asText()).isEqualTo("failed");
    assertThat(result.path("error").path("type").asText()).isEqualTo("AudioException");
  }

  private static double count(JsonNode metric) {
    for (JsonNode m : metric.path("measurements")) {
      if (m.path("statistic").asText().equals("COUNT")) {
        return m.path("value").asDouble();
      }
    }
    throw new AssertionError("no COUNT in " + metric);
  }

  private HttpResponse<String> get(String path) throws IOException, InterruptedException {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> upload(byte[] audio, String filename, String transcript)
      throws IOException, InterruptedException {
    return upload(http, port, audio, filename, transcript);
  }

  /** A multipart/form-data POST to /emotion by hand: the JDK client has no multipart builder. */
  static HttpResponse<String> upload(HttpClient http, int port, byte[] audio, String filename,
      String transcript) throws IOException, InterruptedException {
    String boundary = "mer-" + UUID.randomUUID();
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    body.write(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\""
        + filename + "\"\r\nContent-Type: application/octet-stream\r\n\r\n")
        .getBytes(StandardCharsets.UTF_8));
    body.write(audio);
    body.write("\r\n".getBytes(StandardCharsets.UTF_8));
    if (transcript != null) {
      body.write(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"transcript\"\r\n\r\n"
          + transcript + "\r\n").getBytes(StandardCharsets.UTF_8));
    }
    body.write(("--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
    HttpRequest req = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/emotion"))
        .header("Content-Type", "multipart/form-data; boundary=" + boundary)
        .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray())).build();
    return http.send(req, HttpResponse.BodyHandlers.ofString());
  }
}

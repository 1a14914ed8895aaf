package io.mersdk.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import javax.sound.sampled.AudioFileFormat;
import javax.sound.sampled.AudioFormat;
import javax.sound.sampled.AudioInputStream;
import javax.sound.sampled.AudioSystem;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@code POST /v1/recognize?channels=split}: a stereo call answered per party with a summary. */
class CallEndpointTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newBuilder()
      .connectTimeout(Duration.ofSeconds(10)).build();
  private static MerServer server;
  /** left speaks in [1, 2) s, right in [4, 5) s. */
  private static byte[] stereo;

  @BeforeAll
  static void start() throws Exception {
    server = TestServers.start();
    stereo = stereoWav(TestServers.call(16000, 1.0, 0, 0.3, 0, 0, 0, 0),
        TestServers.call(16000, 1.0, 0, 0, 0, 0, 0.3, 0));
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
  }

  @Test
  void aStereoCallIsAnsweredPerPartyWithTheSummary() throws Exception {
    HttpResponse<String> r = post("/v1/recognize?channels=split&negative=happy&min_gap_s=1");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    JsonNode o = JSON.readTree(r.body());
    assertThat(o.get("duration_s").asDouble()).isCloseTo(6.0, within(1e-9));
    assertThat(o.get("parties").size()).isEqualTo(2);
    JsonNode segments = o.get("segments");
    assertThat(segments.size()).as(r.body()).isEqualTo(2);
    assertThat(segments.get(0).get("party").asText()).isEqualTo("agent");
    assertThat(segments.get(1).get("party").asText()).isEqualTo("customer");
    assertThat(segments.get(1).get("start_s").asDouble()).isCloseTo(4.0, within(0.35));
    assertThat(segments.get(0).get("result").get("outcome").asText()).isEqualTo("emotion");
    JsonNode summary = o.get("summary");
    assertThat(summary.get("last_speaker").asText()).isEqualTo("customer");
    assertThat(summary.get("talk_over_s").asDouble()).isZero();
    assertThat(summary.get("gaps").size()).isEqualTo(1);
    assertThat(summary.get("negative_labels").get(0).asText()).isEqualTo("happy");

    HttpResponse<String> named = post("/v1/recognize?channels=split&parties=left,right");
    assertThat(JSON.readTree(named.body()).get("segments").get(1).get("party").asText())
        .isEqualTo("right");
  }

  @Test
  void monoAnswersStayAsTheyWere() throws Exception {
    HttpResponse<String> mix = post("/v1/recognize?channels=mix");
    HttpResponse<String> plain = post("/v1/recognize");
    assertThat(mix.statusCode()).isEqualTo(200);
    assertThat(JSON.readTree(plain.body()).has("outcome")).isTrue();
    assertThat(JSON.readTree(mix.body()).get("label"))
        .isEqualTo(JSON.readTree(plain.body()).get("label"));
  }

  @Test
  void badParametersAre400NamingTheField() throws Exception {
    assertBad("/v1/recognize?channels=both", "channels:");
    assertBad("/v1/recognize?channels=split&negative=furious", "negativeLabels:");
    assertBad("/v1/recognize?channels=split&parties=a,b,c", "has 2 channels but 3 party names");
    assertBad("/v1/recognize?channels=split&min_gap_s=soon", "min_gap_s:");
    assertBad("/v1/recognize?channels=split&parties=a,a", "parties[1]:");
  }

  private static void assertBad(String path, String message) throws Exception {
    HttpResponse<String> r = post(path);
    assertThat(r.statusCode()).as(path).isEqualTo(400);
    assertThat(JSON.readTree(r.body()).get("error").get("message").asText()).as(path)
        .contains(message);
  }

  private static HttpResponse<String> post(String path) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create(server.uri() + path))
        .timeout(Duration.ofSeconds(30)).POST(HttpRequest.BodyPublishers.ofByteArray(stereo))
        .build(), HttpResponse.BodyHandlers.ofString());
  }

  static byte[] stereoWav(float[] left, float[] right) throws Exception {
    ByteBuffer b = ByteBuffer.allocate(4 * left.length).order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < left.length; i++) {
      b.putShort((short) Math.round(left[i] * 32767));
      b.putShort((short) Math.round(right[i] * 32767));
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (AudioInputStream in = new AudioInputStream(new ByteArrayInputStream(b.array()),
        new AudioFormat(16000, 16, 2, true, false), left.length)) {
      AudioSystem.write(in, AudioFileFormat.Type.WAVE, out);
    }
    return out.toByteArray();
  }
}

package io.mersdk.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.mersdk.testkit.FakeBackend;
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
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import javax.sound.sampled.AudioFileFormat;
import javax.sound.sampled.AudioFormat;
import javax.sound.sampled.AudioInputStream;
import javax.sound.sampled.AudioSystem;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** POST /v1/recognize, GET /v1/health, GET / and the HTTP errors. */
class RecognizeEndpointTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final HttpClient http = HttpClient.newBuilder()
      .connectTimeout(Duration.ofSeconds(10)).build();
  private MerServer server;

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
  }

  @Test
  void aWavFileGetsTheResultJson() throws Exception {
    server = TestServers.start();
    HttpResponse<String> r = post("/v1/recognize", wav(TestServers.call(16000, 1.0, 0.3)), null);
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("Content-Type")).hasValue("application/json; charset=utf-8");
    JsonNode j = JSON.readTree(r.body());
    assertThat(j.path("outcome").asText()).isEqualTo("emotion");
    assertThat(j.path("probabilities").fieldNames()).toIterable()
        .containsExactly("neutral", "happy");
    assertThat(j.path("bundle_id").asText()).isEqualTo("fake-server");
  }

  @Test
  void aSuppliedTranscriptIsUsed() throws Exception {
    server = TestServers.start();
    HttpResponse<String> r = post("/v1/recognize?transcript=I%27m+fine%2C%20thanks",
        wav(TestServers.call(16000, 1.0, 0.3)), null);
    JsonNode j = JSON.readTree(r.body());
    assertThat(j.path("transcript").asText()).isEqualTo("I'm fine, thanks");
    assertThat(j.path("transcript_supplied").asBoolean()).isTrue();
  }

  @Test
  void aModelThatFailsGets500WithTheTypedErrorAndTheServerGoesOn() throws Exception {
    server = TestServers.start();
    FakeBackend.failWith = "head.onnx: session run failed";
    try {
      HttpResponse<String> r = post("/v1/recognize", wav(TestServers.call(16000, 1.0, 0.3)), null);
      assertThat(r.statusCode()).as(r.body()).isEqualTo(500);
      JsonNode j = JSON.readTree(r.body());
      assertThat(j.path("outcome").asText()).isEqualTo("failed");
      assertThat(j.path("error").path("type").asText()).isEqualTo("InferenceException");
      assertThat(j.path("error").path("message").asText()).contains("head.onnx");
    } finally {
      FakeBackend.failWith = null;
    }
    // the failure was the request's alone: the next one is answered
    HttpResponse<String> next = post("/v1/recognize", wav(TestServers.call(16000, 1.0, 0.3)), null);
    assertThat(next.statusCode()).isEqualTo(200);
  }

  @Test
  void silenceIsNoSpeechNotAnError() throws Exception {
    server = TestServers.start();
    HttpResponse<String> r = post("/v1/recognize", wav(new float[16000]), null);
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(JSON.readTree(r.body()).path("outcome").asText()).isEqualTo("no_speech");
  }

  @Test
  void aBodyOverTheLimitGets413() throws Exception {
    server = TestServers.start(ServerOptions.builder().maxBodyBytes(10_000));
    HttpResponse<String> r = post("/v1/recognize", wav(TestServers.call(16000, 1.0, 0.3)), null);
    assertThat(r.statusCode()).isEqualTo(413);
    assertThat(JSON.readTree(r.body()).path("error").path("message").asText())
        .contains("10000 bytes");
  }

  @Test
  void aStreamedBodyOverTheLimitGets413WithoutBeingHeld() throws Exception {
    server = TestServers.start(ServerOptions.builder().maxBodyBytes(10_000));
    HttpResponse<String> r = http.send(request("/v1/recognize", null).POST(
        HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(new byte[20_000])))
        .build(), HttpResponse.BodyHandlers.ofString()); // chunked: no Content-Length
    assertThat(r.statusCode()).isEqualTo(413);
  }

  @Test
  void audioLongerThanMaxAudioGets400() throws Exception {
    server = TestServers.start(ServerOptions.builder().maxAudio(Duration.ofSeconds(1)));
    HttpResponse<String> r = post("/v1/recognize", wav(TestServers.call(16000, 2.0, 0.3)), null);
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(JSON.readTree(r.body()).path("error").path("type").asText())
        .isEqualTo("AudioException");
  }

  @Test
  void closeFinishesTheRequestInFlight() throws Exception {
    server = TestServers.start();
    FakeBackend.delayMillis = 1000; // the model's work, under way when close() is called
    CompletableFuture<HttpResponse<String>> inFlight = http.sendAsync(
        request("/v1/recognize", null).POST(HttpRequest.BodyPublishers.ofByteArray(
            wav(TestServers.call(16000, 1.0, 0.3)))).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(FakeBackend.ENTERED.tryAcquire(30, TimeUnit.SECONDS)).as("the recogniser has the request")
        .isTrue();
    assertThat(server.isClosed()).isFalse();
    server.close();
    assertThat(inFlight.get().statusCode()).isEqualTo(200);
    // the server's own state, not whether the freed port refuses (another process may take it)
    assertThat(server.isClosed()).isTrue();
  }

  @Test
  void bytesThatAreNotAudioGet400NamingTheProblem() throws Exception {
    server = TestServers.start();
    HttpResponse<String> r = post("/v1/recognize", "not audio at all".getBytes(), null);
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(JSON.readTree(r.body()).path("error").path("type").asText())
        .isEqualTo("AudioException");
  }

  @Test
  void withATokenRequestsWithoutItGet401() throws Exception {
    server = TestServers.start(ServerOptions.builder().bearerToken("s3cret"));
    byte[] body = wav(TestServers.call(16000, 1.0, 0.3));
    assertThat(post("/v1/recognize", body, null).statusCode()).isEqualTo(401);
    assertThat(post("/v1/recognize", body, "wrong").statusCode()).isEqualTo(401);
    assertThat(post("/v1/recognize", body, "s3cret").statusCode()).isEqualTo(200);
    assertThat(get("/").statusCode()).isEqualTo(200); // the page itself is public
  }

  @Test
  void moreRequestsThanWorkersAndQueueGet503() throws Exception {
    server = TestServers.start(ServerOptions.builder().httpWorkers(1).httpQueue(0));
    FakeBackend.hold = new CountDownLatch(1); // the model is busy until the test says so
    byte[] body = wav(TestServers.call(16000, 1.0, 0.3));
    CompletableFuture<HttpResponse<String>> first = http.sendAsync(request("/v1/recognize", null)
        .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(FakeBackend.ENTERED.tryAcquire(30, TimeUnit.SECONDS)).as("the first request reached the model")
        .isTrue();
    List<Integer> refused = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      refused.add(post("/v1/recognize", body, null).statusCode()); // the one worker is taken
    }
    FakeBackend.hold.countDown();
    assertThat(refused).containsOnly(503);
    assertThat(first.get(30, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
  }

  @Test
  void healthPageAndErrors() throws Exception {
    server = TestServers.start();
    JsonNode h = JSON.readTree(get("/v1/health").body());
    assertThat(h.path("labels")).hasSize(2);
    assertThat(h.path("protocol").asText()).isEqualTo("mer-stream/1");
    HttpResponse<String> page = get("/");
    assertThat(page.body()).contains("<title>mer-sdk: live emotion</title>");
    assertThat(page.headers().firstValue("Content-Security-Policy").orElse(""))
        .contains("default-src 'self'");
    assertThat(get("/chart.js").body()).contains("MerChart");
    assertThat(get("/../pom.xml").statusCode()).isIn(400, 404);
    assertThat(get("/nope").statusCode()).isEqualTo(404);
    assertThat(get("/v1/recognize").statusCode()).isEqualTo(405);
    assertThat(get("/v1/stream").statusCode()).isEqualTo(426);
  }

  private HttpRequest.Builder request(String path, String token) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(server.uri() + path))
        .timeout(Duration.ofSeconds(30));
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    return b;
  }

  private HttpResponse<String> post(String path, byte[] body, String token) throws Exception {
    return http.send(request(path, token).POST(HttpRequest.BodyPublishers.ofByteArray(body))
        .build(), HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> get(String path) throws Exception {
    return http.send(request(path, null).GET().build(), HttpResponse.BodyHandlers.ofString());
  }

  static byte[] wav(float[] x) throws Exception {
    ByteBuffer b = ByteBuffer.allocate(2 * x.length).order(ByteOrder.LITTLE_ENDIAN);
    for (float v : x) {
      b.putShort((short) Math.round(v * 32767));
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (AudioInputStream in = new AudioInputStream(new ByteArrayInputStream(b.array()),
        new AudioFormat(16000, 16, 1, true, false), x.length)) {
      AudioSystem.write(in, AudioFileFormat.Type.WAVE, out);
    }
    return out.toByteArray();
  }
}

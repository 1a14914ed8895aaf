package io.mersdk.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mersdk.AudioException;
import io.mersdk.EmotionRecognizer;
import io.mersdk.EmotionResult;
import io.mersdk.audio.AudioSources;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.ConnectException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** EmotionServer over loopback with java.net.http.HttpClient, on tiny-a. */
class EmotionServerTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int LIMIT = 256 * 1024;
  private static final Duration WAIT = Duration.ofSeconds(60);

  @TempDir static Path dir;
  static EmotionServer server;
  static EmotionRecognizer direct;
  static byte[] wav;
  static HttpClient http;

  @BeforeAll
  static void start() throws IOException {
    wav = TestAudio.wavBytes(dir, TestAudio.voiced(1.0, 170, 21));
    direct = RecognizeCommandTest.direct("tiny-a");
    server = EmotionServer.start(RecognizeCommandTest.direct("tiny-a"), options().build());
    http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(10)).build();
  }

  @AfterAll
  static void stop() {
    server.close();
    direct.close();
  }

  static EmotionServer.Options.Builder options() {
    return EmotionServer.Options.builder().port(0).maxBodyBytes(LIMIT).threads(4).queue(16)
        .shutdownGrace(Duration.ofSeconds(30));
  }

  static HttpRequest post(EmotionServer s, String pathAndQuery, HttpRequest.BodyPublisher body) {
    return HttpRequest.newBuilder(s.uri().resolve(pathAndQuery)).timeout(WAIT)
        .header("Content-Type", "audio/wav").POST(body).build();
  }

  static HttpResponse<String> send(HttpRequest r) throws IOException, InterruptedException {
    return http.send(r, HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void recognizeEqualsADirectCall() throws Exception {
    HttpResponse<String> r = send(post(server, "/recognize",
        HttpRequest.BodyPublishers.ofByteArray(wav)));

    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(r.headers().firstValue("Content-Type")).hasValue("application/json; charset=utf-8");
    EmotionResult expected = direct.recognize(AudioSources.of(wav, "wav"));
    assertSameResult(JSON.readTree(r.body()), expected);
  }

  @Test
  void transcriptQueryParameterSkipsAsr() throws Exception {
    HttpResponse<String> r = send(post(server, "/recognize?transcript=that%20was%20great",
        HttpRequest.BodyPublishers.ofByteArray(wav)));

    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    JsonNode j = JSON.readTree(r.body());
    assertThat(j.get("transcript").asText()).isEqualTo("that was great");
    assertThat(j.get("transcript_supplied").asBoolean()).isTrue();
    assertSameResult(j, direct.recognize(AudioSources.of(wav, "wav").readMono(16000),
        "that was great"));
  }

  @Test
  void eightConcurrentRequestsAllSucceedAndAgree() throws Exception {
    List<CompletableFuture<HttpResponse<String>>> calls = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      calls.add(http.sendAsync(post(server, "/recognize",
          HttpRequest.BodyPublishers.ofByteArray(wav)), HttpResponse.BodyHandlers.ofString()));
    }
    EmotionResult expected = direct.recognize(AudioSources.of(wav, "wav"));
    for (CompletableFuture<HttpResponse<String>> c : calls) {
      HttpResponse<String> r = c.get(WAIT.toSeconds(), TimeUnit.SECONDS);
      assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
      assertSameResult(JSON.readTree(r.body()), expected);
    }
  }

  @Test
  void realSpeechFromEspeak() throws Exception {
    byte[] speech = java.nio.file.Files.readAllBytes(
        TestAudio.espeak(dir.resolve("speech.wav"), "Why would you say that to me"));

    HttpResponse<String> r = send(post(server, "/recognize",
        HttpRequest.BodyPublishers.ofByteArray(speech)));

    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertSameResult(JSON.readTree(r.body()), direct.recognize(AudioSources.of(speech, "s")));
  }

  @Test
  void silenceGets200WithNoSpeech() throws Exception {
    HttpResponse<String> r = send(post(server, "/recognize", HttpRequest.BodyPublishers.ofByteArray(
        TestAudio.wavBytes(dir, TestAudio.silence(2)))));

    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    JsonNode j = JSON.readTree(r.body());
    assertThat(j.get("outcome").asText()).isEqualTo("no_speech");
    assertThat(j.has("label")).isFalse();
    assertThat(j.get("speech").get("basis").asText()).isEqualTo("acoustic_gate");
  }

  @Test
  void declaredOversizeBodyGets413() throws Exception {
    HttpResponse<String> r = send(post(server, "/recognize",
        HttpRequest.BodyPublishers.ofByteArray(new byte[LIMIT + 1000])));

    assertThat(r.statusCode()).isEqualTo(413);
    assertThat(JSON.readTree(r.body()).get("error").get("type").asText()).isEqualTo("PayloadTooLarge");
    assertThat(JSON.readTree(r.body()).get("error").get("message").asText())
        .contains("larger than the limit of " + LIMIT + " bytes");
  }

  @Test
  void streamedOversizeBodyGets413() throws Exception {
    // ofInputStream has no length: sent chunked, so only counting while reading can catch it
    HttpResponse<String> r = send(post(server, "/recognize", HttpRequest.BodyPublishers
        .ofInputStream(() -> new ByteArrayInputStream(new byte[LIMIT + 1000]))));

    assertThat(r.statusCode()).isEqualTo(413);
    assertThat(JSON.readTree(r.body()).get("error").get("message").asText()).contains("larger than the limit");
  }

  @Test
  void garbageGets400WithTheAudioMessage() throws Exception {
    byte[] garbage = "hello, I am certainly not a WAV file".getBytes(StandardCharsets.UTF_8);
    String expected = null;
    try {
      AudioSources.of(garbage, "x").readMono(16000);
    } catch (AudioException e) {
      expected = e.getMessage().substring(e.getMessage().indexOf(':') + 1).trim();
    }
    assertThat(expected).isNotNull();

    HttpResponse<String> r = send(post(server, "/recognize",
        HttpRequest.BodyPublishers.ofByteArray(garbage)));

    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(JSON.readTree(r.body()).get("error").get("type").asText()).isEqualTo("AudioException");
    assertThat(JSON.readTree(r.body()).get("error").get("message").asText()).contains(expected);
  }

  @Test
  void audioLongerThanMaxAudioGets400() throws Exception {
    try (EmotionServer small = EmotionServer.start(RecognizeCommandTest.direct("tiny-a"),
        options().maxAudio(Duration.ofMillis(500)).build())) {
      HttpResponse<String> r = send(post(small, "/recognize",
          HttpRequest.BodyPublishers.ofByteArray(wav)));

      assertThat(r.statusCode()).isEqualTo(400);
      assertThat(JSON.readTree(r.body()).get("error").get("message").asText()).contains("request body from");
    }
  }

  @Test
  void getOnRecognizeGets405() throws Exception {
    HttpResponse<String> r = send(HttpRequest.newBuilder(server.uri().resolve("/recognize"))
        .timeout(WAIT).GET().build());

    assertThat(r.statusCode()).isEqualTo(405);
    assertThat(r.headers().firstValue("Allow")).hasValue("POST");
    assertThat(JSON.readTree(r.body()).get("error").get("message").asText()).contains("GET is not allowed");
  }

  @Test
  void healthNamesTheBundle() throws Exception {
    HttpResponse<String> r = send(HttpRequest.newBuilder(server.uri().resolve("/health"))
        .timeout(WAIT).GET().build());

    assertThat(r.statusCode()).isEqualTo(200);
    JsonNode j = JSON.readTree(r.body());
    assertThat(j.get("status").asText()).isEqualTo("ok");
    assertThat(j.get("bundle_id").asText()).isEqualTo("tiny-a");
    assertThat(j.get("labels").toString()).isEqualTo("[\"neutral\",\"happy\",\"sad\",\"angry\"]");
  }

  @Test
  void unknownPathGets404() throws Exception {
    HttpResponse<String> r = send(post(server, "/recognizer",
        HttpRequest.BodyPublishers.ofByteArray(wav)));

    assertThat(r.statusCode()).isEqualTo(404);
  }

  @Test
  void busyServerAnswers503AndFinishesWhatItHasAccepted() throws Exception {
    try (EmotionServer small = EmotionServer.start(RecognizeCommandTest.direct("tiny-a"),
        options().threads(1).queue(1).build())) {
      HeldRequest first = new HeldRequest(small);
      awaitInFlight(small, 1);
      CompletableFuture<HttpResponse<String>> second = http.sendAsync(
          post(small, "/recognize", HttpRequest.BodyPublishers.ofByteArray(wav)),
          HttpResponse.BodyHandlers.ofString());
      awaitInFlight(small, 2);

      HttpResponse<String> third = send(post(small, "/recognize",
          HttpRequest.BodyPublishers.ofByteArray(wav)));
      String firstStatus = first.finish();

      assertThat(third.statusCode()).isEqualTo(503);
      assertThat(third.headers().firstValue("Retry-After")).isPresent();
      assertThat(firstStatus).isEqualTo("HTTP/1.1 200 OK");
      assertThat(second.get(WAIT.toSeconds(), TimeUnit.SECONDS).statusCode()).isEqualTo(200);
    }
  }

  @Test
  void closeFinishesTheRequestInFlightThenClosesThePortAndTheRecognizer() throws Exception {
    EmotionRecognizer rec = RecognizeCommandTest.direct("tiny-a");
    EmotionServer s = EmotionServer.start(rec, options().build());
    int port = s.address().getPort();
    HeldRequest inFlight = new HeldRequest(s);
    awaitInFlight(s, 1);

    CompletableFuture<Void> closing = CompletableFuture.runAsync(s::close);
    awaitRefused(s.address().getAddress(), port); // close() has begun: no new connections
    String status = inFlight.finish();
    closing.get(WAIT.toSeconds(), TimeUnit.SECONDS);

    assertThat(status).isEqualTo("HTTP/1.1 200 OK");
    assertThatThrownBy(() -> new Socket(s.address().getAddress(), port).close())
        .isInstanceOf(ConnectException.class);
    assertThatThrownBy(() -> rec.recognize(new float[16000]))
        .isInstanceOf(IllegalStateException.class);
    s.awaitClosed(); // returns: close() has finished
  }

  /**
   * A POST of the WAV over a raw socket that holds back the body's last byte until {@link
   * #finish()}: the server has the request in flight, its worker blocked reading the body.
   */
  static final class HeldRequest {
    private final Socket socket;

    HeldRequest(EmotionServer s) throws IOException {
      socket = new Socket(s.address().getAddress(), s.address().getPort());
      socket.setSoTimeout((int) WAIT.toMillis());
      String head = "POST /recognize HTTP/1.1\r\nHost: localhost\r\nContent-Type: audio/wav\r\n"
          + "Content-Length: " + wav.length + "\r\nConnection: close\r\n\r\n";
      socket.getOutputStream().write(head.getBytes(StandardCharsets.US_ASCII));
      socket.getOutputStream().write(wav, 0, wav.length - 1);
      socket.getOutputStream().flush();
    }

    /** Sends the last byte; returns the response's status line. */
    String finish() throws IOException {
      try (socket) {
        socket.getOutputStream().write(wav, wav.length - 1, 1);
        socket.getOutputStream().flush();
        String response = new String(socket.getInputStream().readAllBytes(),
            StandardCharsets.UTF_8);
        return response.lines().findFirst().orElse("");
      }
    }
  }

  static void awaitRefused(java.net.InetAddress host, int port) throws InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (true) {
      try {
        new Socket(host, port).close();
      } catch (IOException e) {
        return;
      }
      assertThat(System.nanoTime()).as("port %d still accepts", port).isLessThan(deadline);
      Thread.sleep(10);
    }
  }

  static void awaitInFlight(EmotionServer s, int n) throws InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (s.inFlight() < n) {
      assertThat(System.nanoTime()).as("server never had %d requests in flight", n)
          .isLessThan(deadline);
      Thread.sleep(10);
    }
  }

  /** The codec's JSON of the server equals the direct call's result (timings aside). */
  static void assertSameResult(JsonNode j, EmotionResult expected) {
    EmotionResult got = io.mersdk.json.ResultJson.read(j);
    assertThat(got.outcome()).isEqualTo(expected.outcome());
    assertThat(got.speech().basis()).isEqualTo(expected.speech().basis());
    assertThat(j.get("bundle_id").asText()).isEqualTo("tiny-a");
    assertThat(got.device()).isEqualTo(expected.device());
    assertThat(RecognizeCommandTest.fieldNames(j.get("timings_ms"))).contains("total", "speech_encoder");
    if (!expected.isEmotion()) {
      return;
    }
    assertThat(j.get("label").asText()).isEqualTo(expected.label());
    assertThat(j.get("transcript").asText()).isEqualTo(expected.transcript());
    assertThat(RecognizeCommandTest.fieldNames(j.get("probabilities")))
        .containsExactlyElementsOf(expected.probabilities().keySet());
    expected.probabilities().forEach((label, p) ->
        assertThat(j.get("probabilities").get(label).asDouble()).as(label)
            .isCloseTo(p, within(1e-6)));
  }
}

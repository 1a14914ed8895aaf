package io.mersdk.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mersdk.EmotionRecognizer;
import io.mersdk.EmotionResult;
import io.mersdk.Segment;
import io.mersdk.audio.Timeline;
import io.mersdk.server.MerServer;
import io.mersdk.server.ServerOptions;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * mer-sdk-server on a real bundle (tiny-a through ONNX Runtime): what POST and the stream answer
 * equals what the recogniser and Timeline give on the same audio. (The server's protocol and
 * limits are tested in mer-sdk-server over a fake backend; this is the end-to-end check.)
 */
class ServerOnBundleTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  @TempDir Path dir;

  @Test
  void postAndStreamAgreeWithDirectCallsAndTimeline() throws Exception {
    float[] call = TestAudio.concat(TestAudio.silence(1), TestAudio.voiced(1.5, 140, 1),
        TestAudio.silence(1), TestAudio.voiced(1.2, 220, 2), TestAudio.silence(1));
    float[] one = TestAudio.voiced(1.5, 180, 3);
    EmotionResult direct;
    List<Segment> timeline;
    try (EmotionRecognizer rec = RecognizeCommandTest.directWithoutModelRule("tiny-a")) {
      direct = rec.recognize(one);
      timeline = Timeline.builder(rec).build().run(call);
    }
    assertThat(timeline).hasSize(2);
    try (MerServer server = MerServer.start(RecognizeCommandTest.directWithoutModelRule("tiny-a"),
        ServerOptions.builder().port(0).build())) {
      HttpClient http = HttpClient.newHttpClient();
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(
              URI.create(server.uri() + "/v1/recognize"))
          .POST(HttpRequest.BodyPublishers.ofByteArray(TestAudio.wavBytes(dir, one))).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
      JsonNode j = JSON.readTree(r.body());
      assertThat(j.path("label").asText()).isEqualTo(direct.label());
      for (String label : direct.probabilities().keySet()) {
        assertThat(j.path("probabilities").path(label).asDouble())
            .isCloseTo(direct.probability(label), within(1e-4));
      }

      LinkedBlockingQueue<String> events = new LinkedBlockingQueue<>();
      WebSocket ws = http.newWebSocketBuilder().buildAsync(
          URI.create(server.uri().toString().replace("http", "ws") + "/v1/stream"),
          new WebSocket.Listener() {
            private final StringBuilder buf = new StringBuilder();

            @Override
            public CompletionStage<?> onText(WebSocket w, CharSequence data, boolean last) {
              buf.append(data);
              if (last) {
                events.add(buf.toString());
                buf.setLength(0);
              }
              w.request(1);
              return null;
            }
          }).get(30, TimeUnit.SECONDS);
      ws.sendText("{\"type\":\"start\",\"protocol\":\"mer-stream/1\",\"sample_rate\":16000,"
          + "\"format\":\"float32\"}", true).get(30, TimeUnit.SECONDS);
      for (int i = 0; i < call.length; i += 1600) {
        int to = Math.min(call.length, i + 1600);
        ByteBuffer b = ByteBuffer.allocate(4 * (to - i)).order(ByteOrder.LITTLE_ENDIAN);
        for (int k = i; k < to; k++) {
          b.putFloat(call[k]);
        }
        // big-endian again before sending: the JDK client masks in the buffer's byte order
        ws.sendBinary(b.flip().order(ByteOrder.BIG_ENDIAN), true).get(30, TimeUnit.SECONDS);
      }
      ws.sendText("Done", true).get(30, TimeUnit.SECONDS);
      List<JsonNode> got = new ArrayList<>();
      while (got.isEmpty() || !got.get(got.size() - 1).path("type").asText().matches("done|error")) {
        String e = events.poll(60, TimeUnit.SECONDS);
        assertThat(e).as("an event within 60 s after %s", got).isNotNull();
        got.add(JSON.readTree(e));
      }
      assertThat(got).extracting(e -> e.path("type").asText())
          .containsExactly("ready", "segment", "segment", "done");
      for (int i = 0; i < 2; i++) {
        JsonNode s = got.get(1 + i);
        Segment t = timeline.get(i);
        assertThat(s.path("start").asDouble()).isCloseTo(t.start().toNanos() / 1e9, within(1e-3));
        assertThat(s.path("end").asDouble()).isCloseTo(t.end().toNanos() / 1e9, within(1e-3));
        assertThat(s.path("label").asText()).isEqualTo(t.result().label());
        assertThat(s.path("transcript").asText()).isEqualTo(t.result().transcript());
      }
    }
  }

  @Test
  void reportWritesOneSelfContainedPage() throws Exception {
    Path wav = TestAudio.writeWav(dir.resolve("call.wav"), TestAudio.concat(TestAudio.silence(1),
        TestAudio.voiced(1.5, 140, 1), TestAudio.silence(1), TestAudio.voiced(1.2, 220, 2),
        TestAudio.silence(1)));
    Path html = dir.resolve("call.html");
    // tiny-a has random weights: its garbage transcripts may rightly be "no speech" by Whisper's
    // rule, which is not this test's point (the page is)
    List<String> args = new java.util.ArrayList<>(List.of("report", "--bundle",
        TestAudio.bundle("tiny-a").toString(), "--device", "cpu"));
    args.addAll(RecognizeCommandTest.WITHOUT_MODEL_RULE);
    args.addAll(List.of(wav.toString(), "-o", html.toString()));
    Cli.Run run = Cli.run(args.toArray(String[]::new));
    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.out()).contains("2 segments");
    String page = Files.readString(html);
    assertThat(page).contains("<title>Emotion report: call.wav</title>")
        .contains("MerChart.render").contains("id=\"share\"")
        .doesNotContain("src=\"http").doesNotContain("href=\"http");
    assertThat(page.split("class=\"mer-segment", -1)).hasSize(3);
  }

  @Test
  void reportWithoutOutputIsAUsageError() {
    Cli.Run run = Cli.run("report", "x.wav");
    assertThat(run.exitCode()).isEqualTo(Mer.USAGE);
  }
}

package io.mersdk.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.mersdk.testkit.FakeBackend;
import io.mersdk.EmotionRecognizer;
import io.mersdk.Segment;
import io.mersdk.audio.AudioSources;
import io.mersdk.audio.Timeline;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.sound.sampled.AudioFileFormat;
import javax.sound.sampled.AudioFormat;
import javax.sound.sampled.AudioInputStream;
import javax.sound.sampled.AudioSystem;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The page at GET / in a real browser: headless Chromium plays a recording made with espeak-ng as
 * its microphone; the page streams it over /v1/stream and must show the utterances and the chart.
 * The report of `mer report` is opened the same way. Screenshots go to target/browser/.
 */
class BrowserPageTest {
  private static final Path OUT = Path.of("target", "browser").toAbsolutePath();
  private static final int RATE = 16000;
  private static Path wav;
  private static float[] call;

  @BeforeAll
  static void makeCall() throws Exception {
    Chromium.binary();
    Files.createDirectories(OUT);
    // two sentences with pauses, the way a caller speaks; silence at the end so that the
    // second utterance ends before the fake microphone loops the file
    float[] a = speak("Hello, I would like to talk about my order.", OUT.resolve("s1.wav"));
    float[] b = speak("It arrived late and the box was broken.", OUT.resolve("s2.wav"));
    int pause = RATE, tail = 3 * RATE;
    call = new float[pause + a.length + pause + b.length + tail];
    System.arraycopy(a, 0, call, pause, a.length);
    System.arraycopy(b, 0, call, 2 * pause + a.length, b.length);
    wav = OUT.resolve("call.wav");
    writeWav(call, wav);
  }

  @Test
  void thePageStreamsTheMicrophoneAndShowsUtterancesAndTheChart() throws Exception {
    try (MerServer server = TestServers.start();
        Chromium chrome = Chromium.open(server.uri() + "/?autostart=1", wav,
            Files.createTempDirectory(OUT, "profile-"))) {
      boolean two = Chromium.await(() -> count(chrome, ".mer-segment") >= 2, Duration.ofSeconds(60));
      chrome.screenshot(OUT.resolve("live-page.png"));
      assertThat(two).as("two utterances shown within 60 s; status: %s",
          text(chrome, "#status")).isTrue();
      assertThat(count(chrome, "svg.mer-chart path.mer-series")).isEqualTo(2); // one per label
      assertThat(count(chrome, "svg.mer-chart rect.mer-gap")).isPositive();
      assertThat(text(chrome, "#segments")).contains("utterance of");
      assertThat(text(chrome, "#bundle")).contains("fake-server");
    }
  }

  @Test
  void theReportShowsTheChartTheShareOfTimeAndEveryUtterance() throws Exception {
    FakeBackend.reset("fake-server", FakeBackend.BY_LOUDNESS);
    List<Segment> parts;
    try (EmotionRecognizer rec = EmotionRecognizer.builder().bundle(Path.of("fake-bundle")).build()) {
      parts = Timeline.builder(rec).build().run(call);
      Path html = OUT.resolve("report.html");
      Files.writeString(html, CallReport.render("call.wav <test>",
          Duration.ofNanos(Math.round(call.length * 1e9 / RATE)), rec.labels(), parts),
          StandardCharsets.UTF_8);
      assertThat(parts).hasSize(2);
      try (Chromium chrome = Chromium.open(html.toUri().toString(), null,
          Files.createTempDirectory(OUT, "profile-"))) {
        boolean drawn = Chromium.await(() -> count(chrome, "svg.mer-chart path.mer-series") == 2,
            Duration.ofSeconds(30));
        chrome.screenshot(OUT.resolve("report.png"));
        assertThat(drawn).isTrue();
        assertThat(count(chrome, ".mer-segment")).isEqualTo(2);
        assertThat(count(chrome, "svg.mer-chart rect.mer-gap")).isEqualTo(3); // before, between, after
        assertThat(count(chrome, "#share tr[data-label]")).isEqualTo(3); // two labels and no speech
        assertThat(text(chrome, "h1")).contains("call.wav <test>"); // escaped, shown as text
      }
    }
  }

  /** The party report: two lanes drawn on one axis, the summary at the top. */
  @Test
  void thePartyReportDrawsALanePerPartyAndTheSummary() throws Exception {
    FakeBackend.reset("fake-server", FakeBackend.BY_LOUDNESS);
    float[] silent = new float[call.length];
    try (EmotionRecognizer rec = EmotionRecognizer.builder().bundle(Path.of("fake-bundle")).build()) {
      io.mersdk.audio.CallResult result = io.mersdk.audio.CallTimeline.builder(rec).build()
          .run(new float[][] {call, silent});
      io.mersdk.audio.CallSummary summary = io.mersdk.audio.CallSummarizer
          .builder(rec.labels()).negativeLabels("happy").build().summarize(result);
      Path html = OUT.resolve("party-report.html");
      Files.writeString(html, PartyCallReport.render("call-stereo.wav", rec.labels(), result,
          summary), StandardCharsets.UTF_8);
      try (Chromium chrome = Chromium.open(html.toUri().toString(), null,
          Files.createTempDirectory(OUT, "profile-"))) {
        boolean drawn = Chromium.await(() -> count(chrome, "svg.mer-chart") == 2,
            Duration.ofSeconds(30));
        chrome.screenshot(OUT.resolve("party-report.png"));
        assertThat(drawn).as("two lanes").isTrue();
        assertThat(count(chrome, ".lane[data-party] svg.mer-chart")).isEqualTo(2);
        assertThat(count(chrome, "#lane-0 svg.mer-chart path.mer-series")).isEqualTo(2);
        assertThat(count(chrome, "#party-summary tr[data-party]")).isEqualTo(2);
        assertThat(text(chrome, "#summary")).contains("talk-over").contains("last to speak")
            .contains("agent");
        assertThat(count(chrome, ".mer-segment[data-party=\"agent\"]")).isEqualTo(2);
        assertThat(count(chrome, ".mer-segment[data-party=\"customer\"]")).isZero();
      }
    }
  }

  private static long count(Chromium c, String selector) {
    try {
      return c.eval("document.querySelectorAll(" + quote(selector) + ").length").asLong();
    } catch (Exception e) {
      return -1;
    }
  }

  private static String text(Chromium c, String selector) throws Exception {
    return c.eval("(document.querySelector(" + quote(selector) + ") || {}).textContent || ''")
        .asText();
  }

  private static String quote(String s) {
    return "'" + s.replace("\\", "\\\\").replace("'", "\\'") + "'";
  }

  private static float[] speak(String text, Path out) throws Exception {
    Process p;
    try {
      p = new ProcessBuilder("espeak-ng", "-v", "en-us", "-s", "150", "-w", out.toString(), text)
          .redirectErrorStream(true).start();
    } catch (IOException e) {
      if (System.getenv("CI") != null) {
        throw new AssertionError("espeak-ng is missing; scripts/test-all.sh installs it", e);
      }
      Assumptions.abort("espeak-ng is not installed");
      return null;
    }
    p.getInputStream().readAllBytes();
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    return AudioSources.of(out).readMono(RATE);
  }

  private static void writeWav(float[] x, Path out) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(2 * x.length).order(ByteOrder.LITTLE_ENDIAN);
    for (float v : x) {
      b.putShort((short) Math.round(Math.max(-1, Math.min(1, v)) * 32767));
    }
    AudioFormat f = new AudioFormat(RATE, 16, 1, true, false);
    try (AudioInputStream in = new AudioInputStream(new ByteArrayInputStream(b.array()), f,
        x.length)) {
      AudioSystem.write(in, AudioFileFormat.Type.WAVE, out.toFile());
    }
  }
}

package io.mersdk.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.mersdk.AudioException;
import io.mersdk.EmotionResult;
import io.mersdk.Segment;
import io.mersdk.SpeechDecision;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The report's figures and its safety, without a browser (BrowserPageTest renders it). */
class CallReportTest {
  private static Segment emotion(double from, double to, double happy, String text) {
    Map<String, Double> p = new LinkedHashMap<>();
    p.put("neutral", 1 - happy);
    p.put("happy", happy);
    return new Segment(Duration.ofMillis(Math.round(from * 1000)),
        Duration.ofMillis(Math.round(to * 1000)),
        EmotionResult.emotion(p).transcript(text, false).bundleId("b").build());
  }

  @Test
  void shareOfTimePerEmotionAndWithoutSpeech() {
    List<Segment> parts = List.of(emotion(1, 3, 0.9, "yes"), emotion(4, 5, 0.2, "no"),
        new Segment(Duration.ofSeconds(6), Duration.ofSeconds(7), EmotionResult.noSpeech(
            SpeechDecision.builder(false, SpeechDecision.Basis.ACOUSTIC_GATE).build()).build()));
    String html = CallReport.render("call.wav", Duration.ofSeconds(10), List.of("neutral", "happy"),
        parts);
    assertThat(html).contains("<tr data-label=\"happy\"><td>happy</td><td>2.0 s</td><td>20%</td>"
        + "<td>67%</td></tr>");
    assertThat(html).contains("<tr data-label=\"neutral\"><td>neutral</td><td>1.0 s</td><td>10%</td>"
        + "<td>33%</td></tr>");
    assertThat(html).contains("<td>no speech</td><td>7.0 s</td><td>70%</td>");
    assertThat(html.split("class=\"mer-segment", -1)).hasSize(3); // the no-speech one is a gap
    assertThat(html).contains("2 utterances");
  }

  @Test
  void aFailedSegmentIsListedWithItsError() {
    Segment failed = new Segment(Duration.ZERO, Duration.ofSeconds(1), EmotionResult.failed(
        new AudioException("too short")).build());
    String html = CallReport.render("x", Duration.ofSeconds(2), List.of("a", "b"),
        List.of(failed));
    assertThat(html).contains("mer-segment failed").contains("failed: too short");
  }

  @Test
  void textFromTheRecordingCannotBreakThePage() {
    String html = CallReport.render("<b>call</b>.wav", Duration.ofSeconds(5),
        List.of("neutral", "happy"),
        List.of(emotion(1, 2, 0.5, "</script><script>alert(1)</script> & \"quotes\"")));
    assertThat(html).doesNotContain("<b>call</b>").contains("&lt;b&gt;call&lt;/b&gt;.wav");
    assertThat(html).doesNotContain("<script>alert(1)");
    assertThat(html).contains("&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;quotes&quot;");
    // one script element of data, one of code: nothing else can end or start one
    assertThat(html.split("<script", -1)).hasSize(3);
    // nothing to fetch: the only URL is the SVG namespace, an identifier
    assertThat(html).contains("default-src 'none'").doesNotContain("src=").doesNotContain("href=")
        .doesNotContain("https://");
    assertThat(html.replace("http://www.w3.org/2000/svg", "")).doesNotContain("http://");
  }
}

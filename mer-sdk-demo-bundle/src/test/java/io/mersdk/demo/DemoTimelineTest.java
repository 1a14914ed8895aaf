package io.mersdk.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.mersdk.Device;
import io.mersdk.EmotionRecognizer;
import io.mersdk.Segment;
import io.mersdk.audio.AudioSources;
import io.mersdk.audio.Timeline;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The demo bundle's ASR window is shorter than Whisper's 30 s: a long recording still goes
 * through {@link Timeline} whole, cut into segments the recogniser accepts.
 */
class DemoTimelineTest {

  @Test
  void segmentsFitTheBundlesWindowAndCoverTheSpeech() throws IOException {
    try (EmotionRecognizer r = EmotionRecognizer.builder()
        .bundleResource(DemoBundleParityTest.BUNDLE).device(Device.CPU).threads(2).build()) {
      Duration window = r.bundle().asrWindow().orElseThrow();
      assertThat(window).isLessThan(Duration.ofSeconds(30));
      int rate = r.bundle().sampleRate();

      // every held-out fixture utterance back to back, their leading and trailing silence cut:
      // continuous speech far longer than the window, with no pause to split at
      // (the speech cases only: the fixtures' non-speech clips have no true_label)
      List<float[]> parts = new ArrayList<>();
      for (var c : DemoBundleParityTest.cases()) {
        if (c.has("true_label")) {
          parts.add(trimSilence(AudioSources.of(DemoBundleParityTest.FIXTURES.resolve(
              c.get("audio").asText())).readMono(rate)));
        }
      }
      float[] joined = new float[parts.stream().mapToInt(p -> p.length).sum()];
      int at = 0;
      for (float[] p : parts) {
        System.arraycopy(p, 0, joined, at, p.length);
        at += p.length;
      }
      assertThat(joined.length).isGreaterThan(2 * r.bundle().asrWindowSamples().getAsInt());

      List<Segment> segments = Timeline.builder(r).build().run(joined);

      assertThat(segments).hasSizeGreaterThanOrEqualTo(joined.length / r.bundle().asrWindowSamples().getAsInt());
      for (Segment s : segments) {
        assertThat(s.end().minus(s.start())).isLessThanOrEqualTo(window);
        assertThat(s.result().isFailed()).as("segment %s-%s", s.start(), s.end()).isFalse();
        assertThat(s.result().probabilities()).hasSize(r.labels().size());
      }
      Duration covered = segments.stream().map(s -> s.end().minus(s.start())).reduce(Duration.ZERO, Duration::plus);
      Duration total = Duration.ofNanos(Math.round(joined.length * 1e9 / rate));
      assertThat(covered.toMillis()).isGreaterThan(total.toMillis() * 9 / 10);
    }
  }

  private static float[] trimSilence(float[] x) {
    int from = 0;
    int to = x.length;
    while (from < to && Math.abs(x[from]) < 0.05f) {
      from++;
    }
    while (to > from && Math.abs(x[to - 1]) < 0.05f) {
      to--;
    }
    return java.util.Arrays.copyOfRange(x, from, to);
  }
}

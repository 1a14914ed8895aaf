package io.mersdk.audio;

import static org.assertj.core.api.Assertions.assertThat;

import io.mersdk.testkit.audio.FakeLine;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The microphone finds utterances with the streaming segmenter as the audio arrives: a fake
 * capture line plays two espeak-ng sentences at 48 kHz stereo with a loud tone and loud noise
 * between them; the utterances are the two sentences, resampled to 16 kHz, and nothing else.
 */
class MicrophoneSourceTest {
  static final int CAPTURE = 48000;

  @TempDir static Path dir;
  static float[] capture;
  /** Per sentence: {start, end} in seconds of the capture. */
  static final List<double[]> sentences = new ArrayList<>();

  @BeforeAll
  static void makeCapture() {
    TestAudio.assumeTools();
    float[] a = AudioSources.of(TestAudio.speak(dir, "a.wav", "The weather is lovely today."))
        .readMono(CAPTURE);
    float[] b = AudioSources.of(TestAudio.speak(dir, "b.wav",
        "Please send the report before Friday afternoon.")).readMono(CAPTURE);
    float[] gap = new float[CAPTURE];
    float[] tone = new float[CAPTURE * 3 / 2];
    for (int i = 0; i < tone.length; i++) {
      tone[i] = (float) (0.1 * Math.sin(2 * Math.PI * 440 * i / CAPTURE));
    }
    float[] noise = new float[CAPTURE * 3 / 2];
    Random r = new Random(1);
    for (int i = 0; i < noise.length; i++) {
      noise[i] = (float) (0.1 * r.nextGaussian());
    }
    float[] x = new float[0];
    for (float[] p : List.of(gap, a, gap, tone, gap, noise, gap, b, gap)) {
      if (p == a || p == b) {
        sentences.add(new double[] {x.length / (double) CAPTURE,
            (x.length + p.length) / (double) CAPTURE});
      }
      x = SegmenterTest.concat(x, p);
    }
    capture = x;
  }

  @Test
  void utterancesAreTheSentencesOnly() throws Exception {
    // 16-bit stereo at the capture rate, in reads of at most 10 ms
    FakeLine line = new FakeLine(capture, CAPTURE, 2, CAPTURE / 100);
    List<SpeechSegment> heard = new CopyOnWriteArrayList<>();
    try (MicrophoneSource mic = MicrophoneSource.builder().line(line).sampleRate(16000)
        .onUtterance(heard::add).build()) {
      mic.start();
      // the line ends its data 1 s after the last sentence: both are complete by then
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (heard.size() < 2 && System.nanoTime() < deadline && !line.isDrained()) {
        Thread.sleep(20);
      }
      mic.stop();
      List<SpeechSegment> queued = mic.drainUtterances();
      assertThat(queued).hasSize(2);
      assertThat(heard).hasSize(2);
      for (int i = 0; i < 2; i++) {
        SpeechSegment s = queued.get(i);
        assertThat(s.sampleRate()).isEqualTo(16000);
        double mid = (sentences.get(i)[0] + sentences.get(i)[1]) / 2;
        assertThat(s.start().toNanos() / 1e9).as("start of sentence %d", i).isLessThan(mid)
            .isGreaterThan(sentences.get(i)[0] - 0.3);
        assertThat(s.end().toNanos() / 1e9).as("end of sentence %d", i).isGreaterThan(mid)
            .isLessThan(sentences.get(i)[1] + 0.3);
      }
    }
  }
}

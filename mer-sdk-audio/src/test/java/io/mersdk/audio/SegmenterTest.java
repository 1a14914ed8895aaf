package io.mersdk.audio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The segmenter finds the sentences of a recording made by joining espeak-ng sentences with
 * pauses (sox), and keeps its promises on silence, short audio and long speech.
 */
class SegmenterTest {
  static final int RATE = 16000;

  /**
   * How far a segment edge may be from where it should be: the speech's first/last sample above
   * -60 dBFS, widened by the padding. 10 ms frames and the -45 dBFS threshold (quiet onsets such
   * as "Th" and fading vowels sit below it) account for the difference.
   */
  static final double TOLERANCE_S = 0.12;

  /** Pauses between the sentences, in seconds: all above the 0.5 s minSilence. */
  static final double[] PAUSES = {1.0, 1.5, 0.8};

  @TempDir static Path dir;
  static Path joined;
  /** Per sentence: {speech start, speech end} in seconds of the joined recording. */
  static List<double[]> truth = new ArrayList<>();

  @BeforeAll
  static void joinSentences() {
    TestAudio.assumeTools();
    List<String> cmd = new ArrayList<>(List.of(TestAudio.SOX));
    double offset = 0;
    for (int i = 0; i < TestAudio.SENTENCES.size(); i++) {
      Path part = TestAudio.speak(dir, "s" + i + ".wav", TestAudio.SENTENCES.get(i));
      float[] x = TestAudio.soxMono(part, 22050); // the part as it is (no rate change)
      int[] e = TestAudio.extent(x, 1e-3);
      truth.add(new double[] {offset + e[0] / 22050.0, offset + e[1] / 22050.0});
      offset += x.length / 22050.0;
      cmd.add(part.toString());
      if (i < PAUSES.length) {
        Path pause = dir.resolve("pause" + i + ".wav");
        TestAudio.run(TestAudio.SOX, "-n", "-r", "22050", "-c", "1", "-b", "16", pause.toString(),
            "trim", "0", String.valueOf(PAUSES[i]));
        cmd.add(pause.toString());
        offset += PAUSES[i];
      }
    }
    joined = dir.resolve("joined.wav");
    cmd.add(joined.toString());
    TestAudio.run(cmd.toArray(String[]::new));
  }

  @Test
  void findsEachSentenceOfTheJoinedRecording() {
    float[] x = AudioSources.of(joined).readMono(RATE);
    List<SpeechSegment> segments = Segmenter.withDefaults().segment(x, RATE);

    printAgainstTruth("clean", segments);
    assertMatchesTruth(segments);
  }

  @Test
  void findsEachSentenceWithBackgroundNoise() {
    // White noise at about -39 dBFS RMS (above the -45 dBFS threshold) under the whole recording:
    // the adaptive floor must lift the threshold above it, or the pauses would count as speech
    // and the sentences would merge into one segment.
    Path noise = dir.resolve("noise.wav");
    double seconds = truth.get(truth.size() - 1)[1] + 1;
    TestAudio.run(TestAudio.SOX, "-n", "-r", "22050", "-c", "1", "-b", "16", noise.toString(),
        "synth", String.valueOf(seconds), "whitenoise", "vol", "0.02");
    Path noisy = dir.resolve("noisy.wav");
    TestAudio.run(TestAudio.SOX, "-m", "-v", "1", joined.toString(), "-v", "1", noise.toString(),
        noisy.toString(), "trim", "0", String.valueOf(seconds - 1));

    List<SpeechSegment> segments =
        Segmenter.withDefaults().segment(AudioSources.of(noisy).readMono(RATE), RATE);

    printAgainstTruth("noisy", segments);
    assertThat(segments).hasSize(truth.size());
    for (int i = 0; i < truth.size(); i++) {
      assertThat(seconds(segments.get(i).start())).as("start of sentence %d", i)
          .isCloseTo(Math.max(0, truth.get(i)[0] - 0.15), within(TOLERANCE_S));
      // A fading end may drown in the noise: there, each segment must hold its sentence's middle.
      double mid = (truth.get(i)[0] + truth.get(i)[1]) / 2;
      assertThat(seconds(segments.get(i).start())).isLessThan(mid);
      assertThat(seconds(segments.get(i).end())).isGreaterThan(mid);
    }
  }

  private static void assertMatchesTruth(List<SpeechSegment> segments) {
    assertThat(segments).hasSize(truth.size());
    double pad = seconds(SegmenterOptions.defaults().padding());
    for (int i = 0; i < truth.size(); i++) {
      SpeechSegment s = segments.get(i);
      assertThat(seconds(s.start())).as("start of sentence %d", i)
          .isCloseTo(Math.max(0, truth.get(i)[0] - pad), within(TOLERANCE_S));
      assertThat(seconds(s.end())).as("end of sentence %d", i)
          .isCloseTo(truth.get(i)[1] + pad, within(TOLERANCE_S));
      assertThat(s.samples()).hasSize((int) (s.endSample() - s.startSample()));
    }
  }

  private static void printAgainstTruth(String what, List<SpeechSegment> segments) {
    StringBuilder sb = new StringBuilder("segmentation of the joined recording (" + what + ")\n");
    for (int i = 0; i < Math.max(segments.size(), truth.size()); i++) {
      String t = i < truth.size() ? String.format(Locale.ROOT, "speech %6.3f-%6.3f s",
          truth.get(i)[0], truth.get(i)[1]) : "";
      String s = i < segments.size() ? String.format(Locale.ROOT, "segment %6.3f-%6.3f s",
          seconds(segments.get(i).start()), seconds(segments.get(i).end())) : "";
      sb.append(String.format(Locale.ROOT, "  %d: %-26s %s%n", i, t, s));
    }
    System.out.print(sb);
  }

  @Test
  void silenceGivesNoSegments() {
    assertThat(Segmenter.withDefaults().segment(new float[RATE * 5], RATE)).isEmpty();
    // Faint noise far below the threshold is silence too.
    float[] hiss = new float[RATE * 5];
    Random r = new Random(1);
    for (int i = 0; i < hiss.length; i++) {
      hiss[i] = (float) (r.nextGaussian() * 1e-4);
    }
    assertThat(Segmenter.withDefaults().segment(hiss, RATE)).isEmpty();
  }

  @Test
  void audioShorterThanPointOneSecondGivesNoSegments() {
    float[] blip = tone(0.09, 0.5);
    assertThat(Segmenter.withDefaults().segment(blip, RATE)).isEmpty();
    assertThat(Segmenter.withDefaults().segment(new float[0], RATE)).isEmpty();
    // Even with the smallest allowed minSpeech a 0.09 s sound makes no segment.
    SegmenterOptions smallest = SegmenterOptions.builder().minSpeech(Duration.ofMillis(100))
        .padding(Duration.ZERO).build();
    assertThat(Segmenter.of(smallest).segment(blip, RATE)).isEmpty();
  }

  @Test
  void speechAtTheVeryStartAndEndIsKept() {
    float[] x = syllables(2.0, 0.3);
    List<SpeechSegment> s = Segmenter.withDefaults().segment(x, RATE);
    assertThat(s).hasSize(1);
    assertThat(s.get(0).startSample()).isZero();
    assertThat(s.get(0).endSample()).isEqualTo(x.length);
  }

  @Test
  void longSpeechIsSplitNeverTruncated() {
    // The four sentences again and again with 0.2 s gaps (shorter than minSilence): 60+ s of
    // speech that the default settings must cut into pieces of at most 30 s.
    float[] once = AudioSources.of(joined).readMono(RATE);
    List<float[]> sentences = new ArrayList<>();
    for (SpeechSegment s : Segmenter.withDefaults().segment(once, RATE)) {
      sentences.add(s.samples());
    }
    List<Float> all = new ArrayList<>();
    int gap = RATE / 5;
    while (all.size() < 65 * RATE) {
      for (float[] s : sentences) {
        for (float v : s) {
          all.add(v);
        }
        for (int i = 0; i < gap; i++) {
          all.add(0f);
        }
      }
    }
    float[] x = new float[all.size()];
    for (int i = 0; i < x.length; i++) {
      x[i] = all.get(i);
    }

    List<SpeechSegment> segments = Segmenter.withDefaults().segment(x, RATE);

    assertThat(segments).hasSizeGreaterThanOrEqualTo(3);
    for (SpeechSegment s : segments) {
      assertThat(s.duration()).isLessThanOrEqualTo(SegmenterOptions.WHISPER_WINDOW);
    }
    // Every audible sample lies inside a segment.
    int[] audible = TestAudio.extent(x, 1e-3);
    int covered = 0;
    for (int i = audible[0]; i < audible[1]; i++) {
      if (Math.abs(x[i]) > 1e-3 && inside(segments, i)) {
        covered++;
      }
    }
    int loud = 0;
    for (float v : x) {
      if (Math.abs(v) > 1e-3) {
        loud++;
      }
    }
    assertThat(covered).isEqualTo(loud);
    // Pieces of one long run are contiguous: no sample between them is lost.
    for (int i = 1; i < segments.size(); i++) {
      assertThat(segments.get(i).startSample()).isGreaterThanOrEqualTo(
          segments.get(i - 1).endSample());
    }
  }

  @Test
  void maxSegmentIsASetting() {
    float[] x = syllables(25, 0.3);
    SegmenterOptions tenSeconds = SegmenterOptions.builder().maxSegment(Duration.ofSeconds(10))
        .build();
    List<SpeechSegment> s = Segmenter.of(tenSeconds).segment(x, RATE);
    assertThat(s).hasSize(3);
    assertThat(s).allSatisfy(seg ->
        assertThat(seg.duration()).isLessThanOrEqualTo(Duration.ofSeconds(10)));
    assertThat(s.get(0).startSample()).isZero();
    assertThat(s.get(2).endSample()).isEqualTo(x.length);
    assertThat(s.get(1).startSample()).isEqualTo(s.get(0).endSample());
    assertThat(s.get(2).startSample()).isEqualTo(s.get(1).endSample());
  }

  @Test
  void optionsAreValidatedByName() {
    assertThatThrownBy(() -> SegmenterOptions.builder().minSpeech(Duration.ofMillis(50)).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("minSpeech:");
    assertThatThrownBy(() -> SegmenterOptions.builder().padding(Duration.ofMillis(400)).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("padding:");
    assertThatThrownBy(() -> SegmenterOptions.builder().thresholdDb(3).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("thresholdDb:");
    assertThatThrownBy(() -> SegmenterOptions.builder().maxSegment(Duration.ofMillis(500)).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("maxSegment:");
    assertThatThrownBy(() -> SegmenterOptions.builder().noiseMarginDb(-1).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("noiseMarginDb:");
  }

  private static boolean inside(List<SpeechSegment> segments, int i) {
    for (SpeechSegment s : segments) {
      if (i >= s.startSample() && i < s.endSample()) {
        return true;
      }
    }
    return false;
  }

  /** A 440 Hz tone of {@code seconds} at {@code amplitude}: "speech" as far as energy goes. */
  static float[] tone(double seconds, double amplitude) {
    float[] x = new float[(int) Math.round(seconds * RATE)];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) (amplitude * Math.sin(2 * Math.PI * 440 * i / RATE));
    }
    return x;
  }

  /**
   * A tone whose loudness rises and falls three times a second, like syllables. (A steady tone is
   * stationary: after 5 s the noise floor adapts to it and it stops counting as speech.)
   */
  static float[] syllables(double seconds, double amplitude) {
    float[] x = tone(seconds, amplitude);
    for (int i = 0; i < x.length; i++) {
      x[i] *= (float) (0.55 + 0.45 * Math.sin(2 * Math.PI * 3 * i / RATE));
    }
    return x;
  }

  static double seconds(Duration d) {
    return d.toNanos() / 1e9;
  }
}

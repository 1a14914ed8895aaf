package io.mersdk.audio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.mersdk.vad.SpectralSpeechDetector;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
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

  /**
   * The energy rules alone, with the settings they were tuned with (0.5 s pause, 0.15 s padding):
   * the tests of edges, cuts and short sounds use tones, which the speech
   * gate (rightly) rejects.
   */
  static final SegmenterOptions ENERGY_ONLY = SegmenterOptions.defaults().toBuilder()
      .speechGate(false).minSpeech(Duration.ofMillis(200)).minSilence(Duration.ofMillis(500))
      .padding(Duration.ofMillis(150)).build();

  @TempDir static Path dir;
  static Path joined;
  /** Per sentence: {speech start, speech end} in seconds of the joined recording. */
  static List<double[]> truth;
  /** What the tests found, written to target/segmentation-report.txt for docs/audio.md. */
  static final StringBuilder report = new StringBuilder();

  @BeforeAll
  static void joinSentences() {
    if (!TestAudio.toolsAvailable()) {
      return; // the tests that need the recording call TestAudio.assumeTools()
    }
    TestAudio.Joined j = TestAudio.joinSentences(dir);
    joined = j.file();
    truth = j.truth();
  }

  @AfterAll
  static void writeReport() throws IOException {
    if (report.length() > 0) {
      Path out = Path.of("target", "segmentation-report.txt");
      Files.createDirectories(out.getParent());
      Files.writeString(out, report, StandardOpenOption.CREATE,
          StandardOpenOption.TRUNCATE_EXISTING);
    }
  }

  @Test
  void findsEachSentenceOfTheJoinedRecording() {
    TestAudio.assumeTools();
    float[] x = AudioSources.of(joined).readMono(RATE);
    List<SpeechSegment> segments = Segmenter.withDefaults().segment(x, RATE);

    printAgainstTruth("clean", segments);
    assertMatchesTruth(segments);
    // The recogniser's gate agrees on each segment alone ("Thank you." included), so Timeline
    // never hands the recogniser a segment that it then calls no speech.
    SpectralSpeechDetector gate = new SpectralSpeechDetector();
    for (SpeechSegment s : segments) {
      assertThat(gate.evidence(s.samples(), RATE).isSpeech()).as("gate on %s: %s", s,
          gate.evidence(s.samples(), RATE)).isTrue();
    }
  }

  @Test
  void findsEachSentenceWithBackgroundNoise() {
    TestAudio.assumeTools();
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
          .isCloseTo(Math.max(0, truth.get(i)[0]
              - seconds(SegmenterOptions.defaults().padding())), within(TOLERANCE_S));
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

  /** Truth, expected edges (truth widened by the padding) and found segments, side by side. */
  private static void printAgainstTruth(String what, List<SpeechSegment> segments) {
    double pad = seconds(SegmenterOptions.defaults().padding());
    StringBuilder sb = new StringBuilder(String.format(Locale.ROOT,
        "segmentation of the joined recording (%s), default SegmenterOptions, tolerance %.3f s%n"
            + "  #  speech (truth)      expected (+/- %.2f s pad)  found              "
            + "d.start  d.end%n", what, TOLERANCE_S, pad));
    for (int i = 0; i < Math.max(segments.size(), truth.size()); i++) {
      String t = "";
      String e = "";
      String f = "";
      String d = "";
      if (i < truth.size()) {
        t = String.format(Locale.ROOT, "%6.3f-%6.3f s", truth.get(i)[0], truth.get(i)[1]);
        e = String.format(Locale.ROOT, "%6.3f-%6.3f s", Math.max(0, truth.get(i)[0] - pad),
            truth.get(i)[1] + pad);
      }
      if (i < segments.size()) {
        double fs = seconds(segments.get(i).start());
        double fe = seconds(segments.get(i).end());
        f = String.format(Locale.ROOT, "%6.3f-%6.3f s", fs, fe);
        if (i < truth.size()) {
          d = String.format(Locale.ROOT, "%+7.3f %+7.3f", fs - Math.max(0, truth.get(i)[0] - pad),
              fe - (truth.get(i)[1] + pad));
        }
      }
      sb.append(String.format(Locale.ROOT, "  %d  %-19s %-26s %-18s %s%n", i, t, e, f, d));
    }
    System.out.print(sb);
    synchronized (report) {
      report.append(sb).append('\n');
    }
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
    List<SpeechSegment> s = Segmenter.of(ENERGY_ONLY).segment(x, RATE);
    assertThat(s).hasSize(1);
    assertThat(s.get(0).startSample()).isZero();
    assertThat(s.get(0).endSample()).isEqualTo(x.length);
  }

  @Test
  void longSpeechIsSplitNeverTruncated() {
    TestAudio.assumeTools();
    // The four sentences again and again with 0.1 s gaps (shorter than minSilence): 65+ s of
    // continuous speech that the default settings must cut into pieces of at most 30 s.
    float[] x = TestAudio.continuousSpeech(
        new TestAudio.Joined(joined, truth), RATE, 0.1, 65);

    List<SpeechSegment> segments = Segmenter.withDefaults().segment(x, RATE);

    StringBuilder sb = new StringBuilder(String.format(Locale.ROOT,
        "continuous speech, %.3f s, default SegmenterOptions (maxSegment %s)%n",
        x.length / (double) RATE, SegmenterOptions.defaults().maxSegment()));
    for (SpeechSegment s : segments) {
      sb.append(String.format(Locale.ROOT, "  %7.3f-%7.3f s  (%.3f s)%n", seconds(s.start()),
          seconds(s.end()), seconds(s.duration())));
    }
    System.out.print(sb);
    synchronized (report) {
      report.append(sb).append('\n');
    }
    assertThat(segments).hasSizeGreaterThanOrEqualTo(3);
    for (SpeechSegment s : segments) {
      assertThat(s.duration()).isLessThanOrEqualTo(SegmenterOptions.WHISPER_WINDOW);
    }
    // It is one run of speech: the pieces were cut for length and touch (none ended at a pause).
    for (int i = 1; i < segments.size(); i++) {
      assertThat(segments.get(i).startSample()).as("start of piece %d", i)
          .isEqualTo(segments.get(i - 1).endSample());
    }
    // Every audible sample lies inside a segment.
    List<long[]> ranges = new ArrayList<>();
    for (SpeechSegment s : segments) {
      ranges.add(new long[] {s.startSample(), s.endSample()});
    }
    assertThat(TestAudio.audibleOutside(x, 1e-3, ranges)).isZero();
  }

  @Test
  void aCutForLengthNeverLeavesASliver() {
    // Continuous "speech" fading out, whose run reaches maxSegment within its last frames: the
    // cut once fell on the very last frame and left a 0.09 s last piece (with padding 0), which a
    // recogniser refuses (audio.min_samples). Every piece must hold at least minSpeech.
    SegmenterOptions noPadding = ENERGY_ONLY.toBuilder().padding(Duration.ZERO).build();
    for (SegmenterOptions o : List.of(ENERGY_ONLY, noPadding)) {
      for (int frames = 2985; frames <= 3000; frames++) {
        for (double fade : new double[] {0.5, 0.3, 0.2}) {
          float[] x = fadeOut(syllables(frames / 100.0, 0.3), 0.2, fade);
          List<SpeechSegment> segments = Segmenter.of(o).segment(x, RATE);
          List<long[]> ranges = new ArrayList<>();
          for (SpeechSegment s : segments) {
            assertThat(s.duration()).as("%s of %d frames fading to %.1f, padding %s", s, frames,
                fade, o.padding()).isBetween(o.minSpeech(), o.maxSegment());
            ranges.add(new long[] {s.startSample(), s.endSample()});
          }
          if (o.padding().isZero()) {
            continue; // without padding the sub-threshold edges of the fade lie outside, rightly
          }
          assertThat(TestAudio.audibleOutside(x, 1e-3, ranges)).as("audible samples outside, %d"
              + " frames fading to %.1f", frames, fade).isZero();
        }
      }
    }
    // The cut needs room: maxSegment >= 2 x (minSpeech + minSilence + padding) + 0.1 s.
    assertThatThrownBy(() -> SegmenterOptions.builder().maxSegment(Duration.ofMillis(1199))
        .build()).hasMessageStartingWith("maxSegment: must be >= 2 x (minSpeech + minSilence");
    assertThat(SegmenterOptions.builder().maxSegment(Duration.ofMillis(1200)).build()
        .maxSegment()).isEqualTo(Duration.ofMillis(1200));
  }

  @Test
  void aSoundThatEndsTheRecordingIsMeasuredInSamples() {
    // 9 frames and 2 samples of tone after 0.5 s of silence: the last, partial frame once counted
    // as a whole 10 ms and made a 0.09 s segment under a 0.1 s minSpeech.
    SegmenterOptions smallest = ENERGY_ONLY.toBuilder().minSpeech(Duration.ofMillis(100))
        .padding(Duration.ZERO).build();
    float[] silence = new float[RATE / 2];
    assertThat(Segmenter.of(smallest).segment(concat(silence, tone(0.0901, 0.5)), RATE)).isEmpty();
    List<SpeechSegment> enough =
        Segmenter.of(smallest).segment(concat(silence, tone(0.1, 0.5)), RATE);
    assertThat(enough).hasSize(1);
    assertThat(enough.get(0).duration()).isEqualTo(Duration.ofMillis(100));
  }

  @Test
  void maxSegmentIsASetting() {
    float[] x = syllables(25, 0.3);
    SegmenterOptions tenSeconds = ENERGY_ONLY.toBuilder().maxSegment(Duration.ofSeconds(10))
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
  void noiseToneAndMusicBetweenSentencesGiveNoSegment() {
    TestAudio.assumeTools();
    // sentence, tone, sentence, loud noise, sentence, melody, hum: only the sentences are speech
    float[] once = AudioSources.of(joined).readMono(RATE);
    List<float[]> sentences = new ArrayList<>();
    for (double[] t : truth) {
      sentences.add(Arrays.copyOfRange(once, (int) (t[0] * RATE),
          Math.min(once.length, (int) Math.ceil(t[1] * RATE))));
    }
    Random r = new Random(3);
    float[] second = new float[RATE];
    float[] tone = level(tone(1.5, 1), -20);
    float[] noise = new float[RATE * 3 / 2];
    for (int i = 0; i < noise.length; i++) {
      noise[i] = (float) r.nextGaussian();
    }
    level(noise, -12);
    float[] melody = new float[RATE * 2];
    for (int i = 0; i < melody.length; i++) {
      double hz = 262 * Math.pow(2, new int[] {0, 4, 7, 12, 7, 4, 0, 5}[i / (RATE / 4)] / 12.0);
      for (int k = 1; k <= 5; k++) {
        melody[i] += (float) (Math.pow(0.6, k - 1) * Math.sin(2 * Math.PI * k * hz * i / RATE));
      }
    }
    level(melody, -15);
    float[] hum = new float[RATE * 2];
    for (int i = 0; i < hum.length; i++) {
      for (int k = 1; k <= 8; k++) {
        hum[i] += (float) (Math.pow(0.7, k - 1) * Math.sin(2 * Math.PI * 50 * k * i / RATE));
      }
    }
    level(hum, -20);
    List<float[]> parts = List.of(sentences.get(0), second, tone, second, sentences.get(1),
        second, noise, second, sentences.get(2), second, melody, second, hum);
    float[] x = new float[0];
    List<double[]> speech = new ArrayList<>();
    for (float[] p : parts) {
      if (sentences.contains(p)) {
        speech.add(new double[] {x.length / (double) RATE, (x.length + p.length) / (double) RATE});
      }
      x = concat(x, p);
    }

    List<SpeechSegment> segments = Segmenter.withDefaults().segment(x, RATE);
    List<SpeechSegment> energyOnly = Segmenter.of(ENERGY_ONLY).segment(x, RATE);

    StringBuilder sb = new StringBuilder("sentences with a tone, loud noise, a melody and hum "
        + "between them (default SegmenterOptions)\n");
    segments.forEach(s -> sb.append("  ").append(s).append('\n'));
    sb.append("  the energy rules alone (speechGate(false)) find ").append(energyOnly.size())
        .append(" segments\n");
    System.out.print(sb);
    synchronized (report) {
      report.append(sb).append('\n');
    }
    assertThat(segments).hasSize(3);
    for (int i = 0; i < 3; i++) {
      double mid = (speech.get(i)[0] + speech.get(i)[1]) / 2;
      assertThat(seconds(segments.get(i).start())).as("sentence %d", i).isLessThan(mid)
          .isGreaterThan(speech.get(i)[0] - 0.3);
      assertThat(seconds(segments.get(i).end())).as("sentence %d", i).isGreaterThan(mid)
          .isLessThan(speech.get(i)[1] + 0.3);
    }
    assertThat(energyOnly).hasSizeGreaterThan(3);
  }

  @Test
  void streamingInChunksGivesTheBatchSegments() {
    TestAudio.assumeTools();
    float[] x = AudioSources.of(joined).readMono(RATE);
    List<SpeechSegment> batch = Segmenter.withDefaults().segment(x, RATE);
    Random r = new Random(5);
    for (int run = 0; run < 3; run++) {
      StreamingSegmenter stream = StreamingSegmenter.of(SegmenterOptions.defaults(), RATE);
      List<SpeechSegment> got = new ArrayList<>();
      int at = 0;
      while (at < x.length) {
        int n = Math.min(x.length - at, 1 + r.nextInt(run == 0 ? 7 : 4000));
        List<SpeechSegment> done = stream.accept(x, at, n);
        at += n;
        for (SpeechSegment s : done) {
          // delivered at most minSilence (+ the classifier's 30 ms) after the speech ended
          assertThat(at - s.endSample()).isLessThanOrEqualTo((long) (0.55 * RATE) + 5000);
        }
        got.addAll(done);
      }
      got.addAll(stream.finish());
      assertThat(stream.finish()).isEmpty();
      assertThat(got).hasSameSizeAs(batch);
      for (int i = 0; i < got.size(); i++) {
        assertThat(got.get(i).startSample()).isEqualTo(batch.get(i).startSample());
        assertThat(got.get(i).endSample()).isEqualTo(batch.get(i).endSample());
        assertThat(got.get(i).samples()).containsExactly(batch.get(i).samples());
      }
    }
    StreamingSegmenter finished = StreamingSegmenter.of(SegmenterOptions.defaults(), RATE);
    finished.finish();
    assertThatThrownBy(() -> finished.accept(new float[10]))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("finished");
  }

  @Test
  void aLongStreamWithoutSpeechKeepsBoundedMemory() {
    // 5 minutes of room noise with a loud tone now and then, in 100 ms chunks: no segment, and
    // never more kept than the 2 s reach back plus padding (and the slack before a compaction).
    StreamingSegmenter stream = StreamingSegmenter.of(SegmenterOptions.defaults(), RATE);
    Random r = new Random(9);
    float[] chunk = new float[RATE / 10];
    int most = 0;
    for (int c = 0; c < 3000; c++) {
      for (int i = 0; i < chunk.length; i++) {
        chunk[i] = (float) (1e-3 * r.nextGaussian()
            + (c % 100 < 20 ? 0.2 * Math.sin(2 * Math.PI * 440 * i / RATE) : 0));
      }
      assertThat(stream.accept(chunk, 0, chunk.length)).isEmpty();
      most = Math.max(most, stream.keptSamples());
    }
    assertThat(stream.finish()).isEmpty();
    assertThat(stream.samplesSeen()).isEqualTo(3000L * chunk.length);
    assertThat(most).isLessThanOrEqualTo(2 * (2 * RATE + RATE / 2) + (1 << 16));
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

  /** {@code x} with its last {@code seconds} faded linearly down to {@code to} of its level. */
  static float[] fadeOut(float[] x, double seconds, double to) {
    int n = (int) Math.round(seconds * RATE);
    for (int i = Math.max(0, x.length - n); i < x.length; i++) {
      int left = x.length - i;
      x[i] *= (float) (to + (1 - to) * left / (double) n);
    }
    return x;
  }

  /** {@code x} scaled to RMS {@code db} dBFS. */
  static float[] level(float[] x, double db) {
    double p = 0;
    for (float v : x) {
      p += v * v;
    }
    double g = Math.sqrt(Math.pow(10, db / 10) / (p / x.length));
    for (int i = 0; i < x.length; i++) {
      x[i] *= (float) g;
    }
    return x;
  }

  static float[] concat(float[] a, float[] b) {
    float[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  static double seconds(Duration d) {
    return d.toNanos() / 1e9;
  }
}

package io.mersdk.audio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.mersdk.Device;
import io.mersdk.EmotionRecognizer;
import io.mersdk.EmotionResult;
import io.mersdk.Segment;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link Timeline} over the real pipeline (ONNX Runtime, testdata/bundles/tiny-a, random weights):
 * one segment per sentence with the result of that sentence's own samples, nothing for silence,
 * long speech cut to fit the ASR window, batches of the size asked for. The recogniser's backend is
 * wrapped by {@link CountingBackendProvider}, which records every batch.
 */
class TimelineTest {
  static final Path TINY_A = testdata().resolve("bundles").resolve("tiny-a");

  /**
   * A batch may round differently from single calls (matmuls over a padded batch); the same bound
   * as mer-sdk-onnx's BatchAndThreadsTest.
   */
  static final double BATCH_TOLERANCE = 1e-5;

  @TempDir static Path dir;
  static TestAudio.Joined joined;
  static EmotionRecognizer recognizer;
  static int rate;
  /** tiny-a's ASR window, audio.n_samples of its manifest. */
  static int window;

  @BeforeAll
  static void open() throws IOException {
    TestAudio.assumeTools();
    joined = TestAudio.joinSentences(dir);
    recognizer = recognizer(null);
    rate = recognizer.bundle().sampleRate();
    window = nSamples(TINY_A);
  }

  /**
   * tiny-a with random weights: Whisper's speech rule is switched off by thresholds no evidence
   * can cross, so that every sentence gets an emotion whatever the bundle's weights. The acoustic
   * gate is {@code gate}, or off (the segmenter has already dropped the silence).
   */
  static EmotionRecognizer recognizer(io.mersdk.spi.SpeechDetector gate) {
    EmotionRecognizer.Builder b = EmotionRecognizer.builder().bundle(TINY_A).device(Device.CPU)
        .threads(1).noSpeechThreshold(1.0).compressionRatioThreshold(Double.MAX_VALUE);
    return (gate == null ? b.speechGate(false) : b.speechDetector(gate)).build();
  }

  @AfterAll
  static void close() {
    if (recognizer != null) {
      recognizer.close();
    }
  }

  @Test
  void oneSegmentPerSentenceWithTheResultOfItsOwnSamples() {
    CountingBackendProvider.reset();
    List<Segment> timeline = Timeline.builder(recognizer).build()
        .run(AudioSources.of(joined.file()));
    List<Integer> batches = CountingBackendProvider.batches();

    List<double[]> truth = joined.truth();
    assertThat(timeline).hasSize(truth.size());
    assertThat(batches).as("default batch size 4, four sentences").containsExactly(4);
    double pad = seconds(SegmenterOptions.defaults().padding());
    float[] x = AudioSources.of(joined.file()).readMono(rate);
    List<EmotionResult> singles = new ArrayList<>();
    for (int i = 0; i < truth.size(); i++) {
      Segment s = timeline.get(i);
      // Where the sentence's speech is, widened by the padding, as in SegmenterTest.
      assertThat(seconds(s.start())).as("start of sentence %d", i)
          .isCloseTo(Math.max(0, truth.get(i)[0] - pad), within(SegmenterTest.TOLERANCE_S));
      assertThat(seconds(s.end())).as("end of sentence %d", i)
          .isCloseTo(truth.get(i)[1] + pad, within(SegmenterTest.TOLERANCE_S));
      float[] own = Arrays.copyOfRange(x, sample(s.start()), sample(s.end()));
      EmotionResult single = recognizer.recognize(own);
      assertSameResult(s.result(), single, "sentence " + i);
      singles.add(single);
    }
    // The comparison above catches results handed to the wrong segment only if any two sentences'
    // results differ by more than twice the tolerance (random weights give small differences:
    // 1.5e-4 is the smallest here).
    for (int i = 0; i < singles.size(); i++) {
      for (int j = i + 1; j < singles.size(); j++) {
        assertThat(maxDifference(singles.get(i), singles.get(j))).as("sentences %d and %d", i, j)
            .isGreaterThan(2 * BATCH_TOLERANCE);
      }
    }
  }

  @Test
  void silenceGivesAnEmptyListWithoutCallingTheRecogniser() throws IOException {
    float[] hiss = new float[rate * 10];
    Random r = new Random(3);
    for (int i = 0; i < hiss.length; i++) {
      hiss[i] = (float) (r.nextGaussian() * 1e-4); // -80 dBFS, far below the -45 dBFS threshold
    }
    Path silent = dir.resolve("silence.wav");
    TestAudio.run(TestAudio.SOX, "-n", "-r", "44100", "-c", "2", "-b", "16", silent.toString(),
        "trim", "0", "5");
    Timeline timeline = Timeline.builder(recognizer).build();

    CountingBackendProvider.reset();
    assertThat(timeline.run(new float[rate * 10])).isEmpty();
    assertThat(timeline.run(hiss)).isEmpty();
    assertThat(timeline.run(AudioSources.of(silent))).isEmpty();
    // Under 0.1 s (a 0.09 s tone burst): no utterance either.
    assertThat(timeline.run(SegmenterTest.tone(0.09, 0.5))).isEmpty();

    assertThat(CountingBackendProvider.batches()).as("recogniser calls").isEmpty();
  }

  @Test
  void longContinuousSpeechIsCutToFitTheAsrWindowAndNothingIsDropped() {
    // 65+ s of one run of speech (the sentences with 0.1 s gaps, under minSilence). A segment
    // longer than the window would be refused by the recogniser (AudioException), so the run
    // itself shows that none is; the checks below say so directly.
    float[] x = TestAudio.continuousSpeech(joined, rate, 0.1, 65);
    assertThat(x.length).isGreaterThan(2 * window);

    CountingBackendProvider.reset();
    List<Segment> timeline = Timeline.builder(recognizer).build().run(x);

    assertThat(timeline).hasSizeGreaterThanOrEqualTo(3);
    assertThat(CountingBackendProvider.batches().stream().mapToInt(Integer::intValue).sum())
        .as("utterances recognised").isEqualTo(timeline.size());
    List<long[]> ranges = new ArrayList<>();
    for (Segment s : timeline) {
      long from = sample(s.start());
      long to = sample(s.end());
      assertThat(to - from).as("samples of %s-%s", s.start(), s.end()).isLessThanOrEqualTo(window);
      assertThat(s.result().label()).isIn(recognizer.labels());
      ranges.add(new long[] {from, to});
    }
    for (int i = 1; i < timeline.size(); i++) {
      assertThat(timeline.get(i).start()).as("start of piece %d", i)
          .isEqualTo(timeline.get(i - 1).end()); // cut for length, not at a pause
    }
    assertThat(TestAudio.audibleOutside(x, 1e-3, ranges)).as("audible samples in no segment")
        .isZero();
  }

  /**
   * An utterance the recogniser calls no speech (here: its acoustic gate rejects the second
   * sentence) gets no segment; one that fails keeps its segment with the error.
   */
  @Test
  void noSpeechGivesNoSegmentAndAFailureKeepsItsSegment() {
    List<Segment> all = Timeline.builder(recognizer).build().run(AudioSources.of(joined.file()));
    assertThat(all).hasSize(joined.truth().size());
    Duration second = all.get(1).start();
    // The gate sees each segment's samples; it rejects the one that starts where sentence 1 does.
    float[] x = AudioSources.of(joined.file()).readMono(rate);
    float[] secondSamples = Arrays.copyOfRange(x, sample(all.get(1).start()), sample(all.get(1).end()));
    io.mersdk.spi.SpeechDetector gate = (samples, r) -> io.mersdk.spi.SpeechActivity.of(
        samples.length != secondSamples.length, Duration.ofMillis(samples.length * 1000L / r));
    try (EmotionRecognizer gated = recognizer(gate)) {
      CountingBackendProvider.reset();
      CountingBackendProvider.failUtterance(2); // the third utterance the backend sees
      List<Segment> got = Timeline.builder(gated).build().run(AudioSources.of(joined.file()));

      assertThat(got).hasSize(all.size() - 1);
      assertThat(got).extracting(Segment::start).doesNotContain(second);
      assertThat(got.get(0).result().isEmotion()).isTrue();
      assertThat(got.get(1).result().isEmotion()).isTrue();
      assertThat(got.get(2).result().isFailed()).isTrue();
      assertThat(got.get(2).result().error()).hasMessageContaining("inference failed on this item");
      assertThat(got.get(2).start()).isEqualTo(all.get(3).start());

      CountingBackendProvider.reset();
      List<Segment> kept = Timeline.builder(gated).keepNoSpeech(true).build()
          .run(AudioSources.of(joined.file()));
      assertThat(kept).hasSameSizeAs(all);
      assertThat(kept.get(1).result().isNoSpeech()).isTrue();
      assertThat(kept.get(1).start()).isEqualTo(second);
    } finally {
      CountingBackendProvider.reset();
    }
  }

  @Test
  void batchSizeIsHonoured() {
    List<Segment> reference = Timeline.builder(recognizer).batchSize(1).build()
        .run(AudioSources.of(joined.file()));

    for (int size : new int[] {1, 3, 4, 10}) {
      CountingBackendProvider.reset();
      List<Segment> got = Timeline.builder(recognizer).batchSize(size).build()
          .run(AudioSources.of(joined.file()));
      List<Integer> expected = new ArrayList<>();
      for (int left = reference.size(); left > 0; left -= size) {
        expected.add(Math.min(size, left));
      }
      assertThat(CountingBackendProvider.batches()).as("batches for batchSize %d", size)
          .isEqualTo(expected);
      assertThat(got).hasSameSizeAs(reference);
      for (int i = 0; i < got.size(); i++) {
        assertThat(got.get(i).start()).isEqualTo(reference.get(i).start());
        assertThat(got.get(i).end()).isEqualTo(reference.get(i).end());
        assertSameResult(got.get(i).result(), reference.get(i).result(),
            "segment " + i + " with batchSize " + size);
      }
    }
    assertThatThrownBy(() -> Timeline.builder(recognizer).batchSize(0).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("batchSize:");
  }

  private static void assertSameResult(EmotionResult actual, EmotionResult expected, String what) {
    assertThat(actual.asrTokenIds()).as(what + " ASR tokens").isEqualTo(expected.asrTokenIds());
    assertThat(actual.transcript()).as(what + " transcript").isEqualTo(expected.transcript());
    assertThat(actual.textTokenIds()).as(what + " text ids").isEqualTo(expected.textTokenIds());
    assertThat(actual.label()).as(what + " label").isEqualTo(expected.label());
    assertThat(actual.probabilities().keySet())
        .containsExactlyElementsOf(expected.probabilities().keySet());
    expected.probabilities().forEach((label, p) -> assertThat(actual.probability(label))
        .as(what + " P(" + label + ")").isCloseTo(p, within(BATCH_TOLERANCE)));
  }

  private static double maxDifference(EmotionResult a, EmotionResult b) {
    double max = 0;
    for (String label : a.probabilities().keySet()) {
      max = Math.max(max, Math.abs(a.probability(label) - b.probability(label)));
    }
    return max;
  }

  /** Sample index of a segment edge (edges are whole samples: 62.5 us apart at 16 kHz). */
  private static int sample(Duration d) {
    return (int) Math.round(d.toNanos() * rate / 1e9);
  }

  private static double seconds(Duration d) {
    return d.toNanos() / 1e9;
  }

  static Path testdata() {
    String p = System.getProperty("mer.testdata");
    return (p != null ? Path.of(p) : Path.of("..", "testdata")).toAbsolutePath().normalize();
  }

  /** {@code audio.n_samples} of a bundle's manifest (the only field of that name). */
  static int nSamples(Path bundle) throws IOException {
    String json = Files.readString(bundle.resolve("bundle.json"));
    Matcher m = Pattern.compile("\"n_samples\"\\s*:\\s*(\\d+)").matcher(json);
    assertThat(m.find()).as("audio.n_samples in %s", bundle).isTrue();
    int n = Integer.parseInt(m.group(1));
    assertThat(m.find()).as("a second n_samples in %s", bundle).isFalse();
    return n;
  }
}

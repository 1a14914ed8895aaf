package io.mersdk.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.mersdk.EmotionRecognizer;
import io.mersdk.EmotionResult;
import io.mersdk.MerException;
import io.mersdk.audio.MicrophoneSource;
import io.mersdk.audio.Segmenter;
import io.mersdk.audio.SpeechSegment;
import io.mersdk.testkit.audio.FakeLine;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import javax.sound.sampled.AudioSystem;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The live-microphone loop on a fake capture line (this machine has no microphone). */
class LiveLoopTest {
  private static final Duration WAIT = Duration.ofSeconds(60);
  static EmotionRecognizer rec;

  record Heard(SpeechSegment segment, EmotionResult result) {}

  @BeforeAll
  static void recognizer() {
    rec = RecognizeCommandTest.directWithoutModelRule("tiny-a");
  }

  @AfterAll
  static void close() {
    rec.close();
  }

  @Test
  void eachUtteranceIsRecognisedAsItEnds() throws Exception {
    float[] audio = TestAudio.concat(TestAudio.silence(0.5), TestAudio.voiced(1.0, 130, 31),
        TestAudio.silence(1.5), TestAudio.voiced(1.2, 230, 32), TestAudio.silence(1.5));
    FakeLine line = new FakeLine(audio);
    List<Heard> heard = new CopyOnWriteArrayList<>();
    List<MerException> failed = new CopyOnWriteArrayList<>();
    LiveLoop loop = new LiveLoop(MicrophoneSource.builder().line(line).build(), rec,
        (s, r) -> heard.add(new Heard(s, r)), (s, e) -> failed.add(e));

    CompletableFuture<Void> running = CompletableFuture.runAsync(() -> run(loop));
    assertThat(line.drained().await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
    awaitSize(heard, 2); // both utterances end inside the audio (1.5 s of silence after each)
    assertThat(loop.stop(WAIT)).isTrue();
    running.get(WAIT.toSeconds(), TimeUnit.SECONDS);

    assertThat(failed).isEmpty();
    assertThat(heard).hasSize(2);
    assertThat(line.wasClosed()).isTrue();
    List<SpeechSegment> offline = Segmenter.withDefaults().segment(audio, TestAudio.RATE);
    assertThat(offline).hasSize(2);
    for (int i = 0; i < 2; i++) {
      Heard h = heard.get(i);
      assertThat(seconds(h.segment().start()))
          .isCloseTo(seconds(offline.get(i).start()), within(0.05));
      assertThat(seconds(h.segment().end())).isCloseTo(seconds(offline.get(i).end()), within(0.05));
      EmotionResult expected = rec.recognize(h.segment().samples());
      assertThat(h.result().label()).isEqualTo(expected.label());
      assertThat(h.result().confidence()).isCloseTo(expected.confidence(), within(1e-6));
    }
  }

  @Test
  void stopStillRecognisesTheUtteranceInProgress() throws Exception {
    float[] audio = TestAudio.concat(TestAudio.silence(0.3), TestAudio.voiced(1.0, 180, 33));
    FakeLine line = new FakeLine(audio); // speech runs to the end: nothing ends it but stop()
    List<Heard> heard = new CopyOnWriteArrayList<>();
    LiveLoop loop = new LiveLoop(MicrophoneSource.builder().line(line).build(), rec,
        (s, r) -> heard.add(new Heard(s, r)), (s, e) -> { });

    CompletableFuture<Void> running = CompletableFuture.runAsync(() -> run(loop));
    assertThat(line.drained().await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
    assertThat(loop.stop(WAIT)).isTrue();
    running.get(WAIT.toSeconds(), TimeUnit.SECONDS);

    assertThat(heard).hasSize(1);
    assertThat(seconds(heard.get(0).segment().end())).isGreaterThan(1.0);
    assertThat(line.wasClosed()).isTrue();
  }

  @Test
  void printedLineHasTimesLabelAndConfidence() {
    SpeechSegment s = new SpeechSegment(16000, 40000, 16000, new float[24000]);
    EmotionResult r = rec.recognize(TestAudio.voiced(1.5, 150, 34));
    StringWriter out = new StringWriter();

    LiveMicrophone.print(new PrintWriter(out), s, r);

    assertThat(out.toString()).startsWith("[   1.00 s -    2.50 s] " + r.label())
        .contains(String.format(java.util.Locale.ROOT, "%.3f", r.confidence()));
  }

  @Test
  void aSegmentWithoutSpeechPrintsNoSpeech() {
    SpeechSegment s = new SpeechSegment(16000, 40000, 16000, new float[24000]);
    EmotionResult r = rec.recognize(TestAudio.silence(1.5));
    StringWriter out = new StringWriter();

    LiveMicrophone.print(new PrintWriter(out), s, r);

    assertThat(r.isNoSpeech()).isTrue();
    assertThat(out.toString()).isEqualTo("[   1.00 s -    2.50 s] no speech" + System.lineSeparator());
  }

  @Test
  void withoutAMicrophoneLiveSaysSoInOneLineAndExitsOne() {
    assumeTrue(AudioSystem.getMixerInfo().length == 0, "this machine has an audio system");

    Cli.Run run = Cli.run("live", "--bundle", TestAudio.bundle("tiny-a").toString(), "--device",
        "cpu");

    assertThat(run.exitCode()).isEqualTo(Mer.INPUTS_FAILED);
    assertThat(run.errLines()).hasSize(1);
    assertThat(run.errLines().get(0)).startsWith("mer: microphone").contains("no audio capture");
  }

  private static void run(LiveLoop loop) {
    try {
      loop.run();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static double seconds(Duration d) {
    return d.toNanos() / 1e9;
  }

  private static void awaitSize(List<?> list, int n) throws InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (list.size() < n) {
      assertThat(System.nanoTime()).as("only %d of %d utterances arrived", list.size(), n)
          .isLessThan(deadline);
      Thread.sleep(20);
    }
  }
}

package io.mersdk.audio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.mersdk.AudioException;
import io.mersdk.EmotionRecognizer;
import io.mersdk.EmotionResult;
import io.mersdk.Segment;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link CallTimeline} on real stereo structure: a two-voice call made by {@link TestCalls} at
 * 8 kHz (pauses, an overlap), over the real pipeline (tiny-a, random weights, as TimelineTest).
 * Times are checked against the script within {@link SegmenterTest#TOLERANCE_S} after the
 * segmenter's padding, as TimelineTest checks the mono timeline.
 */
class CallTimelineTest {
  @TempDir static Path dir;
  static TestCalls.Call call;
  static EmotionRecognizer recognizer;

  @BeforeAll
  static void open() {
    TestAudio.assumeTools();
    call = TestCalls.make(dir, 8000);
    recognizer = TimelineTest.recognizer(null);
  }

  @AfterAll
  static void close() {
    if (recognizer != null) {
      recognizer.close();
    }
  }

  /**
   * One segment per scripted line: espeak-ng pauses 0.2-0.35 s at a comma or full stop inside a
   * line, longer than the default 0.2 s that ends an utterance; the script's lines of one party are
   * at least 2.7 s apart. So this test ends an utterance after 0.5 s of silence.
   */
  static final SegmenterOptions LINES = SegmenterOptions.defaults().toBuilder()
      .minSilence(Duration.ofMillis(500)).build();

  @Test
  void eachLineLandsInItsPartyAtItsTime() {
    CountingBackendProvider.reset();
    CallResult result = CallTimeline.builder(recognizer).segmenter(LINES).build()
        .run(AudioSources.channels(call.file()));

    assertThat(result.parties()).containsExactly(new Party(0, "agent"),
        new Party(1, "customer"));
    double pad = seconds(LINES.padding());
    for (Party p : result.parties()) {
      List<TestCalls.Spoken> lines = call.truth().stream()
          .filter(t -> t.channel() == p.channel()).toList();
      List<Segment> got = result.segmentsOf(p);
      assertThat(got).as("segments of %s", p.name()).hasSameSizeAs(lines);
      for (int i = 0; i < lines.size(); i++) {
        TestCalls.Spoken t = lines.get(i);
        assertThat(seconds(got.get(i).start())).as("%s line %d start", p.name(), i)
            .isCloseTo(Math.max(0, t.start() - pad), within(SegmenterTest.TOLERANCE_S));
        assertThat(seconds(got.get(i).end())).as("%s line %d end", p.name(), i)
            .isCloseTo(t.end() + pad, within(SegmenterTest.TOLERANCE_S));
        assertThat(got.get(i).result().isEmotion()).isTrue();
      }
    }
    // The agent's apology starts while the customer still speaks: both keep their segment.
    PartySegment apology = result.segmentsOf(result.party("agent")).size() == 2
        ? result.segments().stream().filter(s -> s.party().channel() == 0).toList().get(1) : null;
    PartySegment complaint = result.segments().stream()
        .filter(s -> s.party().channel() == 1).findFirst().orElseThrow();
    assertThat(apology.start()).isLessThan(complaint.end());
    // In time order, batches mixing the parties: 4 utterances, one batch of 4.
    assertThat(result.segments()).extracting(s -> s.party().name())
        .containsExactly("agent", "customer", "agent", "customer");
    assertThat(CountingBackendProvider.batches()).containsExactly(4);
    assertThat(result.duration()).isEqualTo(Duration.ofNanos(Math.round(
        AudioSources.of(call.file()).readMono(8000).length * 1e9 / 8000)));
  }

  @Test
  void eachPartyEqualsTheTimelineOfItsOwnChannel() {
    CallResult result = CallTimeline.builder(recognizer).parties("a", "b").build()
        .run(AudioSources.channels(call.file()));
    ChannelSource source = AudioSources.channels(call.file());
    for (Party p : result.parties()) {
      List<Segment> alone = Timeline.builder(recognizer).build().run(source.channel(p.channel()));
      assertSame(result.segmentsOf(p), alone, TimelineTest.BATCH_TOLERANCE);
    }
  }

  @Test
  void aMonoFileGivesExactlyTheTimeline() {
    Path mono = TestAudio.sox(call.file(), dir.resolve("mono.wav"), "-c", "1");
    List<Segment> timeline = Timeline.builder(recognizer).build().run(AudioSources.of(mono));
    CallResult result = CallTimeline.builder(recognizer).build()
        .run(AudioSources.channels(mono));

    assertThat(result.parties()).containsExactly(new Party(0, "speaker"));
    assertThat(AudioSources.channels(mono).readChannels(16000)[0])
        .isEqualTo(AudioSources.of(mono).readMono(16000));
    assertSame(result.segmentsOf(result.parties().get(0)), timeline, 0);
    // the mono AudioSource overload too
    assertSame(CallTimeline.builder(recognizer).build().run(AudioSources.of(mono))
        .segmentsOf(new Party(0, "speaker")), timeline, 0);
  }

  @Test
  void identicalChannelsGiveTwoIdenticalParties() {
    Path twin = dir.resolve("twin.wav"); // the left channel on both sides
    TestAudio.run(TestAudio.SOX, call.file().toString(), twin.toString(), "remix", "1", "1");
    CallResult result = CallTimeline.builder(recognizer).build().run(AudioSources.channels(twin));
    List<Segment> agent = result.segmentsOf(result.party("agent"));
    List<Segment> customer = result.segmentsOf(result.party("customer"));
    assertThat(agent).isNotEmpty();
    assertSame(customer, agent, TimelineTest.BATCH_TOLERANCE);
  }

  @Test
  void channelsOfEveryCountAndTheirNames() {
    float[] x = AudioSources.of(call.file()).readMono(16000);
    float[][] three = {x, new float[x.length], x};
    CallResult r = CallTimeline.builder(recognizer).build().run(three);
    assertThat(r.parties()).extracting(Party::name)
        .containsExactly("channel-0", "channel-1", "channel-2");
    assertThat(r.segmentsOf(r.parties().get(1))).as("a silent channel").isEmpty();
    assertThat(r.segmentsOf(r.parties().get(0))).isNotEmpty();
  }

  @Test
  void badInputIsATypedExceptionNamingTheField() {
    ChannelSource source = AudioSources.channels(call.file());
    assertThatThrownBy(() -> source.channel(2).readMono(16000))
        .isInstanceOf(AudioException.class)
        .hasMessageContaining("channel 2 does not exist").hasMessageContaining("2 channels");
    assertThatThrownBy(() -> source.channel(-1)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("channel:");
    assertThatThrownBy(() -> CallTimeline.builder(recognizer).parties("agent").build()
        .run(source)).isInstanceOf(AudioException.class)
        .hasMessageContaining("has 2 channels but 1 party names")
        .hasMessageContaining("CallTimeline.Builder.parties");
    assertThatThrownBy(() -> CallTimeline.builder(recognizer).parties("a", "a").build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("parties[1]:");
    assertThatThrownBy(() -> CallTimeline.builder(recognizer).parties("a", " ").build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("parties[1]:");
    assertThatThrownBy(() -> CallTimeline.builder(recognizer).batchSize(0).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("batchSize:");
    assertThatThrownBy(() -> AudioSources.channels(new float[][] {{0f}, {0f, 0f}}, 8000))
        .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("samples[1]:");
    assertThatThrownBy(() -> AudioSources.channels(dir.resolve("missing.wav")).readChannels(8000))
        .isInstanceOf(AudioException.class).hasMessageContaining("file not found");
  }

  static void assertSame(List<Segment> actual, List<Segment> expected, double tolerance) {
    assertThat(actual).hasSameSizeAs(expected);
    for (int i = 0; i < expected.size(); i++) {
      Segment a = actual.get(i);
      Segment e = expected.get(i);
      assertThat(a.start()).as("start %d", i).isEqualTo(e.start());
      assertThat(a.end()).as("end %d", i).isEqualTo(e.end());
      assertThat(a.result().outcome()).isEqualTo(e.result().outcome());
      if (e.result().isEmotion()) {
        assertThat(a.result().label()).as("label %d", i).isEqualTo(e.result().label());
        for (String l : e.result().probabilities().keySet()) {
          assertThat(a.result().probability(l)).as("P(%s) of %d", l, i)
              .isCloseTo(e.result().probability(l), within(tolerance));
        }
      }
    }
  }

  private static double seconds(Duration d) {
    return d.toNanos() / 1e9;
  }

  static List<EmotionResult> results(List<Segment> s) {
    return new ArrayList<>(s.stream().map(Segment::result).toList());
  }
}

package io.mersdk.audio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.mersdk.EmotionResult;
import io.mersdk.InferenceException;
import io.mersdk.Segment;
import io.mersdk.SpeechDecision;
import io.mersdk.audio.CallSummary.Direction;
import io.mersdk.audio.CallSummary.Gap;
import io.mersdk.audio.CallSummary.PartySummary;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@link CallSummarizer} against figures worked out by hand from a small call whose segments are
 * written out below (no model). Labels are a made-up bundle's, so nothing depends on one label set.
 */
class CallSummarizerTest {
  static final List<String> LABELS = List.of("calm", "cross", "glum");
  static final Party A = new Party(0, "agent");
  static final Party C = new Party(1, "customer");

  /**
   * agent:    [0,4) calm .1/.8/.1   [5,7) calm  [12,13) FAILED  [13,15) cross   [30,31) calm
   * customer: [3,6) cross .1/.7/.2  [6,8) cross [8,9) glum      [20,24) calm    (no-speech [25,26))
   */
  static CallResult call() {
    List<PartySegment> s = new ArrayList<>();
    s.add(seg(A, 0, 4, 0.8, 0.1, 0.1));
    s.add(seg(C, 3, 6, 0.1, 0.7, 0.2));
    s.add(seg(A, 5, 7, 0.6, 0.2, 0.2));
    s.add(seg(C, 6, 8, 0.2, 0.6, 0.2));
    s.add(seg(C, 8, 9, 0.1, 0.3, 0.6));
    s.add(new PartySegment(A, new Segment(sec(12), sec(13),
        EmotionResult.failed(new InferenceException("boom")).build())));
    s.add(seg(A, 13, 15, 0.2, 0.5, 0.3));
    s.add(seg(C, 20, 24, 0.9, 0.05, 0.05));
    s.add(new PartySegment(C, new Segment(sec(25), sec(26),
        EmotionResult.noSpeech(SpeechDecision.builder(false,
            SpeechDecision.Basis.ACOUSTIC_GATE).build()).build())));
    s.add(seg(A, 30, 31, 0.7, 0.2, 0.1));
    return new CallResult(List.of(A, C), s, sec(33));
  }

  @Test
  void perPartyFiguresEqualTheHandComputation() {
    CallSummary sum = CallSummarizer.builder(LABELS).negativeLabels("cross", "glum")
        .trendWindow(Duration.ofSeconds(2)).build().summarize(call());

    PartySummary a = sum.of(A);
    // speech: 4 + 2 + 1 (FAILED counts) + 2 + 1 = 10 s; labelled 9 s: calm 7, cross 2
    assertThat(a.speech()).isEqualTo(sec(10));
    assertThat(a.timePerLabel()).containsEntry("calm", sec(7)).containsEntry("cross", sec(2))
        .containsEntry("glum", Duration.ZERO);
    assertThat(a.sharePerLabel().get("calm")).isCloseTo(7 / 9.0, within(1e-12));
    assertThat(a.sharePerLabel().get("cross")).isCloseTo(2 / 9.0, within(1e-12));
    // calm [0,4)+[5,7) is one stretch of 6 s; the FAILED segment ends it; [30,31) is another
    assertThat(a.longestStretch().get("calm")).isEqualTo(
        new CallSummary.Stretch("calm", sec(0), sec(7), sec(6), 2));
    assertThat(a.longestStretch().get("cross").speech()).isEqualTo(sec(2));
    assertThat(a.longestStretch()).doesNotContainKey("glum");
    assertThat(a.firstNegative().orElseThrow().start()).isEqualTo(sec(13));
    // trend, N = 2 s: first 2 s of speech lie in [0,4): negativity .2; last 2 s: 1 s of [13,15)
    // (.8) and [30,31) (.3): mean .55; change +.35 > .1: worse
    assertThat(a.trend().start().getAsDouble()).isCloseTo(0.2, within(1e-12));
    assertThat(a.trend().end().getAsDouble()).isCloseTo(0.55, within(1e-12));
    assertThat(a.trend().direction()).isEqualTo(Direction.WORSE);
    assertThat(a.trend().window()).isEqualTo(sec(2));

    PartySummary c = sum.of(C);
    // the no-speech segment is not speech: 3 + 2 + 1 + 4 = 10 s
    assertThat(c.speech()).isEqualTo(sec(10));
    assertThat(c.timePerLabel()).containsEntry("cross", sec(5)).containsEntry("glum", sec(1))
        .containsEntry("calm", sec(4));
    assertThat(c.longestStretch().get("cross")).isEqualTo(
        new CallSummary.Stretch("cross", sec(3), sec(8), sec(5), 2));
    assertThat(c.firstNegative().orElseThrow().start()).isEqualTo(sec(3));
    // first 2 s in [3,6): .9; last 2 s in [20,24): .1; change -.8: better
    assertThat(c.trend().start().getAsDouble()).isCloseTo(0.9, within(1e-12));
    assertThat(c.trend().end().getAsDouble()).isCloseTo(0.1, within(1e-12));
    assertThat(c.trend().direction()).isEqualTo(Direction.BETTER);
  }

  @Test
  void betweenPartiesFiguresEqualTheHandComputation() {
    CallSummary sum = CallSummarizer.builder(LABELS).minGap(Duration.ofSeconds(4)).build()
        .summarize(call());
    // both speak in [3,4) (agent [0,4), customer [3,6)), [5,6) (agent [5,7), customer [3,6))
    // and [6,7) (agent [5,7), customer [6,8)): 3 s
    assertThat(sum.talkOver()).isEqualTo(sec(3));
    // silences: [9,12) 3 s (not over 4), [15,20) 5 s, [24,30) 6 s (the no-speech segment is
    // silence)
    assertThat(sum.gaps()).containsExactly(new Gap(sec(15), sec(20)), new Gap(sec(24), sec(30)));
    assertThat(sum.silence()).isEqualTo(sec(11));
    assertThat(sum.lastSpeaker()).contains(A);
    // no negative labels: no first negative, no trend
    assertThat(sum.of(A).firstNegative()).isEmpty();
    assertThat(sum.of(A).trend().direction()).isEqualTo(Direction.UNKNOWN);
    assertThat(sum.of(A).trend().start()).isEmpty();
  }

  @Test
  void edgeCases() {
    // less than 2N of speech: each end takes half of it. Agent 9 s labelled, N = 30 s: w = 4.5 s
    CallSummary sum = CallSummarizer.builder(LABELS).negativeLabels("cross").build()
        .summarize(call());
    CallSummary.Trend t = sum.of(A).trend();
    assertThat(t.window()).isEqualTo(Duration.ofMillis(4500));
    // first 4.5 s: [0,4) at .1 and .5 s of [5,7) at .2: (0.4 + 0.1) / 4.5
    assertThat(t.start().getAsDouble()).isCloseTo(0.5 / 4.5, within(1e-12));
    // last 4.5 s: 1.5 s of [5,7) at .2, [13,15) at .5, [30,31) at .2: (0.3 + 1 + 0.2) / 4.5
    assertThat(t.end().getAsDouble()).isCloseTo(1.5 / 4.5, within(1e-12));

    // touching segments do not talk over; a party without speech; an empty call
    CallResult touching = new CallResult(List.of(A, C),
        List.of(seg(A, 0, 2, 1, 0, 0), seg(C, 2, 3, 1, 0, 0)), sec(3));
    CallSummary s2 = CallSummarizer.builder(LABELS).negativeLabels("glum").build()
        .summarize(touching);
    assertThat(s2.talkOver()).isZero();
    assertThat(s2.gaps()).isEmpty();
    assertThat(s2.lastSpeaker()).contains(C);
    CallSummary empty = CallSummarizer.builder(LABELS).negativeLabels("glum").build()
        .summarize(new CallResult(List.of(A, C), List.of(), sec(5)));
    assertThat(empty.lastSpeaker()).isEmpty();
    assertThat(empty.of(C).speech()).isZero();
    assertThat(empty.of(C).sharePerLabel()).containsEntry("calm", 0.0);
    assertThat(empty.of(C).trend().direction()).isEqualTo(Direction.UNKNOWN);
  }

  @Test
  void badSettingsNameTheField() {
    assertThatThrownBy(() -> CallSummarizer.builder(LABELS).negativeLabels("angry").build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("negativeLabels:")
        .hasMessageContaining("'angry'").hasMessageContaining("[calm, cross, glum]");
    assertThatThrownBy(() -> CallSummarizer.builder(LABELS).trendWindow(Duration.ZERO).build())
        .hasMessageStartingWith("trendWindow:");
    assertThatThrownBy(() -> CallSummarizer.builder(LABELS).trendThreshold(1.5).build())
        .hasMessageStartingWith("trendThreshold:");
    assertThatThrownBy(() -> CallSummarizer.builder(LABELS).minGap(sec(-1)).build())
        .hasMessageStartingWith("minGap:");
    assertThatThrownBy(() -> CallSummarizer.builder(List.of()))
        .hasMessageStartingWith("labels:");
  }

  static PartySegment seg(Party p, double from, double to, double... probs) {
    Map<String, Double> m = new LinkedHashMap<>();
    for (int i = 0; i < LABELS.size(); i++) {
      m.put(LABELS.get(i), probs[i]);
    }
    return new PartySegment(p, new Segment(sec(from), sec(to), EmotionResult.emotion(m).build()));
  }

  static Duration sec(double s) {
    return Duration.ofMillis(Math.round(s * 1000));
  }
}

package io.mersdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** EmotionResult, SpeechDecision, SpeechThresholds, StageTimings: what callers can rely on. */
class ResultTypesTest {
  private static Map<String, Double> probs(double... p) {
    Map<String, Double> m = new LinkedHashMap<>();
    String[] names = {"neutral", "happy", "sad"};
    for (int i = 0; i < p.length; i++) {
      m.put(names[i], p[i]);
    }
    return m;
  }

  @Test
  void theLabelIsTheMostProbableAndTheFirstOnATie() {
    assertThat(EmotionResult.emotion(probs(0.2, 0.5, 0.3)).build().label()).isEqualTo("happy");
    assertThat(EmotionResult.emotion(probs(0.4, 0.4, 0.2)).build().label()).isEqualTo("neutral");
    EmotionResult r = EmotionResult.emotion(probs(0.2, 0.5, 0.3)).transcript("hi", false).build();
    assertThat(r.confidence()).isCloseTo(0.5, within(1e-12));
    assertThat(r.probability("sad")).isCloseTo(0.3, within(1e-12));
    assertThat(r.probabilities().keySet()).containsExactly("neutral", "happy", "sad");
    assertThatThrownBy(() -> r.probability("bored")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("bored");
  }

  @Test
  void noSpeechCanNotBeReadAsAnEmotion() {
    SpeechDecision d = SpeechDecision.builder(false, SpeechDecision.Basis.MODEL)
        .noSpeechProbability(0.9).avgLogProbability(-1.5).build();
    EmotionResult r = EmotionResult.noSpeech(d).bundleId("b").build();
    assertThat(r.outcome()).isEqualTo(Outcome.NO_SPEECH);
    for (Runnable accessor : new Runnable[] {r::label, r::confidence, r::probabilities,
        r::transcript, () -> r.probability("happy"), r::error}) {
      assertThatThrownBy(accessor::run).isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("NO_SPEECH");
    }
    // everything else answers, never null
    assertThat(r.speech().noSpeechProbability()).hasValue(0.9);
    assertThat(r.asrTokenIds()).isEmpty();
    assertThat(r.textTokenIds()).isEmpty();
    assertThat(r.failure()).isEmpty();
    assertThat(r.timings()).isNotNull();
    assertThat(r.device()).isEqualTo(Device.CPU);
    assertThat(r.toString()).contains("NO_SPEECH");
  }

  @Test
  void aFailedItemCarriesItsExceptionAndNoEmotion() {
    AudioException e = new AudioException("x.wav: truncated");
    EmotionResult r = EmotionResult.failed(e).build();
    assertThat(r.error()).isSameAs(e);
    assertThat(r.failure()).containsSame(e);
    assertThatThrownBy(r::label).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("FAILED").hasMessageContaining("truncated");
    assertThat(r.speech().basis()).isEqualTo(SpeechDecision.Basis.NOT_CHECKED);
  }

  @Test
  void aResultNeverPrintsItsTranscript() {
    EmotionResult r = EmotionResult.emotion(probs(0.9, 0.1)).transcript("my card number", false).build();
    assertThat(r.toString()).doesNotContain("card number");
  }

  @Test
  void badProbabilitiesAndContradictoryDecisionsAreRefused() {
    assertThatThrownBy(() -> EmotionResult.emotion(Map.of())).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> EmotionResult.emotion(probs(0.5, Double.NaN)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("happy");
    assertThatThrownBy(() -> EmotionResult.emotion(probs(1.5, 0)))
        .isInstanceOf(IllegalArgumentException.class);
    SpeechDecision speech = SpeechDecision.builder(true, SpeechDecision.Basis.MODEL).build();
    assertThatThrownBy(() -> EmotionResult.noSpeech(speech)).isInstanceOf(IllegalArgumentException.class);
    SpeechDecision none = SpeechDecision.builder(false, SpeechDecision.Basis.ACOUSTIC_GATE).build();
    assertThatThrownBy(() -> EmotionResult.emotion(probs(1)).speech(none).build())
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> SpeechDecision.builder(true, SpeechDecision.Basis.ACOUSTIC_GATE).build())
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> SpeechDecision.builder(false, SpeechDecision.Basis.NOT_CHECKED).build())
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> SpeechDecision.builder(true, SpeechDecision.Basis.MODEL).noSpeechProbability(1.2))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("noSpeechProbability");
  }

  @Test
  void theThresholdRuleIsOpenAiWhispers() {
    SpeechThresholds t = SpeechThresholds.WHISPER_DEFAULTS;
    assertThat(t.noSpeech(0.61, -1.01, 1.0)).isTrue();   // silence: likely no-speech, unlikely text
    assertThat(t.noSpeech(0.61, -0.99, 1.0)).isFalse();  // confident text overrides no_speech_prob
    assertThat(t.noSpeech(0.59, -3.0, 1.0)).isFalse();
    assertThat(t.noSpeech(0.1, -1.5, 2.5)).isTrue();     // a repetitive, unlikely transcript
    assertThat(t.noSpeech(0.1, -0.5, 2.5)).isFalse();
    assertThat(t.noSpeech(Double.NaN, Double.NaN, Double.NaN)).isFalse(); // no evidence
    assertThatThrownBy(() -> new SpeechThresholds(1.5, -1, 2.4))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("noSpeechThreshold");
    assertThatThrownBy(() -> t.withLogProb(0.5)).hasMessageContaining("logProbThreshold");
    assertThatThrownBy(() -> t.withCompressionRatio(0)).hasMessageContaining("compressionRatioThreshold");
  }

  @Test
  void stageTimingsDefaultToZeroAndKeepTheirOrder() {
    StageTimings t = StageTimings.builder().set(StageTimings.Stage.HEAD, Duration.ofMillis(3)).build();
    assertThat(t.head()).isEqualTo(Duration.ofMillis(3));
    assertThat(t.speechEncoder()).isZero();
    assertThat(t.byKey().keySet()).containsExactly("speech_gate", "features", "asr_encode",
        "asr_decode", "speech_encoder", "text_encoder", "head", "total");
    assertThatThrownBy(() -> StageTimings.builder().set(StageTimings.Stage.HEAD, Duration.ofMillis(-1)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("head");
  }
}

package io.mersdk.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mersdk.AudioException;
import io.mersdk.Device;
import io.mersdk.EmotionResult;
import io.mersdk.SpeechDecision;
import io.mersdk.StageTimings;
import io.mersdk.StageTimings.Stage;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The JSON shape of each outcome (api-contract), and reading it back gives the same result. */
class ResultJsonTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static final StageTimings TIMINGS = StageTimings.builder()
      .set(Stage.SPEECH_GATE, Duration.ofMillis(1)).set(Stage.ASR_DECODE, Duration.ofNanos(2_500_000))
      .set(Stage.TOTAL, Duration.ofMillis(10)).build();

  private static EmotionResult emotion() {
    Map<String, Double> p = new LinkedHashMap<>();
    p.put("neutral", 0.25);
    p.put("happy", 0.75);
    SpeechDecision d = SpeechDecision.builder(true, SpeechDecision.Basis.MODEL)
        .speechDuration(Duration.ofMillis(1500)).noSpeechProbability(0.01).avgLogProbability(-0.2)
        .compressionRatio(1.1).build();
    return EmotionResult.emotion(p).transcript("hello there", false).speech(d).timings(TIMINGS)
        .device(Device.cuda(1)).bundleId("demo").build();
  }

  private static JsonNode tree(EmotionResult r) throws Exception {
    return JSON.readTree(ResultJson.toJson(r));
  }

  @Test
  void anEmotionHasLabelProbabilitiesInBundleOrderTranscriptAndEvidence() throws Exception {
    JsonNode o = tree(emotion());
    assertThat(fieldNames(o)).containsExactly("outcome", "label", "confidence", "probabilities",
        "transcript", "transcript_supplied", "speech", "timings_ms", "device", "bundle_id");
    assertThat(o.get("outcome").asText()).isEqualTo("emotion");
    assertThat(o.get("label").asText()).isEqualTo("happy");
    assertThat(o.get("confidence").asDouble()).isEqualTo(0.75);
    assertThat(fieldNames(o.get("probabilities"))).containsExactly("neutral", "happy");
    assertThat(o.get("transcript_supplied").asBoolean()).isFalse();
    JsonNode s = o.get("speech");
    assertThat(s.get("speech").asBoolean()).isTrue();
    assertThat(s.get("basis").asText()).isEqualTo("model");
    assertThat(s.get("speech_seconds").asDouble()).isEqualTo(1.5);
    assertThat(s.get("no_speech_prob").asDouble()).isEqualTo(0.01);
    assertThat(s.get("avg_logprob").asDouble()).isEqualTo(-0.2);
    assertThat(s.get("compression_ratio").asDouble()).isEqualTo(1.1);
    assertThat(fieldNames(o.get("timings_ms"))).containsExactly("speech_gate", "features",
        "asr_encode", "asr_decode", "speech_encoder", "text_encoder", "head", "total");
    assertThat(o.get("timings_ms").get("asr_decode").asDouble()).isEqualTo(2.5);
    assertThat(o.get("device").asText()).isEqualTo("cuda:1");
    assertThat(o.get("bundle_id").asText()).isEqualTo("demo");
  }

  @Test
  void noSpeechHasNoLabelNoProbabilitiesNoTranscript() throws Exception {
    EmotionResult r = EmotionResult.noSpeech(SpeechDecision.builder(false,
        SpeechDecision.Basis.ACOUSTIC_GATE).speechDuration(Duration.ZERO).build())
        .timings(TIMINGS).bundleId("demo").build();
    JsonNode o = tree(r);
    assertThat(fieldNames(o)).containsExactly("outcome", "speech", "timings_ms", "device", "bundle_id");
    assertThat(o.get("outcome").asText()).isEqualTo("no_speech");
    assertThat(o.get("speech").get("speech").asBoolean()).isFalse();
    assertThat(o.get("speech").get("basis").asText()).isEqualTo("acoustic_gate");
    assertThat(fieldNames(o.get("speech"))).containsExactly("speech", "basis", "speech_seconds");
  }

  @Test
  void aFailureCarriesTheTypeAndMessage() throws Exception {
    EmotionResult r = EmotionResult.failed(new AudioException("utterance 2 of the batch: too short"))
        .bundleId("demo").build();
    JsonNode o = tree(r);
    assertThat(fieldNames(o)).containsExactly("outcome", "speech", "error", "timings_ms", "device",
        "bundle_id");
    assertThat(o.get("outcome").asText()).isEqualTo("failed");
    assertThat(o.get("error").get("type").asText()).isEqualTo("AudioException");
    assertThat(o.get("error").get("message").asText()).isEqualTo("utterance 2 of the batch: too short");
  }

  @Test
  void anErrorOutsideAResult() throws Exception {
    JsonNode o = JSON.readTree(ResultJson.errorJson(new IllegalArgumentException("bad body")));
    assertThat(fieldNames(o)).containsExactly("error");
    assertThat(o.get("error").get("type").asText()).isEqualTo("IllegalArgumentException");
    assertThat(o.get("error").get("message").asText()).isEqualTo("bad body");
    assertThat(ResultJson.error(new RuntimeException()).get("error").get("message").asText()).isEmpty();
  }

  @Test
  void readingBackGivesTheSameResult() {
    for (EmotionResult r : List.of(emotion(),
        EmotionResult.noSpeech(SpeechDecision.builder(false, SpeechDecision.Basis.MODEL)
            .noSpeechProbability(0.9).avgLogProbability(-1.5).compressionRatio(0.0).build())
            .timings(TIMINGS).bundleId("b").build())) {
      assertThat(ResultJson.read(ResultJson.toJson(r))).isEqualTo(r);
    }
    EmotionResult failed = EmotionResult.failed(new AudioException("x")).bundleId("b").build();
    EmotionResult back = ResultJson.read(ResultJson.toJson(failed));
    assertThat(back.error()).isInstanceOf(AudioException.class).hasMessage("x");
    assertThat(back.speech()).isEqualTo(failed.speech());
  }

  @Test
  void readingNamesTheBadField() {
    assertThatThrownBy(() -> ResultJson.read("{\"outcome\": \"maybe\"}"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("outcome").hasMessageContaining("maybe");
    assertThatThrownBy(() -> ResultJson.read("{\"outcome\": \"emotion\"}"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("probabilities");
    assertThatThrownBy(() -> ResultJson.read("[1"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not JSON");
  }

  private static List<String> fieldNames(JsonNode o) {
    List<String> names = new java.util.ArrayList<>();
    o.fieldNames().forEachRemaining(names::add);
    return names;
  }
}

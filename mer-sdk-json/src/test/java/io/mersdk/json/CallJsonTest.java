package io.mersdk.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mersdk.EmotionResult;
import io.mersdk.Segment;
import io.mersdk.audio.CallResult;
import io.mersdk.audio.CallSummarizer;
import io.mersdk.audio.CallSummary;
import io.mersdk.audio.Party;
import io.mersdk.audio.PartySegment;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@link CallJson}: party on every segment, the summary's figures, nulls where unknown. */
class CallJsonTest {
  static final Party A = new Party(0, "agent");
  static final Party C = new Party(1, "customer");

  @Test
  void carriesPartyAndSummary() throws Exception {
    CallResult call = new CallResult(List.of(A, C), List.of(seg(A, 0, 4, 0.9, 0.1),
        seg(C, 3, 6, 0.2, 0.8), seg(A, 12, 13, 0.7, 0.3)), Duration.ofSeconds(14));
    CallSummary summary = CallSummarizer.builder(List.of("calm", "cross"))
        .negativeLabels("cross").minGap(Duration.ofSeconds(2)).build().summarize(call);

    JsonNode o = new ObjectMapper().readTree(CallJson.toJson(call, summary));

    assertThat(o.get("duration_s").asDouble()).isEqualTo(14.0);
    assertThat(o.get("parties").get(1).get("name").asText()).isEqualTo("customer");
    JsonNode s1 = o.get("segments").get(1);
    assertThat(s1.get("party").asText()).isEqualTo("customer");
    assertThat(s1.get("channel").asInt()).isEqualTo(1);
    assertThat(s1.get("start_s").asDouble()).isEqualTo(3.0);
    assertThat(s1.get("result").get("label").asText()).isEqualTo("cross");
    JsonNode sum = o.get("summary");
    assertThat(sum.get("talk_over_s").asDouble()).isEqualTo(1.0);
    assertThat(sum.get("gaps").get(0).get("start_s").asDouble()).isEqualTo(6.0);
    assertThat(sum.get("silence_s").asDouble()).isEqualTo(6.0);
    assertThat(sum.get("last_speaker").asText()).isEqualTo("agent");
    assertThat(sum.get("negative_labels").get(0).asText()).isEqualTo("cross");
    JsonNode cust = sum.get("parties").get(1);
    assertThat(cust.get("speech_s").asDouble()).isEqualTo(3.0);
    assertThat(cust.get("share_per_label").get("cross").asDouble()).isEqualTo(1.0);
    assertThat(cust.get("time_per_label_s").fieldNames()).toIterable()
        .containsExactly("calm", "cross");
    assertThat(cust.get("first_negative").get("label").asText()).isEqualTo("cross");
    assertThat(cust.get("longest_stretch").get("cross").get("segments").asInt()).isEqualTo(1);
    assertThat(sum.get("parties").get(0).get("first_negative").isNull()).isTrue();
    // agent: 5 s labelled, window 2.5 s; start .1; end (1.5 s at .1 + 1 s at .3) / 2.5 = .18
    JsonNode agentTrend = sum.get("parties").get(0).get("trend");
    assertThat(agentTrend.get("window_s").asDouble()).isEqualTo(2.5);
    assertThat(agentTrend.get("start").asDouble()).isCloseTo(0.1, within(1e-12));
    assertThat(agentTrend.get("end").asDouble()).isCloseTo(0.18, within(1e-12));
    assertThat(agentTrend.get("direction").asText()).isEqualTo("steady");

    JsonNode bare = new ObjectMapper().readTree(CallJson.toJson(call, null));
    assertThat(bare.has("summary")).isFalse();
    CallSummary none = CallSummarizer.builder(List.of("calm", "cross")).build().summarize(call);
    JsonNode trend = CallJson.summary(none).get("parties").get(0).get("trend");
    assertThat(trend.get("start").isNull()).isTrue();
    assertThat(trend.get("direction").asText()).isEqualTo("unknown");
  }

  static PartySegment seg(Party p, int from, int to, double calm, double cross) {
    Map<String, Double> m = new LinkedHashMap<>();
    m.put("calm", calm);
    m.put("cross", cross);
    return new PartySegment(p, new Segment(Duration.ofSeconds(from), Duration.ofSeconds(to),
        EmotionResult.emotion(m).build()));
  }
}

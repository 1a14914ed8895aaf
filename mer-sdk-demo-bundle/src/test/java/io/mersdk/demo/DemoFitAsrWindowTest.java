package io.mersdk.demo;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.mersdk.Device;
import io.mersdk.EmotionRecognizer;
import io.mersdk.EmotionResult;
import io.mersdk.audio.AudioSources;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/**
 * The opt-in fitted ASR window ({@code EmotionRecognizer.Builder.fitAsrWindow}) on a trained
 * model: Whisper's encoder sees each held-out utterance rounded up to whole seconds instead of the
 * 30 s window PyTorch's reference uses. Its results are compared with the reference's (the
 * fixtures, full window): the labels that change are bounded by a measured count; the drift of
 * the probabilities and the transcripts that change are reported. Per case in target/demo-fit-window-report.txt.
 */
class DemoFitAsrWindowTest {
  /**
   * Labels allowed to change among the fixture cases (24 held-out utterances, noise, silence).
   * Measured on the retrained demo bundle (2026-12-01, issue 11): 6 of 26 labels and 20
   * transcripts change, the probabilities move by up to 0.966 (the old bundle: 3 of 24, 0.9997);
   * its ASR was trained on full 8 s windows, so no small bound on the probabilities holds. What
   * the option costs is counted here: a change that makes the fitted window worse shows as more
   * changed labels (one of margin over the measured count).
   */
  static final int LABELS_CHANGED = 7;

  @Test
  void theFittedWindowStaysCloseToTheReference() throws Exception {
    JsonNode doc = DemoBundleParityTest.doc();
    List<JsonNode> speech = DemoBundleParityTest.cases().stream()
        .filter(c -> c.has("true_label")).toList();
    StringBuilder report = new StringBuilder("# case: max |p_fit - p_ref|, label same, transcript"
        + " same\n");
    double worst = 0;
    int labelsChanged = 0;
    int transcriptsChanged = 0;
    try (EmotionRecognizer fit = EmotionRecognizer.builder().bundleResource(DemoBundleParityTest.BUNDLE)
        .device(Device.CPU).threads(2).speechGate(false).noSpeechThreshold(1.0)
        .compressionRatioThreshold(Double.MAX_VALUE).fitAsrWindow(true).build()) {
      List<String> labels = fit.labels();
      for (JsonNode c : speech) {
        EmotionResult r = fit.recognize(AudioSources.of(
            DemoBundleParityTest.FIXTURES.resolve(c.get("audio").asText())));
        double dp = 0;
        for (int i = 0; i < labels.size(); i++) {
          dp = Math.max(dp, Math.abs(r.probability(labels.get(i))
              - c.get("probabilities").get(i).asDouble()));
        }
        boolean sameLabel = r.label().equals(c.get("label").asText());
        boolean sameText = r.transcript().equals(c.get("transcript").asText());
        labelsChanged += sameLabel ? 0 : 1;
        transcriptsChanged += sameText ? 0 : 1;
        worst = Math.max(worst, dp);
        report.append(String.format(Locale.ROOT, "%s: %.3e %s %s%n", c.get("audio").asText(), dp,
            sameLabel, sameText));
      }
    }
    report.append(String.format(Locale.ROOT, "# %d cases: worst %.3e, %d labels and %d transcripts"
        + " changed%n", speech.size(), worst, labelsChanged, transcriptsChanged));
    Files.createDirectories(Path.of("target"));
    Files.writeString(Path.of("target", "demo-fit-window-report.txt"), report);
    assertThat(speech).isNotEmpty();
    assertThat(labelsChanged).as(report.toString()).isLessThanOrEqualTo(LABELS_CHANGED);
  }
}

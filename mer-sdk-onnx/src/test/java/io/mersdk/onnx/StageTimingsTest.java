package io.mersdk.onnx;

import static org.assertj.core.api.Assertions.assertThat;

import io.mersdk.Device;
import io.mersdk.EmotionRecognizer;
import io.mersdk.EmotionResult;
import io.mersdk.Modality;
import io.mersdk.StageTimings;
import io.mersdk.onnx.testing.TestData;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Each result carries per-stage timings: a stage that ran has a time, one that did not is zero.
 * The figures of one utterance per bundle go to target/timings-report.txt (never asserted).
 */
class StageTimingsTest {
  private static final Map<String, String> REPORT = new TreeMap<>();

  static List<Path> bundles() {
    return TestData.bundles();
  }

  @AfterAll
  static void report() throws IOException {
    StringBuilder sb = new StringBuilder(
        "# one utterance, CPU, 2 intra-op threads, after one warm-up call; milliseconds\n"
            + "# bundle\tcall\tfeatures\tasr_encode\tasr_decode\tspeech_encoder\ttext_encoder\thead\ttotal\n");
    REPORT.values().forEach(sb::append);
    Files.createDirectories(Path.of("target"));
    Files.writeString(Path.of("target", "timings-report.txt"), sb.toString());
  }

  @ParameterizedTest
  @MethodSource("bundles")
  void stagesThatRanAreTimedAndSkippedOnesAreZero(Path bundle) {
    TestData.Case c = TestData.fixtures(bundle.getFileName().toString()).orElseThrow().cases().get(0);
    try (EmotionRecognizer r = EmotionRecognizer.builder().speechGate(false).bundle(bundle).device(Device.CPU).threads(2).build()) {
      r.recognize(c.waveform()); // warm-up: first runs allocate ORT's arenas
      EmotionResult asr = r.recognize(c.waveform());
      EmotionResult supplied = r.recognize(c.waveform(), c.sentence());
      record(r.bundle().bundleId(), "asr", asr.timings());
      record(r.bundle().bundleId(), "supplied", supplied.timings());

      boolean speech = r.bundle().modalities().contains(Modality.SPEECH);
      boolean text = r.bundle().modalities().contains(Modality.TEXT);
      boolean context = r.bundle().modalities().contains(Modality.CONTEXT);
      StageTimings t = asr.timings();
      assertThat(t.features().isZero()).isEqualTo(!(text || context));
      assertThat(t.asrEncode().isZero()).isEqualTo(!(text || context));
      assertThat(t.asrDecode().isZero()).isEqualTo(!text);
      assertThat(t.speechEncoder().isZero()).isEqualTo(!speech);
      assertThat(t.textEncoder().isZero()).isEqualTo(!text);
      assertThat(t.head()).isPositive();
      for (Duration stage : List.of(t.features(), t.asrEncode(), t.asrDecode(), t.speechEncoder(), t.textEncoder(), t.head())) {
        assertThat(t.total()).isGreaterThanOrEqualTo(stage);
      }

      StageTimings s = supplied.timings();
      assertThat(s.asrDecode()).as("no decoding with a supplied transcript").isZero();
      assertThat(s.asrEncode().isZero()).as("Whisper runs only for the context").isEqualTo(!context);
      assertThat(s.features().isZero()).isEqualTo(!context);
    }
  }

  private static void record(String bundle, String call, StageTimings t) {
    String line = String.format(Locale.ROOT, "%s\t%s\t%.1f\t%.1f\t%.1f\t%.1f\t%.1f\t%.1f\t%.1f%n",
        bundle, call, ms(t.features()), ms(t.asrEncode()), ms(t.asrDecode()), ms(t.speechEncoder()),
        ms(t.textEncoder()), ms(t.head()), ms(t.total()));
    synchronized (REPORT) {
      REPORT.put(bundle + call, line);
    }
  }

  private static double ms(Duration d) {
    return d.toNanos() / 1e6;
  }
}

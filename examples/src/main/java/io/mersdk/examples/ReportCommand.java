package io.mersdk.examples;

import io.mersdk.EmotionRecognizer;
import io.mersdk.audio.CallResult;
import io.mersdk.audio.CallSummarizer;
import io.mersdk.audio.CallSummary;
import io.mersdk.server.PartyCallReport;
import io.mersdk.MerException;
import io.mersdk.Segment;
import io.mersdk.audio.AudioSources;
import io.mersdk.audio.Timeline;
import io.mersdk.server.CallReport;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code mer report CALL.wav -o call.html}: a self-contained HTML picture of a whole call. */
@Command(
    name = "report",
    mixinStandardHelpOptions = true,
    versionProvider = Mer.Version.class,
    sortOptions = false,
    description = {
      "Writes a self-contained HTML report of a long recording: the timeline chart of every"
          + " label's probability, the share of time per emotion, and each utterance with its"
          + " label, probabilities and transcript; stretches without speech are gaps. The file"
          + " loads nothing from anywhere (open it offline, mail it)."
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:report written",
      "1:the recording could not be read or recognised, or the report not written",
      "2:bad usage",
      "3:the model bundle or the device cannot be used",
      "4:unexpected error"
    })
final class ReportCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Mixin RecognizerOptions recognizer;

  @Parameters(index = "0", paramLabel = "RECORDING", description = "The call (any format mer reads).")
  Path recording;

  @Option(names = {"-o", "--output"}, paramLabel = "FILE", required = true,
      description = "The HTML file to write.")
  Path output;

  @Option(names = "--batch", paramLabel = "N", defaultValue = "4",
      description = "Utterances per model call. Default: ${DEFAULT-VALUE}.")
  int batch;

  @Mixin CallOptions call;

  @Override
  public Integer call() {
    if (batch < 1) {
      throw new CliException(Mer.USAGE, "--batch must be >= 1, got " + batch);
    }
    call.check();
    if (call.split()) {
      return splitReport();
    }
    try (EmotionRecognizer rec = recognizer.build()) {
      int rate = rec.bundle().sampleRate();
      float[] samples;
      List<Segment> segments;
      try {
        samples = AudioSources.of(recording).readMono(rate);
        segments = Timeline.builder(rec).batchSize(batch).build().run(samples);
      } catch (MerException e) {
        throw new CliException(Mer.INPUTS_FAILED, recording + ": " + e.getMessage());
      }
      String html = CallReport.render(recording.getFileName().toString(),
          Duration.ofNanos(Math.round(samples.length * 1e9 / rate)), rec.labels(), segments);
      try {
        Files.writeString(output, html, StandardCharsets.UTF_8);
      } catch (IOException e) {
        throw new CliException(Mer.INPUTS_FAILED, "cannot write " + output + ": " + e.getMessage());
      }
      PrintWriter out = spec.commandLine().getOut();
      out.println("mer: " + output + ": " + segments.size() + " segments over "
          + String.format(java.util.Locale.ROOT, "%.1f s", samples.length / (double) rate));
      out.flush();
      return Mer.OK;
    }
  }

  /** One lane per party, the call summary on top: {@link PartyCallReport}. */
  private int splitReport() {
    try (EmotionRecognizer rec = recognizer.build()) {
      CallSummarizer summarizer = call.summarizer(rec);
      CallResult result;
      try {
        result = call.timeline(rec, batch).run(AudioSources.channels(recording));
      } catch (MerException e) {
        throw new CliException(Mer.INPUTS_FAILED, RecognizeCommand.problem(recording, e));
      }
      CallSummary summary = summarizer.summarize(result);
      String html = PartyCallReport.render(recording.getFileName().toString(), rec.labels(),
          result, summary);
      try {
        Files.writeString(output, html, StandardCharsets.UTF_8);
      } catch (IOException e) {
        throw new CliException(Mer.INPUTS_FAILED, "cannot write " + output + ": " + e.getMessage());
      }
      PrintWriter out = spec.commandLine().getOut();
      out.println("mer: " + output + ": " + result.parties().size() + " parties, "
          + result.segments().size() + " segments over " + String.format(java.util.Locale.ROOT,
          "%.1f s", result.duration().toNanos() / 1e9));
      out.flush();
      return Mer.OK;
    }
  }
}

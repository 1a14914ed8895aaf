package io.mersdk.examples;

import io.mersdk.EmotionRecognizer;
import io.mersdk.EmotionResult;
import io.mersdk.MerException;
import io.mersdk.audio.AudioSources;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code mer evaluate}: UAR, macro-F1, accuracy and the confusion matrix on a labelled set. */
@Command(
    name = "evaluate",
    mixinStandardHelpOptions = true,
    versionProvider = Mer.Version.class,
    sortOptions = false,
    description = {
      "Recognises every file of a labelled manifest and prints UAR (unweighted average recall, the"
          + " mean of the per-label recalls), macro-F1, accuracy and the confusion matrix (rows:"
          + " true label, columns: predicted) over all the bundle's labels.",
      "Files the recogniser finds no speech in are counted apart ('no speech') and left out of the"
          + " metrics, which cover the files that got an emotion; each is named on stderr.",
      "MANIFEST holds one 'audio-path<TAB>label' or 'audio-path,label' per line; relative paths are"
          + " resolved against the manifest's folder; blank lines and lines starting with # are"
          + " skipped."
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:every file was recognised",
      "1:some files failed (each named on stderr); metrics cover the others",
      "2:bad usage, or a bad manifest (each bad line named)",
      "3:the model bundle or the device cannot be used",
      "4:unexpected error"
    })
final class EvaluateCommand implements Callable<Integer> {
  /** How {@code evaluate} prints the metrics. */
  enum Format {
    table,
    json
  }

  @Spec CommandSpec spec;

  @Parameters(index = "0", paramLabel = "MANIFEST", description = "The labelled manifest.")
  Path manifestFile;

  @Mixin RecognizerOptions recognizer;

  @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "table",
      description = "table or json. Default: ${DEFAULT-VALUE}.")
  Format format;

  @Option(names = "--progress", paramLabel = "WHEN", defaultValue = "auto",
      description = "Progress bar on stderr: auto, always, never. Default: ${DEFAULT-VALUE}.")
  Progress.Mode progress;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    EvalManifest manifest;
    try {
      manifest = EvalManifest.read(manifestFile);
    } catch (EvalManifest.BadManifestException e) {
      e.problems().forEach(p -> err.println("mer: " + p));
      return Mer.USAGE;
    }
    try (EmotionRecognizer rec = recognizer.build()) {
      List<String> unknown = manifest.unknownLabels(rec.labels());
      if (!unknown.isEmpty()) {
        unknown.forEach(p -> err.println("mer: " + p));
        return Mer.USAGE;
      }
      List<String> truth = new ArrayList<>();
      List<String> predicted = new ArrayList<>();
      int failed = 0;
      int noSpeech = 0;
      try (Progress bar = Progress.create(progress, err, "evaluate", manifest.entries().size())) {
        for (EvalManifest.Entry e : manifest.entries()) {
          try {
            EmotionResult r = rec.recognize(AudioSources.of(e.audio()));
            if (r.isEmotion()) {
              predicted.add(r.label());
              truth.add(e.label());
            } else {
              // A labelled set holds speech: counted apart, outside the metrics (docs/cli.md).
              noSpeech++;
              bar.print(() -> err.println("mer: " + e.audio() + ": no speech (" + r.speech() + ", "
                  + manifest.file() + ":" + e.line() + ")"));
            }
          } catch (MerException ex) {
            failed++;
            bar.print(() -> err.println("mer: " + RecognizeCommand.problem(e.audio(), ex)
                + " (" + manifest.file() + ":" + e.line() + ")"));
          }
          bar.step();
        }
      }
      if (truth.isEmpty()) {
        err.println("mer: no file of " + manifest.file() + " got an emotion (" + failed + " failed, "
            + noSpeech + " no speech); no metrics");
        return Mer.INPUTS_FAILED;
      }
      ClassificationMetrics m = ClassificationMetrics.of(rec.labels(), truth, predicted);
      MetricsReport report = new MetricsReport(m, failed, noSpeech, rec.bundle().bundleId());
      if (format == Format.json) {
        report.printJson(out);
      } else {
        report.printTable(out);
      }
      out.flush();
      return failed == 0 ? Mer.OK : Mer.INPUTS_FAILED;
    }
  }
}

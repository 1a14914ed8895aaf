package io.mersdk.examples;

import io.mersdk.EmotionRecognizer;
import io.mersdk.EmotionResult;
import io.mersdk.MerException;
import io.mersdk.Modality;
import io.mersdk.Utterance;
import io.mersdk.dataset.DatasetException;
import io.mersdk.dataset.DatasetManifest;
import io.mersdk.dataset.DatasetRow;
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
      "Recognises every row of a labelled dataset manifest and prints UAR (unweighted average"
          + " recall, the mean of the per-label recalls), macro-F1, accuracy and the confusion"
          + " matrix (rows: true label, columns: predicted) over all the bundle's labels.",
      "Rows the recogniser finds no speech in are counted apart ('no speech') and left out of the"
          + " metrics, which cover the rows that got an emotion; each is named on stderr.",
      "MANIFEST is the dataset manifest training reads (docs/training.md, 'Your own data'): a"
          + " .csv, .tsv or .jsonl file whose header names the columns audio and label, and"
          + " optionally start and end (seconds: the row is that cut of its file), transcript,"
          + " group and split; relative paths are resolved against the manifest's folder. Every"
          + " bad row is named as FILE:LINE. python -m mer_train evaluate gives the same JSON on"
          + " the same bundle and manifest."
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:every row was recognised",
      "1:some rows failed (each named on stderr); metrics cover the others",
      "2:bad usage, or a bad manifest (each bad row named)",
      "3:the model bundle or the device cannot be used",
      "4:unexpected error"
    })
final class EvaluateCommand implements Callable<Integer> {
  /** How {@code evaluate} prints the metrics. */
  enum Format {
    table,
    json
  }

  /** Where the text modality's transcript comes from. */
  enum Transcripts {
    /** Whisper transcribes each row (what the recogniser does in use). */
    asr,
    /** Each row's {@code transcript}; no ASR. */
    manifest
  }

  @Spec CommandSpec spec;

  @Parameters(index = "0", paramLabel = "MANIFEST", description = "The dataset manifest.")
  Path manifestFile;

  @Mixin RecognizerOptions recognizer;

  @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "table",
      description = "table or json. Default: ${DEFAULT-VALUE}.")
  Format format;

  @Option(names = "--transcripts", paramLabel = "FROM", defaultValue = "asr",
      description = "asr: Whisper transcribes each row; manifest: the row's transcript column is"
          + " what RoBERTa reads (no ASR; every row needs one; refused for a bundle without the"
          + " text modality). Default: ${DEFAULT-VALUE}.")
  Transcripts transcripts;

  @Option(names = "--progress", paramLabel = "WHEN", defaultValue = "auto",
      description = "Progress bar on stderr: auto, always, never. Default: ${DEFAULT-VALUE}.")
  Progress.Mode progress;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    DatasetManifest manifest;
    try {
      manifest = DatasetManifest.read(manifestFile);
    } catch (DatasetException e) {
      e.problems().forEach(p -> err.println("mer: " + p));
      return Mer.USAGE;
    }
    try (EmotionRecognizer rec = recognizer.build()) {
      List<String> problems = new ArrayList<>(manifest.unknownLabels(rec.labels()));
      boolean fromManifest = transcripts == Transcripts.manifest;
      if (fromManifest && !rec.bundle().modalities().contains(Modality.TEXT)) {
        problems.add("--transcripts manifest: bundle " + rec.bundle().bundleId() + " reads no text"
            + " (modalities " + new java.util.TreeSet<>(rec.bundle().modalities()) + "), so a transcript has nothing to"
            + " replace");
      } else if (fromManifest) {
        manifest.rows().stream().filter(r -> r.transcript().isEmpty()).forEach(r -> problems.add(
            r.where() + ": transcript: missing (--transcripts manifest needs one on every row)"));
      }
      if (!problems.isEmpty()) {
        problems.forEach(p -> err.println("mer: " + p));
        return Mer.USAGE;
      }
      List<String> truth = new ArrayList<>();
      List<String> predicted = new ArrayList<>();
      int failed = 0;
      int noSpeech = 0;
      int rate = rec.bundle().sampleRate();
      try (Progress bar = Progress.create(progress, err, "evaluate", manifest.rows().size())) {
        for (DatasetRow row : manifest.rows()) {
          try {
            // the row's [start, end) cut; a cut past the file's end fails the row, naming its line
            float[] samples = row.readMono(rate);
            EmotionResult r = rec.recognize(fromManifest
                ? Utterance.of(samples, row.transcript().orElseThrow()) : Utterance.of(samples));
            if (r.isEmotion()) {
              predicted.add(r.label());
              truth.add(row.label());
            } else {
              // A labelled set holds speech: counted apart, outside the metrics (docs/architecture.md).
              noSpeech++;
              bar.print(() -> err.println("mer: " + row.audio() + ": no speech (" + r.speech() + ", "
                  + row.where() + ")"));
            }
          } catch (MerException ex) {
            failed++;
            bar.print(() -> err.println("mer: " + (ex instanceof DatasetException ? ex.getMessage()
                : RecognizeCommand.problem(row.audio(), ex) + " (" + row.where() + ")")));
          }
          bar.step();
        }
      }
      if (truth.isEmpty()) {
        err.println("mer: no row of " + manifest.file() + " got an emotion (" + failed + " failed, "
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

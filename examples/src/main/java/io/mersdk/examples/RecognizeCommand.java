package io.mersdk.examples;

import io.mersdk.EmotionRecognizer;
import io.mersdk.EmotionResult;
import io.mersdk.MerException;
import io.mersdk.Segment;
import io.mersdk.SpeechDecision;
import io.mersdk.Utterance;
import io.mersdk.audio.AudioSources;
import io.mersdk.audio.Timeline;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.OptionalInt;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code mer recognize}: one row per file (or per segment with --timeline) on stdout. */
@Command(
    name = "recognize",
    mixinStandardHelpOptions = true,
    versionProvider = Mer.Version.class,
    sortOptions = false,
    description = {
      "Recognises the emotion of each audio file (WAV, FLAC, MP3, AIFF, AU, Ogg Vorbis, Ogg Opus;"
          + " folders are walked, and the files passed over are named on stderr).",
      "Rows go to stdout: label, confidence, every label's probability, per-stage timings (ms),"
          + " device and transcript; a file (or, with --timeline, a recording) without speech gets"
          + " a 'no speech' row. Problems with single files go to stderr, one line each, and the"
          + " other files are still processed."
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:every file was recognised (an emotion, or no speech)",
      "1:some files failed (each named on stderr)",
      "2:bad usage",
      "3:the model bundle or the device cannot be used",
      "4:unexpected error"
    })
final class RecognizeCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Parameters(arity = "1..*", paramLabel = "FILE|FOLDER", description = "Audio files or folders.")
  List<Path> inputs;

  @Mixin RecognizerOptions recognizer;

  @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "table",
      description = "table, jsonl or csv. Default: ${DEFAULT-VALUE}.")
  OutputFormat format;

  @Option(names = "--transcript", paramLabel = "TEXT",
      description = "Use this transcript instead of running ASR (exactly one file).")
  String transcript;

  @Option(names = "--timeline",
      description = "Split long recordings into utterances: one row per segment with start_s and"
          + " end_s.")
  boolean timeline;

  @Option(names = "--channels", paramLabel = "MODE", defaultValue = "mix",
      description = "mix: down-mix the channels to one (the default); split: each channel is a"
          + " party of a call, segmented on its own: one row per segment per party (implies"
          + " --timeline; see docs/calls.md).")
  ChannelMode channels;

  @Option(names = "--parties", paramLabel = "NAME,...", split = ",",
      description = "With --channels split: the parties' names in channel order. Default: agent,"
          + "customer for stereo, speaker for mono, channel-N otherwise.")
  List<String> parties;

  /** How channels are read. */
  enum ChannelMode { mix, split }

  @Option(names = "--batch", paramLabel = "N", defaultValue = "1",
      description = "Utterances per model call (files, or segments with --timeline)."
          + " Default: ${DEFAULT-VALUE}.")
  int batch;

  @Option(names = "--progress", paramLabel = "WHEN", defaultValue = "auto",
      description = "Progress bar on stderr: auto (several files and stderr is a terminal), always,"
          + " never. Default: ${DEFAULT-VALUE}.")
  Progress.Mode progress;


  private int failures;
  private boolean saidLong;
  private Timeline longFiles;

  @Override
  public Integer call() {
    checkUsage();
    AudioFiles.Expansion expansion = AudioFiles.expand(inputs);
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    expansion.problems().forEach(p -> fail(err, p));
    expansion.skipped().forEach(note -> {
      err.println("mer: " + note); // a note, not a failure: the user named the folder
      err.flush();
    });
    List<Path> files = expansion.files();
    if (transcript != null && files.size() != 1) {
      throw new ParameterException(spec.commandLine(),
          "--transcript needs exactly one audio file, got " + files.size());
    }
    if (files.isEmpty()) {
      return Mer.INPUTS_FAILED;
    }
    int width = files.stream().mapToInt(f -> f.toString().length()).max().orElse(0);
    try (EmotionRecognizer rec = recognizer.build();
        Progress bar = Progress.create(progress, err, "recognize", files.size())) {
      boolean split = channels == ChannelMode.split;
      RowWriter writer = RowWriter.create(format, out, rec.labels(), timeline || split, width,
          split);
      if (split) {
        failures += new SplitChannelRun(rec, batch, parties).run(files, writer, bar, err);
      } else if (timeline) {
        runTimeline(rec, files, writer, bar, err);
      } else {
        runFiles(rec, files, writer, bar, err);
      }
    }
    return failures == 0 ? Mer.OK : Mer.INPUTS_FAILED;
  }

  private void checkUsage() {
    if (batch < 1) {
      throw new ParameterException(spec.commandLine(), "--batch must be >= 1, got " + batch);
    }
    if (transcript != null && timeline) {
      throw new ParameterException(spec.commandLine(),
          "--transcript and --timeline do not go together: a transcript belongs to one utterance");
    }
    if (transcript != null && channels == ChannelMode.split) {
      throw new ParameterException(spec.commandLine(),
          "--transcript and --channels split do not go together: a transcript belongs to one"
              + " utterance");
    }
    if (parties != null && channels != ChannelMode.split) {
      throw new ParameterException(spec.commandLine(), "--parties needs --channels split");
    }
    if (transcript != null && inputs.size() != 1) {
      throw new ParameterException(spec.commandLine(),
          "--transcript needs exactly one audio file, got " + inputs.size() + " arguments");
    }
  }

  /**
   * Files are decoded one by one (a bad one fails alone) and recognised --batch at a time; each
   * gets its own outcome from the recogniser: a row for an emotion or for no speech, a line on
   * stderr for a failure.
   */
  private void runFiles(
      EmotionRecognizer rec, List<Path> files, RowWriter writer, Progress bar, PrintWriter err) {
    int rate = rec.bundle().sampleRate();
    List<Path> pending = new ArrayList<>();
    List<Utterance> utterances = new ArrayList<>();
    OptionalInt window = rec.bundle().asrWindowSamples();
    for (Path f : files) {
      try {
        float[] samples = AudioSources.of(f).readMono(rate);
        if (window.isPresent() && samples.length > window.getAsInt() && transcript == null) {
          // Longer than the ASR window: the recogniser refuses it (its contract); the CLI cuts it
          // into utterances with the segmenter, as --timeline does, one row per utterance.
          recognizeBatch(rec, pending, utterances, writer, bar, err);
          if (!saidLong) {
            saidLong = true;
            bar.print(() -> err.printf(Locale.ROOT, "mer: files longer than the bundle's ASR"
                + " window (%.3f s) are cut into utterances by the segmenter: one row per"
                + " utterance (as --timeline)%n", window.getAsInt() / (double) rate));
          }
          timelineRows(rec, f, samples, writer, bar, err);
          bar.step();
          continue;
        }
        pending.add(f);
        utterances.add(transcript == null ? Utterance.of(samples)
            : Utterance.of(samples, transcript));
      } catch (MerException e) {
        bar.print(() -> fail(err, problem(f, e)));
        bar.step();
      }
      if (utterances.size() == batch) {
        recognizeBatch(rec, pending, utterances, writer, bar, err);
      }
    }
    recognizeBatch(rec, pending, utterances, writer, bar, err);
  }

  private void recognizeBatch(EmotionRecognizer rec, List<Path> files, List<Utterance> utterances,
      RowWriter writer, Progress bar, PrintWriter err) {
    if (files.isEmpty()) {
      return;
    }
    List<EmotionResult> results = rec.recognizeBatch(utterances);
    for (int i = 0; i < files.size(); i++) {
      Path f = files.get(i);
      EmotionResult r = results.get(i);
      int samples = utterances.get(i).samples().length;
      bar.print(() -> {
        if (r.isFailed()) {
          fail(err, problem(f, r.error()) + hint(rec, samples));
        } else {
          writer.write(ResultRow.whole(f.toString(), r));
        }
      });
      bar.step();
    }
    files.clear();
    utterances.clear();
  }

  /**
   * The recogniser refuses a file longer than the bundle's ASR window (it never cuts audio); in
   * CLI terms the fix is --timeline. Only a hint: what is refused is the recogniser's decision.
   */
  private String hint(EmotionRecognizer rec, int samples) {
    OptionalInt window = rec.bundle().asrWindowSamples();
    return window.isPresent() && samples > window.getAsInt() && !timeline
        ? "; use --timeline to recognise it utterance by utterance" : "";
  }

  /**
   * One row per segment the segmenter found, an emotion or {@code no speech} (the recogniser's
   * gate or Whisper's evidence); a failed segment goes to stderr; a file in which the segmenter
   * finds no utterance at all gets one {@code no speech} row spanning it.
   */
  private void runTimeline(
      EmotionRecognizer rec, List<Path> files, RowWriter writer, Progress bar, PrintWriter err) {
    int rate = rec.bundle().sampleRate();
    for (Path f : files) {
      try {
        float[] samples = AudioSources.of(f).readMono(rate);
        timelineRows(rec, f, samples, writer, bar, err);
      } catch (MerException e) {
        bar.print(() -> fail(err, problem(f, e)));
      }
      bar.step();
    }
  }

  /** The rows of one file cut into utterances (see {@link #runTimeline}). */
  private void timelineRows(EmotionRecognizer rec, Path f, float[] samples, RowWriter writer,
      Progress bar, PrintWriter err) {
    if (longFiles == null) {
      longFiles = Timeline.builder(rec).segmenter(recognizer.segmenterOptions()).batchSize(batch)
          .keepNoSpeech(true).build();
    }
    int rate = rec.bundle().sampleRate();
    try {
        List<Segment> segments = longFiles.run(samples);
        bar.print(() -> {
          if (segments.isEmpty()) {
            writer.write(new ResultRow(f.toString(), Duration.ZERO,
                Duration.ofNanos(Math.round(samples.length * 1e9 / rate)), noSpeech(rec)));
          }
          for (Segment s : segments) {
            if (s.result().isFailed()) {
              fail(err, problem(f, s.result().error()) + String.format(Locale.ROOT,
                  " (segment %.2f-%.2f s)", Rows.seconds(s.start()), Rows.seconds(s.end())));
            } else {
              writer.write(new ResultRow(f.toString(), s.start(), s.end(), s.result()));
            }
          }
        });
    } catch (MerException e) {
      bar.print(() -> fail(err, problem(f, e)));
    }
  }

  /** The row of a recording without any utterance: the segmenter (acoustic) found none. */
  static EmotionResult noSpeech(EmotionRecognizer rec) {
    return EmotionResult.noSpeech(SpeechDecision.builder(false, SpeechDecision.Basis.ACOUSTIC_GATE)
        .speechDuration(Duration.ZERO).build()).device(rec.device())
        .bundleId(rec.bundle().bundleId()).build();
  }

  private void fail(PrintWriter err, String message) {
    failures++;
    err.println("mer: " + message);
    err.flush();
  }

  /** The SDK's audio messages usually name the file already; say it once either way. */
  static String problem(Path file, Exception e) {
    String m = String.valueOf(e.getMessage());
    return m.contains(file.toString()) ? m : file + ": " + m;
  }
}

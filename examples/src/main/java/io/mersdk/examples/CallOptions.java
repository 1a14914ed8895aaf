package io.mersdk.examples;

import io.mersdk.EmotionRecognizer;
import io.mersdk.audio.CallSummarizer;
import io.mersdk.audio.CallTimeline;
import java.time.Duration;
import java.util.List;
import picocli.CommandLine.Option;

/** The options of a call with its channels apart (docs/calls.md): parties and summary settings. */
final class CallOptions {
  @Option(names = "--channels", paramLabel = "MODE", defaultValue = "mix",
      description = "mix: down-mix the channels to one timeline (the default); split: each channel"
          + " is a party of the call: one lane per party and the call summary on top.")
  RecognizeCommand.ChannelMode channels;

  @Option(names = "--parties", paramLabel = "NAME,...", split = ",",
      description = "With --channels split: the parties' names in channel order. Default: agent,"
          + "customer for stereo, speaker for mono, channel-N otherwise.")
  List<String> parties;

  @Option(names = "--negative", paramLabel = "LABEL,...", split = ",",
      description = "With --channels split: the bundle's labels that count as negative (first"
          + " negative segment, trend). Default: none.")
  List<String> negative;

  @Option(names = "--trend-window", paramLabel = "SECONDS", defaultValue = "30",
      description = "With --channels split: N of the trend (first and last N s of each party's"
          + " speech). Default: ${DEFAULT-VALUE}.")
  double trendWindow;

  @Option(names = "--min-gap", paramLabel = "SECONDS", defaultValue = "5",
      description = "With --channels split: silences longer than this are reported."
          + " Default: ${DEFAULT-VALUE}.")
  double minGap;

  boolean split() {
    return channels == RecognizeCommand.ChannelMode.split;
  }

  void check() {
    if (!split() && (parties != null || negative != null)) {
      throw new CliException(Mer.USAGE, "--parties and --negative need --channels split");
    }
    if (!(trendWindow > 0) || !(minGap >= 0)) {
      throw new CliException(Mer.USAGE, "--trend-window must be > 0 and --min-gap >= 0, got "
          + trendWindow + " and " + minGap);
    }
  }

  CallTimeline timeline(EmotionRecognizer rec, int batch) {
    CallTimeline.Builder b = CallTimeline.builder(rec).batchSize(batch);
    if (parties != null) {
      b.parties(parties);
    }
    try {
      return b.build();
    } catch (IllegalArgumentException e) {
      throw new CliException(Mer.USAGE, "--parties: " + e.getMessage());
    }
  }

  CallSummarizer summarizer(EmotionRecognizer rec) {
    try {
      return CallSummarizer.builder(rec.labels())
          .negativeLabels(negative == null ? List.of() : negative)
          .trendWindow(Duration.ofNanos(Math.round(trendWindow * 1e9)))
          .minGap(Duration.ofNanos(Math.round(minGap * 1e9))).build();
    } catch (IllegalArgumentException e) {
      throw new CliException(Mer.USAGE, e.getMessage());
    }
  }
}

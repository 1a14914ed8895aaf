package io.mersdk.examples;

import io.mersdk.EmotionRecognizer;
import io.mersdk.MerException;
import io.mersdk.audio.AudioSources;
import io.mersdk.audio.CallResult;
import io.mersdk.audio.CallTimeline;
import io.mersdk.audio.Party;
import io.mersdk.audio.PartySegment;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * {@code mer recognize --channels split}: each file is a call, each channel a party; one row per
 * segment per party, in time order; a party in which the segmenter finds no utterance gets one
 * {@code no speech} row spanning the call. Failed segments and unreadable files go to stderr.
 */
final class SplitChannelRun {
  private final EmotionRecognizer rec;
  private final CallTimeline calls;

  /** @param parties the party names, or null for the defaults */
  SplitChannelRun(EmotionRecognizer rec, int batch, List<String> parties) {
    this.rec = rec;
    CallTimeline.Builder b = CallTimeline.builder(rec).batchSize(batch).keepNoSpeech(true);
    if (parties != null) {
      b.parties(parties);
    }
    this.calls = b.build();
  }

  /** @return the number of problems written to {@code err} */
  int run(List<Path> files, RowWriter writer, Progress bar, PrintWriter err) {
    int[] failures = {0};
    for (Path f : files) {
      try {
        CallResult call = calls.run(AudioSources.channels(f));
        bar.print(() -> {
          for (PartySegment s : call.segments()) {
            if (s.result().isFailed()) {
              failures[0]++;
              err.println("mer: " + RecognizeCommand.problem(f, s.result().error())
                  + String.format(Locale.ROOT, " (%s, segment %.2f-%.2f s)", s.party().name(),
                  Rows.seconds(s.start()), Rows.seconds(s.end())));
            } else {
              writer.write(new ResultRow(f.toString(), s.start(), s.end(), s.result(),
                  s.party()));
            }
          }
          for (Party p : call.parties()) {
            if (call.segmentsOf(p).isEmpty()) {
              writer.write(new ResultRow(f.toString(), Duration.ZERO, call.duration(),
                  RecognizeCommand.noSpeech(rec), p));
            }
          }
          err.flush();
        });
      } catch (MerException e) {
        bar.print(() -> {
          failures[0]++;
          err.println("mer: " + RecognizeCommand.problem(f, e));
          err.flush();
        });
      }
      bar.step();
    }
    return failures[0];
  }
}

package io.mersdk.bench;

import io.mersdk.audio.AudioSources;
import io.mersdk.audio.SegmenterOptions;
import io.mersdk.audio.SpeechSegment;
import io.mersdk.audio.StreamingSegmenter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Stream latency of the segmenter (a benchmark, not a test): N streams each feed a recording to
 * their own {@link StreamingSegmenter} in real time (20 ms chunks, paced by the clock), and for
 * each segment: the time from when the stream fed the end of its speech (the segment's end less
 * the padding, or the cut point of a piece cut for length) to when {@code accept} returned it.
 * Pieces cut for length (a segment that starts where the previous one ended) are counted apart:
 * they are the utterances cut in two. This is the segmenter's share of what a server stream or a
 * microphone adds; the recognition after it is measured by StreamBench.
 *
 * <p>{@code java -cp "benchmarks/target/classes:benchmarks/target/lib/*"
 * io.mersdk.bench.SegmenterLatencyBench FILE [STREAM_COUNTS, e.g. 1,8] [MAX_SEGMENT_S]}
 */
public final class SegmenterLatencyBench {
  private static final int RATE = 16000;
  private static final int CHUNK = RATE / 50;

  private SegmenterLatencyBench() {}

  public static void main(String[] args) throws Exception {
    Path file = Path.of(args[0]);
    String[] counts = (args.length > 1 ? args[1] : "1,8").split(",");
    SegmenterOptions options = SegmenterOptions.defaults();
    if (args.length > 2) {
      options = options.toBuilder().maxSegment(Duration.ofMillis(
          Math.round(Double.parseDouble(args[2]) * 1000))).build();
    }
    float[] x = AudioSources.of(file).readMono(RATE);
    System.out.printf(Locale.ROOT, "%s: %.1f s, %s, %d cores%n", file.getFileName(),
        x.length / (double) RATE, options, Runtime.getRuntime().availableProcessors());
    for (String c : counts) {
      run(x, options, Integer.parseInt(c.trim()));
    }
  }

  private static void run(float[] x, SegmenterOptions options, int streams) throws Exception {
    List<Double> closed = new CopyOnWriteArrayList<>();
    List<Double> cut = new CopyOnWriteArrayList<>();
    List<Thread> threads = new ArrayList<>();
    long pad = Math.round(options.padding().toNanos() / 1e9 * RATE);
    for (int s = 0; s < streams; s++) {
      Thread t = new Thread(() -> {
        StreamingSegmenter seg = StreamingSegmenter.of(options, RATE);
        long t0 = System.nanoTime();
        for (int off = 0; off < x.length; off += CHUNK) {
          int n = Math.min(CHUNK, x.length - off);
          long due = t0 + Math.round((off + n) * 1e9 / RATE); // the chunk's last sample "arrives"
          long wait = due - System.nanoTime();
          if (wait > 0) {
            try {
              Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
            } catch (InterruptedException e) {
              return;
            }
          }
          List<SpeechSegment> out = seg.accept(x, off, n);
          long now = System.nanoTime();
          for (SpeechSegment sg : out) {
            boolean isCut = false;
            long end = sg.endSample() - pad;
            // a piece cut for length ends at the start of a 512-sample window (no padding); one
            // closed at a pause ends a window boundary plus the padding (1600, not a multiple)
            if (sg.endSample() % 512 == 0 && pad % 512 != 0) {
              isCut = true;
              end = sg.endSample();
            }
            long fedAt = t0 + Math.round(end * 1e9 / RATE);
            double ms = (now - fedAt) / 1e6;
            (isCut ? cut : closed).add(ms);
          }
        }
        seg.finish();
      }, "seg-" + s);
      threads.add(t);
      t.start();
    }
    for (Thread t : threads) {
      t.join();
    }
    List<Double> all = new ArrayList<>(closed);
    all.addAll(cut);
    Collections.sort(all);
    List<Double> c = new ArrayList<>(closed);
    Collections.sort(c);
    List<Double> k = new ArrayList<>(cut);
    Collections.sort(k);
    System.out.printf(Locale.ROOT, "streams %d: %d segments (%d cut for length), latency p50 %.0f"
        + " ms, p95 %.0f ms, max %.0f ms; at a pause p50 %.0f p95 %.0f; cut p50 %.0f p95 %.0f%n",
        streams, all.size(), cut.size(), pct(all, 50), pct(all, 95), pct(all, 100), pct(c, 50),
        pct(c, 95), pct(k, 50), pct(k, 95));
  }

  private static double pct(List<Double> sorted, int p) {
    if (sorted.isEmpty()) {
      return Double.NaN;
    }
    int i = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
    return sorted.get(Math.max(0, Math.min(sorted.size() - 1, i)));
  }
}

package io.mersdk.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mersdk.Device;
import io.mersdk.EmotionRecognizer;
import io.mersdk.audio.AudioSources;
import io.mersdk.server.MerServer;
import io.mersdk.server.ServerOptions;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Load generator for mer-sdk-server (a benchmark, not a test): N clients on loopback each stream
 * the same call (the example recordings joined with 1 s pauses) in real time, 100 ms per message,
 * starts staggered by 137 ms. For each {@code segment} event: the time from when the client sent
 * the sample at the segment's end to the event's arrival. That includes the segmenter's wait for
 * {@code minSilence} (0.2 s) after the speech, less the 0.1 s of padding, and the recognition.
 * Bounded: one pass over the call per stream count. The segmenter's share alone, on real
 * recordings: {@link SegmenterLatencyBench}.
 *
 * <p>{@code java -cp "benchmarks/target/classes:benchmarks/target/lib/*" io.mersdk.bench.StreamBench
 * [RECORDINGS_DIR] [STREAM_COUNTS, e.g. 1,8]}
 */
public final class StreamBench {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int RATE = 16000;
  private static final int CHUNK = RATE / 10;
  private static final AtomicInteger failed = new AtomicInteger();

  private StreamBench() {}

  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args.length > 0 ? args[0] : "examples/recordings");
    String[] counts = (args.length > 1 ? args[1] : "1,8").split(",");
    float[] call = call(dir);
    System.out.printf(Locale.ROOT, "call: %.1f s, %d cores%n", call.length / (double) RATE,
        Runtime.getRuntime().availableProcessors());
    EmotionRecognizer rec = EmotionRecognizer.builder().bundleResource("io/mersdk/demo/bundle")
        .device(Device.CPU).threads(2).build();
    try (MerServer server = MerServer.start(rec, ServerOptions.builder().port(0).build())) {
      for (String c : counts) {
        run(server, call, Integer.parseInt(c.trim()));
      }
    }
  }

  private static void run(MerServer server, float[] call, int streams) throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    List<Double> latencies = new CopyOnWriteArrayList<>();
    List<Double> recognition = new CopyOnWriteArrayList<>();
    List<CompletableFuture<Void>> done = new ArrayList<>();
    long heapBefore = heap();
    long[] held = new long[1];
    long[] heapDuring = new long[1];
    long batchesBefore = server.batches();
    List<Thread> senders = new ArrayList<>();
    for (int s = 0; s < streams; s++) {
      int id = s;
      CompletableFuture<Void> finished = new CompletableFuture<>();
      done.add(finished);
      Thread t = new Thread(() -> {
        try {
          Thread.sleep(137L * id);
          stream(http, server, call, latencies, recognition, finished, id == 0 ? () -> {
            held[0] = server.heldSamples();
            heapDuring[0] = heap();
          } : null);
        } catch (Exception e) {
          finished.completeExceptionally(e);
        }
      }, "bench-stream-" + s);
      senders.add(t);
      t.start();
    }
    for (CompletableFuture<Void> f : done) {
      f.get(call.length / RATE + 120, TimeUnit.SECONDS);
    }
    List<Double> sorted = new ArrayList<>(latencies);
    Collections.sort(sorted);
    List<Double> rec = new ArrayList<>(recognition);
    Collections.sort(rec);
    System.out.printf(Locale.ROOT, "streams %d: %d segments, latency p50 %.0f ms, p95 %.0f ms,"
        + " max %.0f ms; recognition p50 %.0f ms; batches %d; held mid-call %.1f s of audio; heap +%.1f MiB (%.2f MiB"
        + " per stream)%n", streams, sorted.size(), pct(sorted, 50), pct(sorted, 95),
        pct(sorted, 100), pct(rec, 50), server.batches() - batchesBefore, held[0] / (double) RATE,
        (heapDuring[0] - heapBefore) / 1048576.0,
        (heapDuring[0] - heapBefore) / 1048576.0 / streams);
    if (failed.get() > 0) {
      System.out.println("  (" + failed.getAndSet(0) + " segments were not outcome emotion)");
    }
  }

  private static void stream(HttpClient http, MerServer server, float[] call,
      List<Double> latencies, List<Double> recognition, CompletableFuture<Void> finished,
      Runnable midCall)
      throws Exception {
    int chunks = (call.length + CHUNK - 1) / CHUNK;
    long[] sentAt = new long[chunks];
    WebSocket ws = http.newWebSocketBuilder().buildAsync(
        URI.create(server.uri().toString().replace("http", "ws") + "/v1/stream"),
        new WebSocket.Listener() {
          private final StringBuilder buf = new StringBuilder();

          @Override
          public CompletionStage<?> onText(WebSocket w, CharSequence data, boolean last) {
            buf.append(data);
            if (last) {
              long now = System.nanoTime();
              try {
                JsonNode e = JSON.readTree(buf.toString());
                switch (e.path("type").asText()) {
                  case "segment" -> {
                    int chunk = Math.min(chunks - 1,
                        (int) Math.ceil(e.path("end").asDouble() * RATE / CHUNK) - 1);
                    latencies.add((now - sentAt[Math.max(0, chunk)]) / 1e6);
                    recognition.add(e.path("timings_ms").path("total").asDouble());
                    if (System.getenv("STREAMBENCH_PRINT") != null) {
                      System.out.println(e.path("timings_ms") + " " + e.path("end").asDouble());
                    }
                    if (!e.path("outcome").asText().equals("emotion")) {
                      failed.incrementAndGet();
                    }
                  }
                  case "done" -> finished.complete(null);
                  case "error" -> finished.completeExceptionally(
                      new IOException(e.path("message").asText()));
                  default -> { }
                }
              } catch (IOException ex) {
                finished.completeExceptionally(ex);
              }
              buf.setLength(0);
            }
            w.request(1);
            return null;
          }
        }).get(30, TimeUnit.SECONDS);
    ws.sendText("{\"type\":\"start\",\"protocol\":\"mer-stream/1\",\"sample_rate\":16000,"
        + "\"format\":\"int16\"}", true).get(30, TimeUnit.SECONDS);
    long t0 = System.nanoTime();
    for (int c = 0; c < chunks; c++) {
      long due = t0 + c * 100_000_000L;
      long wait = due - System.nanoTime();
      if (wait > 0) {
        Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
      }
      int from = c * CHUNK;
      int to = Math.min(call.length, from + CHUNK);
      ByteBuffer b = ByteBuffer.allocate(2 * (to - from)).order(ByteOrder.LITTLE_ENDIAN);
      for (int i = from; i < to; i++) {
        b.putShort((short) Math.round(Math.max(-1, Math.min(1, call[i])) * 32767));
      }
      // big-endian again before sending: the JDK client masks in the buffer's byte order
      ws.sendBinary(b.flip().order(ByteOrder.BIG_ENDIAN), true).get(30, TimeUnit.SECONDS);
      sentAt[c] = System.nanoTime();
      if (midCall != null && c == chunks / 2) {
        midCall.run();
      }
    }
    ws.sendText("Done", true).get(30, TimeUnit.SECONDS);
  }

  private static float[] call(Path dir) throws IOException {
    List<float[]> parts = new ArrayList<>();
    parts.add(new float[RATE]);
    try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*.wav")) {
      List<Path> sorted = new ArrayList<>();
      files.forEach(sorted::add);
      Collections.sort(sorted);
      for (Path f : sorted) {
        parts.add(AudioSources.of(f).readMono(RATE));
        parts.add(new float[RATE]);
      }
    }
    int n = parts.stream().mapToInt(p -> p.length).sum();
    float[] out = new float[n];
    int at = 0;
    for (float[] p : parts) {
      System.arraycopy(p, 0, out, at, p.length);
      at += p.length;
    }
    return out;
  }

  private static long heap() {
    Runtime r = Runtime.getRuntime();
    System.gc();
    return r.totalMemory() - r.freeMemory();
  }

  private static double pct(List<Double> sorted, int p) {
    if (sorted.isEmpty()) {
      return Double.NaN;
    }
    int i = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
    return sorted.get(Math.max(0, Math.min(sorted.size() - 1, i)));
  }
}

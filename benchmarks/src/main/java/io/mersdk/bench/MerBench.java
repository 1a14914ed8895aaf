package io.mersdk.bench;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mersdk.Device;
import io.mersdk.EmotionRecognizer;
import io.mersdk.EmotionResult;
import io.mersdk.StageTimings;
import io.mersdk.Utterance;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.FloatBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Benchmarks a bundle through the public API: cold start (bundle folder to first result) and peak
 * RSS, each in fresh JVMs ({@link ColdStart}, with the load split), per-stage and end-to-end latency
 * for utterances of several lengths, throughput (one padded batch, single calls, 1/2/4 concurrent
 * callers), each stage's share of the physical limit (its FLOPs over the GEMM rate measured in the
 * same run by {@code python -m mer_train bench}), the fitted ASR window, and, given the PyTorch
 * reference's JSON, Java/PyTorch ratios. Every figure is a median of at least 3 runs, printed
 * with its spread. Optionally an int8 bundle: speed-up, top-label agreement, drift.
 */
@Command(name = "mer-bench", mixinStandardHelpOptions = true, description = "Benchmark a model bundle.")
public final class MerBench implements Callable<Integer> {
  private static final String[] STAGES = {"features", "asr_encode", "asr_decode", "wavlm", "roberta", "head", "total"};

  @Option(names = "--bundle", required = true, description = "fp32 bundle folder")
  Path bundle;

  @Option(names = "--int8-bundle", description = "int8 variant of the same bundle")
  Path int8Bundle;

  @Option(names = "--fused-bundle",
      description = "fp32 copy of the bundle with quantize's fp32 rewrites (`mer_train fuse`)")
  Path fusedBundle;

  @Option(names = "--torch-json", description = "output of `python -m mer_train bench`")
  Path torchJson;

  @Option(names = "--seconds", split = ",", defaultValue = "2,5,15")
  double[] seconds;

  @Option(names = "--repeats", defaultValue = "3")
  int repeats;

  @Option(names = "--threads", defaultValue = "2")
  int threads;

  @Option(names = "--batch", defaultValue = "4", description = "batch size for the throughput run (5 s utterances)")
  int batch;

  @Option(names = "--agreement-utterances", defaultValue = "8")
  int agreementUtterances;

  @Option(names = "--markdown", description = "also write the tables to this file")
  Path markdown;

  @Option(names = "--cold-starts", defaultValue = "3",
      description = "fresh JVMs (child processes) for the cold start and peak RSS; 0: skip")
  int coldStarts;

  @Option(names = "--callers", split = ",", defaultValue = "1,2,4",
      description = "concurrent callers for the throughput run (5 s utterances, one recogniser)")
  int[] callers;

  @Option(names = "--rounds", defaultValue = "3", description = "timed rounds of each throughput mode")
  int rounds;

  @Option(names = "--bandwidth-mib", defaultValue = "1024",
      description = "size of the buffer the memory bandwidth is read from (far larger than the caches)")
  int bandwidthMib;

  @Option(names = "--settings", negatable = true, defaultValue = "true", fallbackValue = "true",
      description = "time every stage with each ONNX Runtime setting (weight pre-packing, intra-op threads)")
  boolean settings;

  @Option(names = "--settings-seconds", defaultValue = "5", description = "utterance length of the settings table")
  double settingsSeconds;

  private final StringBuilder md = new StringBuilder();
  private final PrintStream out = System.out;
  /** The last transcript per utterance length of the latency table: RoBERTa's input length. */
  private final Map<String, String> transcripts = new LinkedHashMap<>();
  /** GB/s of the streaming read, the higher of 1 and {@link #threads} threads. */
  private double bandwidth = Double.NaN;

  public static void main(String[] args) {
    System.exit(new CommandLine(new MerBench()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    if (repeats < 3 || rounds < 3) {
      throw new CommandLine.ParameterException(new CommandLine(this),
          "--repeats and --rounds must be at least 3: every figure is a median of 3 or more runs");
    }
    JsonNode torch = torchJson == null ? null : new ObjectMapper().readTree(torchJson.toFile());
    JsonNode manifest = new ObjectMapper().readTree(bundle.resolve("bundle.json").toFile());
    long weightBytes = weightBytes(bundle);
    line("## mer-sdk benchmark: bundle `%s`, %d intra-op threads, %d cores, %s; load average at start %s",
        manifest.path("bundle_id").asText(), threads, Runtime.getRuntime().availableProcessors(),
        System.getProperty("os.arch"), loadAverage());
    line("");
    line("CPU: %s; ONNX Runtime %s (Java)", MachineProfile.describeCpu(), ortVersion());
    line("");
    line("Every figure is the median of the runs named, with the spread: ±x%% is half the range (max - min)"
        + " over the median.");
    line("");
    bandwidth();
    if (coldStarts > 0) {
      coldStart(weightBytes);
    }
    Map<String, double[]> fp32;
    try (EmotionRecognizer r = open(bundle)) {
      fp32 = latency(r, torch);
      throughput(r);
    }
    concurrentCallsSetting();
    if (settings) {
      settingsPerGraph();
    }
    physicalLimit(manifest, fp32, torch);
    fittedWindow(fp32);
    if (int8Bundle != null) {
      int8(fp32, manifest);
    }
    line("load average at the end: %s", loadAverage());
    if (markdown != null) {
      Files.writeString(markdown, md.toString(), StandardCharsets.UTF_8);
    }
    return 0;
  }

  /**
   * The memory bandwidth this run's weight-bound stages are held against: a streaming read of a
   * buffer far larger than the caches, on 1 thread and on the bench's threads.
   */
  private void bandwidth() throws InterruptedException {
    long[] buffer = MachineProfile.buffer(bandwidthMib * (1L << 20));
    double one = MachineProfile.readBandwidth(buffer, 1, 5);
    double all = threads > 1 ? MachineProfile.readBandwidth(buffer, threads, 5) : one;
    bandwidth = Math.max(one, all);
    line("### Memory bandwidth: streaming read of %d MiB, median of 5 passes", bandwidthMib);
    line("");
    line("| threads | GB/s |");
    line("|---|---|");
    line("| 1 | %.1f |", one);
    if (threads > 1) {
      line("| %d | %.1f |", threads, all);
    }
    line("");
  }

  private static String ortVersion() {
    String v = OrtEnvironment.class.getPackage().getImplementationVersion();
    return v == null ? "(version n/a)" : v;
  }

  /**
   * Each stage's median time at one utterance length with each ONNX Runtime setting the SDK can
   * take: weight pre-packing off and on, the bench's intra-op threads and one thread, and the
   * SDK's default. The stages run one after the other, each on its own graph, so a stage's time
   * shows its own graph's setting.
   */
  private void settingsPerGraph() {
    Path b = bundle;
    float[] x = speech(settingsSeconds, 1);
    List<String> names = new ArrayList<>();
    List<double[]> medians = new ArrayList<>();
    int[] threadSettings = threads > 1 ? new int[] {threads, 1} : new int[] {threads};
    for (int t : threadSettings) {
      for (Boolean prepack : new Boolean[] {null, false, true}) {
        names.add(t + " thread" + (t == 1 ? "" : "s") + ", pre-pack " + (prepack == null ? "default" : prepack ? "all" : "none"));
        EmotionRecognizer.Builder rb = benchBuilder(b).threads(t);
        if (prepack != null) {
          rb.prepackWeights(prepack);
        }
        try (EmotionRecognizer r = rb.build()) {
          medians.add(medianStages(r, x));
        }
      }
    }
    line("### ONNX Runtime settings per graph, %s s utterance, median of %d (seconds)", fmt(settingsSeconds), repeats);
    line("");
    StringBuilder head = new StringBuilder("| stage | ");
    for (String n : names) {
      head.append(n).append(" | ");
    }
    line("%sfastest |", head);
    line("|%s", "---|".repeat(names.size() + 2));
    for (int s = 0; s < STAGES.length; s++) {
      StringBuilder row = new StringBuilder("| " + STAGES[s] + " | ");
      int best = 0;
      for (int c = 0; c < names.size(); c++) {
        row.append(String.format(Locale.ROOT, "%.3f | ", medians.get(c)[s]));
        best = medians.get(c)[s] < medians.get(best)[s] ? c : best;
      }
      line("%s%s |", row, names.get(best));
    }
    line("");
    line("Pre-pack default: what the SDK does unless `prepackWeights(...)` is set (see docs/benchmarks.md,"
        + " \"Settings per graph\"); a stage's time depends only on its own graph's setting, as the stages run in"
        + " turn. The memory of each setting is in the peak RSS tables (fresh JVMs): resident memory measured in"
        + " one process after other recognisers were closed is not.");
    line("");
  }

  /** Cold start and peak RSS, each child a fresh JVM; one more child with forced hashing. */
  private void coldStart(long weightBytes) throws IOException, InterruptedException {
    List<ColdStart.Run> runs = new ArrayList<>();
    for (int i = 0; i < coldStarts; i++) {
      runs.add(ColdStart.child(bundle, threads, seconds[0], seconds, batch, true, List.of()));
    }
    ColdStart.Run hashed = ColdStart.child(bundle, threads, seconds[0], seconds, batch, false,
        List.of("-Dmer.bundle.verify=always"));
    List<ColdStart.Run> previous = new ArrayList<>();
    for (int i = 0; i < coldStarts; i++) {
      previous.add(ColdStart.child(bundle, threads, seconds[0], seconds, batch, true,
          List.of("-D" + ColdStart.PREVIOUS_DEFAULT + "=true")));
    }
    line("### Cold start: bundle folder to first result (%s s utterance), %d fresh JVMs", fmt(seconds[0]), coldStarts);
    line("");
    line("| run | files checked s | sessions s | tokenizers s | build s | first result s | cold start s |");
    line("|---|---|---|---|---|---|---|");
    for (int i = 0; i < runs.size(); i++) {
      coldRow("JVM " + (i + 1), runs.get(i));
    }
    line("| median | %s | %s | %s | %s | %s | %s |",
        spread(runs.stream().mapToDouble(ColdStart.Run::checkedS).toArray()),
        spread(runs.stream().mapToDouble(ColdStart.Run::sessionsS).toArray()),
        spread(runs.stream().mapToDouble(ColdStart.Run::tokenizersS).toArray()),
        spread(runs.stream().mapToDouble(ColdStart.Run::buildS).toArray()),
        spread(runs.stream().mapToDouble(ColdStart.Run::firstResultS).toArray()),
        spread(runs.stream().mapToDouble(ColdStart.Run::coldStartS).toArray()));
    coldRow("`-Dmer.bundle.verify=always`", hashed);
    line("");
    line("Files checked: manifest, sizes and SHA-256 (trusted from the checksum cache when unchanged since a"
        + " full check; the last row hashes every file); sessions: ONNX Runtime session creation for every"
        + " graph (parsing, optimization, weight pre-packing), in parallel, with the contract checks;"
        + " build: `EmotionRecognizer.builder()...build()` in all. The OS file cache is warm.");
    line("");
    double[] single = runs.stream().mapToDouble(r -> r.rssSingle()).toArray();
    double[] batched = runs.stream().mapToDouble(r -> r.rssBatch()).toArray();
    double[] built = runs.stream().mapToDouble(r -> r.rssAfterBuild()).toArray();
    line("### Peak RSS (VmHWM, process, JVM included), %d fresh JVMs; weights %.0f MB", coldStarts, weightBytes / 1e6);
    line("");
    line("| after | peak RSS MB | x weight bytes | target |");
    line("|---|---|---|---|");
    line("| the build | %s | %.2f | |", spread(scale(built, 1e-6), "%.0f"), median(built) / weightBytes);
    line("| single utterances (%s s) | %s | %.2f | <= 1.3 |", joinSeconds(), spread(scale(single, 1e-6), "%.0f"),
        median(single) / weightBytes);
    line("| then a batch of %d x 5 s | %s | %.2f | <= 1.6 |", batch, spread(scale(batched, 1e-6), "%.0f"),
        median(batched) / weightBytes);
    line("");
    line("The same with the settings that were the default before 2026-12-01, `parallelEncoders(true)` and"
        + " `prepackWeights(true)` (%d more fresh JVMs):", coldStarts);
    line("");
    line("| after | peak RSS MB | x weight bytes | build s | first result s |");
    line("|---|---|---|---|---|");
    double[] pBuilt = previous.stream().mapToDouble(r -> r.rssAfterBuild()).toArray();
    double[] pSingle = previous.stream().mapToDouble(r -> r.rssSingle()).toArray();
    double[] pBatched = previous.stream().mapToDouble(r -> r.rssBatch()).toArray();
    String pBuild = spread(previous.stream().mapToDouble(ColdStart.Run::buildS).toArray());
    String pFirst = spread(previous.stream().mapToDouble(ColdStart.Run::firstResultS).toArray());
    line("| the build | %s | %.2f | %s | |", spread(scale(pBuilt, 1e-6), "%.0f"), median(pBuilt) / weightBytes, pBuild);
    line("| single utterances | %s | %.2f | | %s |", spread(scale(pSingle, 1e-6), "%.0f"),
        median(pSingle) / weightBytes, pFirst);
    line("| then a batch of %d x 5 s | %s | %.2f | | |", batch, spread(scale(pBatched, 1e-6), "%.0f"),
        median(pBatched) / weightBytes);
    line("");
  }

  private void coldRow(String name, ColdStart.Run r) {
    line("| %s | %.3f | %.3f | %.3f | %.3f | %.3f | %.3f |", name, r.checkedS(), r.sessionsS(), r.tokenizersS(),
        r.buildS(), r.firstResultS(), r.coldStartS());
  }

  private String joinSeconds() {
    StringBuilder b = new StringBuilder();
    for (double s : seconds) {
      b.append(b.length() == 0 ? "" : ", ").append(fmt(s));
    }
    return b.toString();
  }

  private EmotionRecognizer open(Path b) {
    return open(b, false);
  }

  private EmotionRecognizer open(Path b, boolean fitAsrWindow) {
    return benchRecognizer(b, threads, fitAsrWindow);
  }

  static EmotionRecognizer benchRecognizer(Path b, int threads, boolean fitAsrWindow) {
    return benchRecognizer(b, threads, fitAsrWindow, false);
  }

  /**
   * @param previousDefault the execution settings the SDK defaulted to before 2026-12-01 (WavLM in
   *     parallel with the Whisper chain, weights pre-packed; the arenas now shrink after each
   *     graph's run either way)
   */
  static EmotionRecognizer benchRecognizer(Path b, int threads, boolean fitAsrWindow, boolean previousDefault) {
    // The bench times every model stage on a synthetic voiced-like signal, which is not speech:
    // the acoustic gate is off and Whisper's speech rule cannot say no speech (thresholds no
    // evidence crosses), so every utterance runs the whole pipeline and gets an emotion.
    EmotionRecognizer.Builder r = benchBuilder(b).threads(threads).parallelEncoders(previousDefault)
        .fitAsrWindow(fitAsrWindow);
    if (previousDefault) {
      r.prepackWeights(true); // else the default: int8 graphs pre-packed, fp32 ones not
    }
    return r.build();
  }

  /**
   * Whisper's 30 s padding: the fitted window (opt-in) against the full one, on the same inputs:
   * ASR encoder time, end-to-end time, and the drift of the results (probabilities, transcript).
   */
  private void fittedWindow(Map<String, double[]> fp32) {
    try (EmotionRecognizer fit = open(bundle, true); EmotionRecognizer full = open(bundle, false)) {
      line("### Fitted ASR window (`fitAsrWindow(true)`, off by default) vs the full window");
      line("");
      line("| utterance | asr_encode full s | asr_encode fitted s | total full s | total fitted s | speed-up | max prob. drift | same label | same transcript |");
      line("|---|---|---|---|---|---|---|---|---|");
      for (double sec : seconds) {
        float[] x = speech(sec, 1);
        fit.recognize(x);
        List<StageTimings> runs = new ArrayList<>();
        EmotionResult last = null;
        for (int i = 0; i < repeats; i++) {
          last = fit.recognize(x);
          runs.add(last.timings());
        }
        double enc = median(runs, "asr_encode");
        double tot = median(runs, "total");
        EmotionResult ref = full.recognize(x);
        double drift = 0;
        for (String label : ref.probabilities().keySet()) {
          drift = Math.max(drift, Math.abs(ref.probability(label) - last.probability(label)));
        }
        double[] f = fp32.get(fmt(sec));
        line("| %s s | %.3f | %.3f | %.3f | %.3f | %.2fx | %.4f | %s | %s |", fmt(sec), f[1], enc,
            f[STAGES.length - 1], tot, f[STAGES.length - 1] / tot, drift,
            ref.label().equals(last.label()) ? "yes" : "no",
            ref.transcript().equals(last.transcript()) ? "yes" : "no");
      }
      line("");
    }
  }

  /** Median stage timings per utterance length; prints the table (with ratios if torch != null). */
  private Map<String, double[]> latency(EmotionRecognizer r, JsonNode torch) {
    Map<String, double[]> medians = new LinkedHashMap<>();
    StringBuilder head = new StringBuilder("| utterance | ");
    for (String s : STAGES) {
      head.append(s).append(" | ");
    }
    line("### Latency, median of %d (seconds) ±spread%s", repeats, torch == null ? "" : "; Java / PyTorch eager in brackets");
    line("");
    line("%s", head.toString().trim());
    line("|%s", "---|".repeat(STAGES.length + 1));
    for (double sec : seconds) {
      float[] x = speech(sec, 1);
      List<StageTimings> runs = new ArrayList<>();
      r.recognize(x); // warm-up
      for (int i = 0; i < repeats; i++) {
        EmotionResult res = r.recognize(x);
        runs.add(res.timings());
        transcripts.put(fmt(sec), res.transcript());
      }
      double[] med = new double[STAGES.length];
      StringBuilder row = new StringBuilder("| " + fmt(sec) + " s | ");
      for (int s = 0; s < STAGES.length; s++) {
        String stage = STAGES[s];
        double[] v = runs.stream().mapToDouble(t -> seconds(stage(t, stage))).toArray();
        med[s] = median(v);
        row.append(String.format(Locale.ROOT, "%.3f", med[s]));
        JsonNode ref = torch == null ? null : torch.path("utterances").path(fmt(sec)).path(stage);
        if (ref != null && ref.isNumber() && ref.asDouble() > 0) {
          row.append(String.format(Locale.ROOT, " (%.2fx)", med[s] / ref.asDouble()));
        }
        row.append(String.format(Locale.ROOT, " ±%.0f%%", halfRangePercent(v))).append(" | ");
      }
      medians.put(fmt(sec), med);
      line("%s", row.toString().trim());
    }
    line("");
    if (torch != null) {
      line("PyTorch eager reference, same shapes and inputs, %d threads: GEMM 2048^2 fp32 = %.0f GFLOP/s",
          torch.path("threads").asInt(), torch.path("gemm_gflops").asDouble());
      line("");
    }
    return medians;
  }

  /**
   * Utterances per second of one recogniser: one padded batch, the same items as single calls,
   * and N concurrent callers (threads) each making single calls; every mode {@code rounds} times.
   */
  private void throughput(EmotionRecognizer r) throws InterruptedException {
    List<Utterance> items = new ArrayList<>();
    for (int i = 0; i < batch; i++) {
      items.add(Utterance.of(speech(5.0, 10 + i)));
    }
    r.recognizeBatch(items); // warm-up
    double[] batchRate = new double[rounds];
    double[] seqRate = new double[rounds];
    for (int k = 0; k < rounds; k++) {
      long t0 = System.nanoTime();
      r.recognizeBatch(items);
      batchRate[k] = batch / ((System.nanoTime() - t0) / 1e9);
      t0 = System.nanoTime();
      for (Utterance u : items) {
        r.recognize(u);
      }
      seqRate[k] = batch / ((System.nanoTime() - t0) / 1e9);
    }
    line("### Throughput, 5 s utterances, one recogniser (%d intra-op threads), median of %d rounds", threads, rounds);
    line("");
    line("| mode | utterances per round | utterances/s |");
    line("|---|---|---|");
    line("| one padded batch of %d | %d | %s |", batch, batch, spread(batchRate, "%.3f"));
    line("| %d single calls, one caller | %d | %s |", batch, batch, spread(seqRate, "%.3f"));
    int perRound = Arrays.stream(callers).max().orElse(1);
    for (int n : callers) {
      double[] rate = new double[rounds];
      int calls = Math.max(1, perRound / n); // each caller's calls: every mode does the same work
      concurrent(r, n, calls); // warm-up of the callers' threads and the arenas
      for (int k = 0; k < rounds; k++) {
        rate[k] = n * calls / concurrent(r, n, calls);
      }
      line("| %d concurrent caller%s, single calls | %d | %s |", n, n == 1 ? "" : "s", n * calls, spread(rate, "%.3f"));
    }
    line("");
  }

  /**
   * The builder's documented setting for N concurrent callers ({@code concurrentCalls(n)}, which
   * sizes the default threads): N callers on a recogniser built with it and default threads, with
   * the encoders in turn (the default) and in parallel ({@code parallelEncoders(true)}, whose
   * default threads are half as many), rounds of the two interleaved.
   */
  private void concurrentCallsSetting() throws InterruptedException {
    line("### Throughput with `concurrentCalls(n)` and default threads, 5 s utterances, median of %d rounds", rounds);
    line("");
    line("| callers | encoders | default threads | utterances per round | utterances/s |");
    line("|---|---|---|---|---|");
    int perRound = Arrays.stream(callers).max().orElse(1);
    int cores = Runtime.getRuntime().availableProcessors();
    for (int n : callers) {
      try (EmotionRecognizer inTurn = concurrentCallsRecognizer(n, false);
          EmotionRecognizer parallel = concurrentCallsRecognizer(n, true)) {
        int calls = Math.max(1, perRound / n);
        concurrent(inTurn, n, calls);
        concurrent(parallel, n, calls);
        double[] a = new double[rounds];
        double[] b = new double[rounds];
        for (int k = 0; k < rounds; k++) {
          a[k] = n * calls / concurrent(inTurn, n, calls);
          b[k] = n * calls / concurrent(parallel, n, calls);
        }
        line("| %d | in turn (default) | %d | %d | %s |", n, EmotionRecognizer.Builder.threadsFor(cores, n),
            n * calls, spread(a, "%.3f"));
        line("| %d | `parallelEncoders(true)` | %d | %d | %s |", n,
            EmotionRecognizer.Builder.threadsFor(cores, n, true), n * calls, spread(b, "%.3f"));
      }
    }
    line("");
  }

  private EmotionRecognizer concurrentCallsRecognizer(int n, boolean parallel) {
    return benchBuilder(bundle).concurrentCalls(n).parallelEncoders(parallel).build();
  }

  /**
   * A CPU recogniser on {@code b} that runs every stage on the bench's synthetic voiced-like signal
   * (not speech): the acoustic gate off and thresholds that no Whisper evidence crosses.
   */
  static EmotionRecognizer.Builder benchBuilder(Path b) {
    return EmotionRecognizer.builder().bundle(b).device(Device.CPU).speechGate(false)
        .noSpeechThreshold(1.0).compressionRatioThreshold(Double.MAX_VALUE);
  }

  /** Seconds for {@code n} threads each making {@code calls} single 5 s calls on {@code r}. */
  private static double concurrent(EmotionRecognizer r, int n, int calls) throws InterruptedException {
    List<Thread> threads = new ArrayList<>();
    java.util.concurrent.CountDownLatch start = new java.util.concurrent.CountDownLatch(1);
    java.util.concurrent.atomic.AtomicReference<Throwable> failure = new java.util.concurrent.atomic.AtomicReference<>();
    for (int t = 0; t < n; t++) {
      float[] x = speech(5.0, 200 + t);
      Thread th = new Thread(() -> {
        try {
          start.await();
          for (int c = 0; c < calls; c++) {
            r.recognize(x);
          }
        } catch (Throwable e) {
          failure.compareAndSet(null, e);
        }
      }, "bench-caller-" + t);
      th.start();
      threads.add(th);
    }
    long t0 = System.nanoTime();
    start.countDown();
    for (Thread th : threads) {
      th.join();
    }
    double s = (System.nanoTime() - t0) / 1e9;
    if (failure.get() != null) {
      throw new IllegalStateException("a bench caller failed: " + failure.get(), failure.get());
    }
    return s;
  }

  /**
   * Each stage against the two limits of the machine, both measured in the same bench run (a
   * roofline): its FLOPs (from the manifest's shapes) over the fp32 GEMM rate, and the bytes it must
   * read from memory over the streaming read bandwidth ({@link #bandwidth()}); the larger of the two
   * is the stage's limit, the measured median a share of it. The GEMM rate is the higher of
   * PyTorch's 2048-cube product ({@code python -m mer_train bench}) and ONNX Runtime's own MatMul
   * (MLAS, the kernel the SDK runs) on the graphs that bench writes, timed here with the bench's
   * threads. Counted FLOPs: the matrix products of the transformers (projections, attention, FFN)
   * and Whisper's convolutional stem; left out: WavLM's convolutional front end, element-wise work,
   * log-mel and the head. Counted bytes: the fp32 weights of those products, read once per graph
   * run, so once per decoding step; each step also reads the cross-attention K/V of every decoder
   * layer over the 1500 encoder frames. Decoding is weight-bound (one row per product), the
   * encoders compute-bound; RoBERTa on a short transcript sits near both.
   */
  private void physicalLimit(JsonNode m, Map<String, double[]> fp32, JsonNode torch) {
    double torchGemm = torch == null ? Double.NaN : torch.path("gemm_gflops").asDouble();
    Map<String, Double> ort = torch == null ? Map.of() : ortGemmRates(torch.path("gemm_graphs"));
    double gemm = torchGemm;
    StringBuilder rates = new StringBuilder();
    if (!Double.isNaN(torchGemm)) {
      rates.append(String.format(Locale.ROOT, "PyTorch 2048^3 %.0f", torchGemm));
    }
    for (Map.Entry<String, Double> e : ort.entrySet()) {
      rates.append(String.format(Locale.ROOT, ", ONNX Runtime %s %.0f", e.getKey(), e.getValue()));
      gemm = Double.isNaN(gemm) ? e.getValue() : Math.max(gemm, e.getValue());
    }
    line("### Share of the physical limit (fp32 GEMM rate of this run: %s; memory bandwidth %.1f GB/s)",
        Double.isNaN(gemm) ? "n/a, no --torch-json"
            : String.format(Locale.ROOT, "%.0f GFLOP/s, the highest of: %s GFLOP/s", gemm, rates), bandwidth);
    line("");
    line("| stage | utterance | GFLOP | compute limit s | GB read | bandwidth limit s | bound by | measured s | %% of the limit |");
    line("|---|---|---|---|---|---|---|---|---|");
    JsonNode w = m.path("whisper");
    for (Map.Entry<String, double[]> e : fp32.entrySet()) {
      double sec = Double.parseDouble(e.getKey());
      double flopsTotal = 0;
      double bytesTotal = 0;
      if (!w.isMissingNode()) {
        int d = w.path("d_model").asInt();
        int ffn = w.path("encoder_ffn_dim").asInt(4 * d);
        int frames = w.path("encoder_frames").asInt();
        int mels = m.path("audio").path("n_mels").asInt();
        int decLayers = w.path("decoder_layers").asInt();
        double enc = 2.0 * 2 * frames * mels * d * 3 + 2.0 * frames * d * d * 3
            + w.path("encoder_layers").asInt() * transformerLayerFlops(frames, d, ffn)
            // cross-attention K and V of every decoder layer, computed by the encoder graph
            + decLayers * 2 * 2.0 * frames * d * d;
        double encBytes = 4.0 * (mels * d * 3 + d * d * 3
            + w.path("encoder_layers").asInt() * layerWeights(d, ffn) + decLayers * 2.0 * d * d);
        flopsTotal += enc;
        bytesTotal += encBytes;
        limitRow("asr_encode (30 s window)", e.getKey(), enc, encBytes, e.getValue()[1], gemm);
        JsonNode dec = w.path("decoding");
        if (dec.path("max_new_tokens").asInt() > 1) {
          int steps = dec.path("max_new_tokens").asInt();
          double flops = decodeFlops(w);
          double bytes = steps * decodeStepBytes(w, 4);
          flopsTotal += flops;
          bytesTotal += bytes;
          limitRow("asr_decode (" + steps + " steps)", e.getKey(), flops, bytes, e.getValue()[2], gemm);
        }
      }
      JsonNode wl = m.path("wavlm");
      if (!wl.isMissingNode()) {
        int d = wl.path("hidden_size").asInt();
        int ffn = wl.path("ffn_dim").asInt(4 * d);
        int frames = (int) Math.floor(sec * 50);
        double flops = wl.path("num_layers").asInt() * transformerLayerFlops(frames, d, ffn);
        double bytes = 4.0 * wl.path("num_layers").asInt() * layerWeights(d, ffn);
        flopsTotal += flops;
        bytesTotal += bytes;
        limitRow("wavlm (transformer only)", e.getKey(), flops, bytes, e.getValue()[3], gemm);
      }
      JsonNode tx = m.path("text");
      int tokens = textTokens(e.getKey());
      if (!tx.isMissingNode() && tokens > 0) {
        int d = tx.path("hidden_size").asInt();
        int ffn = tx.path("ffn_dim").asInt(4 * d);
        double flops = tx.path("num_layers").asInt() * transformerLayerFlops(tokens, d, ffn);
        double bytes = 4.0 * tx.path("num_layers").asInt() * layerWeights(d, ffn);
        flopsTotal += flops;
        bytesTotal += bytes;
        limitRow("roberta (" + tokens + " tokens)", e.getKey(), flops, bytes, e.getValue()[4], gemm);
      }
      limitRow("total (sum of the above)", e.getKey(), flopsTotal, bytesTotal, e.getValue()[STAGES.length - 1], gemm);
    }
    line("");
    line("Compute limit: GFLOP / the GEMM rate; bandwidth limit: GB read / the bandwidth; the limit is the larger"
        + " (\"bound by\"), and %% of the limit = limit / measured. The SDK runs the stages one after the other"
        + " by default (`parallelEncoders(false)`), each with every intra-op thread, so each stage's time is its"
        + " own; the total also holds log-mel, the head and the Java work between the graphs.");
    line("");
  }

  /** MatMul weights (elements) of one transformer layer: Q, K, V, O projections and the FFN. */
  private static double layerWeights(int d, int ffn) {
    return 4.0 * d * d + 2.0 * d * ffn;
  }

  /**
   * Bytes one decoding step reads: the decoder's MatMul weights ({@code bytesPerWeight} each: 4 in
   * fp32, 1 in int8) with the output projection over the vocabulary, and the fp32 cross-attention K
   * and V of every layer over the encoder frames.
   */
  static double decodeStepBytes(JsonNode w, double bytesPerWeight) {
    int d = w.path("d_model").asInt();
    int dffn = w.path("decoder_ffn_dim").asInt(4 * d);
    int layers = w.path("decoder_layers").asInt();
    double weights = layers * (6.0 * d * d + 2.0 * d * dffn) + (double) d * w.path("vocab_size").asInt();
    return bytesPerWeight * weights + 4.0 * 2 * layers * w.path("encoder_frames").asInt() * d;
  }

  /** FLOPs of greedy decoding: the start sequence, then one token per step, past length t. */
  private static double decodeFlops(JsonNode w) {
    JsonNode dec = w.path("decoding");
    int d = w.path("d_model").asInt();
    int frames = w.path("encoder_frames").asInt();
    int prompt = dec.path("start_sequence").size();
    int steps = dec.path("max_new_tokens").asInt();
    int dffn = w.path("decoder_ffn_dim").asInt(4 * d);
    double flops = 0;
    for (int t = 0; t < prompt + steps - 1; t++) { // one token per position, past length t
      flops += w.path("decoder_layers").asInt() * (2.0 * (6.0 * d * d + 2.0 * d * dffn)
          + 4.0 * (t + 1) * d + 4.0 * frames * d)
          + 2.0 * d * w.path("vocab_size").asInt();
    }
    return flops;
  }

  /** RoBERTa's input length for the transcript of that utterance length (special tokens included). */
  private int textTokens(String sec) {
    String transcript = transcripts.get(sec);
    String file = manifestTokenizer("text");
    if (transcript == null || file == null) {
      return 0;
    }
    try (HuggingFaceTokenizer t = HuggingFaceTokenizer.newInstance(bundle.resolve(file),
        Map.of("addSpecialTokens", "true", "padding", "false", "truncation", "false"))) {
      return t.encode(transcript).getIds().length;
    } catch (IOException | RuntimeException e) {
      return 0;
    }
  }

  private String manifestTokenizer(String role) {
    try {
      JsonNode n = new ObjectMapper().readTree(bundle.resolve("bundle.json").toFile()).path("tokenizers").path(role);
      return n.isTextual() ? n.asText() : null;
    } catch (IOException e) {
      return null;
    }
  }

  /**
   * GFLOP/s of ONNX Runtime's fp32 MatMul on each graph {@code python -m mer_train bench} wrote
   * ({@code gemm_graphs}: shape name to path; inputs A [M, K] and B [K, N]), median of 5 runs after
   * a warm-up, with this bench's intra-op threads. Empty when the JSON names no graph.
   */
  private Map<String, Double> ortGemmRates(JsonNode graphs) {
    Map<String, Double> rates = new LinkedHashMap<>();
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    for (Map.Entry<String, JsonNode> g : graphs.properties()) {
      String[] mkn = g.getKey().split("x");
      long mm = Long.parseLong(mkn[0]);
      long k = Long.parseLong(mkn[1]);
      long n = Long.parseLong(mkn[2]);
      try (OrtSession.SessionOptions o = new OrtSession.SessionOptions()) {
        o.setIntraOpNumThreads(threads);
        try (OrtSession s = env.createSession(g.getValue().asText(), o);
            OnnxTensor a = OnnxTensor.createTensor(env,
                FloatBuffer.wrap(randomFloats((int) (mm * k), 1)), new long[] {mm, k});
            OnnxTensor b = OnnxTensor.createTensor(env,
                FloatBuffer.wrap(randomFloats((int) (k * n), 2)), new long[] {k, n})) {
          double[] t = new double[5];
          for (int r = -1; r < t.length; r++) {
            long t0 = System.nanoTime();
            s.run(Map.of("A", a, "B", b)).close();
            if (r >= 0) {
              t[r] = (System.nanoTime() - t0) / 1e9;
            }
          }
          Arrays.sort(t);
          rates.put(g.getKey(), 2.0 * mm * k * n / t[t.length / 2] / 1e9);
        }
      } catch (OrtException e) {
        throw new IllegalStateException("timing " + g.getValue().asText() + ": " + e.getMessage(), e);
      }
    }
    return rates;
  }

  private static float[] randomFloats(int n, long seed) {
    Random rnd = new Random(seed);
    float[] x = new float[n];
    for (int i = 0; i < n; i++) {
      x[i] = (float) rnd.nextGaussian();
    }
    return x;
  }

  private static double transformerLayerFlops(int t, int d, int ffn) {
    return 2.0 * t * (4.0 * d * d + 2.0 * d * ffn) + 4.0 * t * (double) t * d;
  }

  /** Prints one roofline row. */
  private void limitRow(String name, String sec, double flops, double bytes, double measured, double gemm) {
    double compute = flops / (gemm * 1e9);
    double memory = bytes / (bandwidth * 1e9);
    double limit = Double.isNaN(compute) ? memory : Double.isNaN(memory) ? compute : Math.max(compute, memory);
    String bound = Double.isNaN(compute) || Double.isNaN(memory) ? "n/a" : compute >= memory ? "compute" : "bandwidth";
    line("| %s | %s s | %.1f | %s | %.2f | %s | %s | %.3f | %s |", name, sec, flops / 1e9, fmt3(compute), bytes / 1e9,
        fmt3(memory), bound, measured, Double.isNaN(limit) ? "n/a" : String.format(Locale.ROOT, "%.0f%%", 100 * limit / measured));
  }

  private static String fmt3(double v) {
    return Double.isNaN(v) ? "n/a" : String.format(Locale.ROOT, "%.3f", v);
  }

  private void int8(Map<String, double[]> fp32, JsonNode manifest) throws IOException {
    List<Double> fp32Decode = new ArrayList<>();
    List<Double> fusedDecode = new ArrayList<>();
    List<Double> int8Decode = new ArrayList<>();
    try (EmotionRecognizer q = open(int8Bundle); EmotionRecognizer f = open(bundle);
        EmotionRecognizer fused = fusedBundle == null ? null : open(fusedBundle)) {
      line("### int8 dynamic quantization (`%s`), weights %.0f MB", int8Bundle.getFileName(), weightBytes(int8Bundle) / 1e6);
      line("");
      if (fused == null) {
        line("| utterance | fp32 total s | int8 total s | speed-up |");
        line("|---|---|---|---|");
      } else {
        line("| utterance | fp32 total s | fp32 rewritten (`fuse`) total s | int8 total s | speed-up | vs rewritten fp32 |");
        line("|---|---|---|---|---|---|");
      }
      for (double sec : seconds) {
        float[] x = speech(sec, 1);
        double[] qm = medianStages(q, x);
        double m = qm[STAGES.length - 1];
        int8Decode.add(qm[2]);
        double ref = fp32.get(fmt(sec))[STAGES.length - 1];
        fp32Decode.add(fp32.get(fmt(sec))[2]);
        if (fused == null) {
          line("| %s s | %.3f | %.3f | %.2fx |", fmt(sec), ref, m, ref / m);
        } else {
          double[] fm = medianStages(fused, x);
          fusedDecode.add(fm[2]);
          double rf = fm[STAGES.length - 1];
          line("| %s s | %.3f | %.3f | %.3f | %.2fx | %.2fx |", fmt(sec), ref, rf, m, ref / m, rf / m);
        }
      }
      int agree = 0;
      double drift = 0;
      for (int i = 0; i < agreementUtterances; i++) {
        float[] x = speech(2.0 + i % 3, 100 + i);
        EmotionResult a = f.recognize(x, "fixed transcript for the comparison");
        EmotionResult b = q.recognize(x, "fixed transcript for the comparison");
        agree += a.label().equals(b.label()) ? 1 : 0;
        for (String label : a.probabilities().keySet()) {
          drift = Math.max(drift, Math.abs(a.probability(label) - b.probability(label)));
        }
      }
      line("");
      line("int8 vs fp32 on %d utterances: top label agrees on %d; max probability drift %.4f", agreementUtterances, agree, drift);
      line("");
    }
    JsonNode w = manifest.path("whisper");
    int steps = w.path("decoding").path("max_new_tokens").asInt();
    if (steps > 1 && !Double.isNaN(bandwidth)) {
      line("### Decoding against the memory bandwidth (%.1f GB/s), %d steps, median over the utterance lengths", bandwidth, steps);
      line("");
      line("| bundle | weights | MB read per step | ms per step | GB/s | %% of the bandwidth |");
      line("|---|---|---|---|---|---|");
      decodeRow(bundle.getFileName() + "", "fp32", decodeStepBytes(w, 4), fp32Decode, steps);
      if (!fusedDecode.isEmpty()) {
        decodeRow(fusedBundle.getFileName() + "", "fp32", decodeStepBytes(w, 4), fusedDecode, steps);
      }
      decodeRow(int8Bundle.getFileName() + "", "int8", decodeStepBytes(w, 1), int8Decode, steps);
      line("");
      line("MB read per step: the decoder's MatMul weights (4 bytes each in fp32, 1 in int8; the output projection"
          + " over the vocabulary included) and the fp32 cross-attention K/V of every layer; %% of the bandwidth ="
          + " (MB per step / step time) / the streaming read bandwidth above.");
      line("");
    }
  }

  private void decodeRow(String name, String weights, double stepBytes, List<Double> decodeSeconds, int steps) {
    double step = median(decodeSeconds.stream().mapToDouble(Double::doubleValue).toArray()) / steps;
    double rate = stepBytes / step / 1e9;
    line("| `%s` | %s | %.0f | %.1f | %.1f | %.0f%% |", name, weights, stepBytes / 1e6, step * 1e3, rate, 100 * rate / bandwidth);
  }

  /** Median seconds per stage ({@link #STAGES}) of {@code repeats} calls after one warm-up. */
  private double[] medianStages(EmotionRecognizer r, float[] x) {
    r.recognize(x);
    List<StageTimings> runs = new ArrayList<>();
    for (int i = 0; i < repeats; i++) {
      runs.add(r.recognize(x).timings());
    }
    double[] med = new double[STAGES.length];
    for (int s = 0; s < STAGES.length; s++) {
      med[s] = median(runs, STAGES[s]);
    }
    return med;
  }

  private static Duration stage(StageTimings t, String name) {
    return switch (name) {
      case "features" -> t.features();
      case "asr_encode" -> t.asrEncode();
      case "asr_decode" -> t.asrDecode();
      // the column names of mer_train.bench's reference JSON; the SDK's stages are named by role
      case "wavlm" -> t.speechEncoder();
      case "roberta" -> t.textEncoder();
      case "head" -> t.head();
      default -> t.total();
    };
  }

  /** A voiced-like test signal (amplitude-modulated 150 Hz tone plus noise), as mer_train.bench. */
  static float[] speech(double sec, long seed) {
    Random rng = new Random(seed);
    int n = (int) (sec * 16000);
    float[] x = new float[n];
    for (int i = 0; i < n; i++) {
      double t = i / 16000.0;
      x[i] = (float) (0.3 * Math.sin(2 * Math.PI * 150 * t) * (0.5 + 0.5 * Math.sin(2 * Math.PI * 3 * t))
          + 0.02 * rng.nextGaussian());
    }
    return x;
  }

  private static long weightBytes(Path b) throws IOException {
    try (Stream<Path> s = Files.list(b)) {
      return s.filter(p -> p.toString().endsWith(".onnx")).mapToLong(p -> p.toFile().length()).sum();
    }
  }

  /** VmHWM from /proc (Linux); -1 elsewhere. */
  static long peakRssBytes() {
    return procStatusBytes("VmHWM:");
  }

  private static long procStatusBytes(String field) {
    try {
      for (String l : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (l.startsWith(field)) {
          return Long.parseLong(l.replaceAll("[^0-9]", "")) * 1024;
        }
      }
    } catch (IOException | NumberFormatException e) {
      return -1;
    }
    return -1;
  }

  /** "median ±x%" where x is half the range over the median. */
  static String spread(double[] v) {
    return spread(v, "%.3f");
  }

  static String spread(double[] v, String format) {
    return String.format(Locale.ROOT, format + " ±%.0f%%", median(v), halfRangePercent(v));
  }

  static double halfRangePercent(double[] v) {
    double min = Arrays.stream(v).min().orElse(Double.NaN);
    double max = Arrays.stream(v).max().orElse(Double.NaN);
    return 100 * (max - min) / 2 / median(v);
  }

  private static double[] scale(double[] v, double f) {
    return Arrays.stream(v).map(x -> x * f).toArray();
  }

  /** The 1, 5 and 15 minute load averages (Linux), for the record: other work skews every figure. */
  static String loadAverage() {
    try {
      String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split(" ");
      return f[0] + " " + f[1] + " " + f[2];
    } catch (IOException | RuntimeException e) {
      return "n/a";
    }
  }

  private static double median(List<StageTimings> runs, String stage) {
    return median(runs.stream().mapToDouble(t -> seconds(stage(t, stage))).toArray());
  }

  static double median(double[] v) {
    double[] s = v.clone();
    Arrays.sort(s);
    return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  }

  private static double seconds(Duration d) {
    return d.toNanos() / 1e9;
  }

  private static String fmt(double sec) {
    return String.format(Locale.ROOT, "%.1f", sec);
  }

  private void line(String format, Object... args) {
    String s = String.format(Locale.ROOT, format, args);
    out.println(s);
    md.append(s).append('\n');
  }
}

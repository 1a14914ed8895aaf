package io.mersdk.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mersdk.Device;
import io.mersdk.EmotionRecognizer;
import io.mersdk.EmotionResult;
import io.mersdk.StageTimings;
import io.mersdk.Utterance;
import java.io.IOException;
import java.io.PrintStream;
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
 * Benchmarks a bundle through the public API: bundle load time, per-stage and end-to-end latency
 * (median of repeats after one warm-up) for utterances of several lengths, batch throughput, peak
 * RSS, encoder FLOP rates, and, given the PyTorch reference's JSON ({@code python -m mer_train
 * bench}), Java/PyTorch ratios. Optionally an int8 bundle: speed-up, top-label agreement, drift.
 */
@Command(name = "mer-bench", mixinStandardHelpOptions = true, description = "Benchmark a model bundle.")
public final class MerBench implements Callable<Integer> {
  private static final String[] STAGES = {"features", "asr_encode", "asr_decode", "wavlm", "roberta", "head", "total"};

  @Option(names = "--bundle", required = true, description = "fp32 bundle folder")
  Path bundle;

  @Option(names = "--int8-bundle", description = "int8 variant of the same bundle")
  Path int8Bundle;

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

  private final StringBuilder md = new StringBuilder();
  private final PrintStream out = System.out;

  public static void main(String[] args) {
    System.exit(new CommandLine(new MerBench()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    JsonNode torch = torchJson == null ? null : new ObjectMapper().readTree(torchJson.toFile());
    JsonNode manifest = new ObjectMapper().readTree(bundle.resolve("bundle.json").toFile());
    long weightBytes = weightBytes(bundle);
    line("## mer-sdk benchmark: bundle `%s`, %d intra-op threads, %d cores, %s",
        manifest.path("bundle_id").asText(), threads, Runtime.getRuntime().availableProcessors(),
        System.getProperty("os.arch"));
    line("");

    long t0 = System.nanoTime();
    Map<String, double[]> fp32;
    double loadS;
    try (EmotionRecognizer r = open(bundle)) {
      loadS = (System.nanoTime() - t0) / 1e9;
      line("bundle load: %.2f s; weights %.0f MB; device %s", loadS, weightBytes / 1e6, r.device());
      line("");
      fp32 = latency(r, torch);
      long single = peakRssBytes();
      throughput(r);
      long batched = peakRssBytes();
      line("peak RSS (process, JVM included): %.0f MB = %.2f x the bundle's weight bytes after the single"
          + " utterances; %.0f MB = %.2f x after the batch of %d (target <= 1.3)", single / 1e6,
          (double) single / weightBytes, batched / 1e6, (double) batched / weightBytes, batch);
      line("");
    }
    encoderRates(manifest, fp32, torch);
    fittedWindow(fp32);
    if (int8Bundle != null) {
      int8(fp32);
    }
    if (markdown != null) {
      Files.writeString(markdown, md.toString(), StandardCharsets.UTF_8);
    }
    return 0;
  }

  private EmotionRecognizer open(Path b) {
    return open(b, false);
  }

  private EmotionRecognizer open(Path b, boolean fitAsrWindow) {
    // The bench times every model stage on a synthetic voiced-like signal, which is not speech:
    // the acoustic gate is off and Whisper's speech rule cannot say no speech (thresholds no
    // evidence crosses), so every utterance runs the whole pipeline and gets an emotion.
    return EmotionRecognizer.builder().bundle(b).device(Device.CPU).threads(threads)
        .fitAsrWindow(fitAsrWindow).speechGate(false).noSpeechThreshold(1.0)
        .compressionRatioThreshold(Double.MAX_VALUE).build();
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
    line("### Latency, median of %d (seconds)%s", repeats, torch == null ? "" : "; Java / PyTorch eager in brackets");
    line("");
    line("%s", head.toString().trim());
    line("|%s", "---|".repeat(STAGES.length + 1));
    for (double sec : seconds) {
      float[] x = speech(sec, 1);
      List<StageTimings> runs = new ArrayList<>();
      r.recognize(x); // warm-up
      for (int i = 0; i < repeats; i++) {
        runs.add(r.recognize(x).timings());
      }
      double[] med = new double[STAGES.length];
      for (int s = 0; s < STAGES.length; s++) {
        med[s] = median(runs, STAGES[s]);
      }
      medians.put(fmt(sec), med);
      StringBuilder row = new StringBuilder("| " + fmt(sec) + " s | ");
      for (int s = 0; s < STAGES.length; s++) {
        row.append(String.format(Locale.ROOT, "%.3f", med[s]));
        JsonNode ref = torch == null ? null : torch.path("utterances").path(fmt(sec)).path(STAGES[s]);
        if (ref != null && ref.isNumber() && ref.asDouble() > 0) {
          row.append(String.format(Locale.ROOT, " (%.2fx)", med[s] / ref.asDouble()));
        }
        row.append(" | ");
      }
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

  private void throughput(EmotionRecognizer r) {
    List<Utterance> items = new ArrayList<>();
    for (int i = 0; i < batch; i++) {
      items.add(Utterance.of(speech(5.0, 10 + i)));
    }
    r.recognizeBatch(items); // warm-up
    long t0 = System.nanoTime();
    r.recognizeBatch(items);
    double batchS = (System.nanoTime() - t0) / 1e9;
    t0 = System.nanoTime();
    for (Utterance u : items) {
      r.recognize(u);
    }
    double seqS = (System.nanoTime() - t0) / 1e9;
    line("### Throughput, %d x 5 s utterances", batch);
    line("");
    line("| mode | seconds | utterances/s |");
    line("|---|---|---|");
    line("| one padded batch | %.2f | %.2f |", batchS, batch / batchS);
    line("| %d single calls | %.2f | %.2f |", batch, seqS, batch / seqS);
    line("");
  }

  /** Achieved GFLOP/s of the encoders (transformer + stem matmuls) against the machine's GEMM rate. */
  private void encoderRates(JsonNode m, Map<String, double[]> fp32, JsonNode torch) {
    double gemm = torch == null ? Double.NaN : torch.path("gemm_gflops").asDouble();
    line("### Encoder FLOP rates (fp32)");
    line("");
    line("| encoder | utterance | GFLOP | GFLOP/s | of GEMM peak |");
    line("|---|---|---|---|---|");
    JsonNode w = m.path("whisper");
    if (!w.isMissingNode()) {
      int d = w.path("d_model").asInt();
      int ffn = w.path("encoder_ffn_dim").asInt(4 * d);
      int frames = w.path("encoder_frames").asInt();
      int mels = m.path("audio").path("n_mels").asInt();
      double flops = 2.0 * 2 * frames * mels * d * 3 + 2.0 * frames * d * d * 3
          + w.path("encoder_layers").asInt() * transformerLayerFlops(frames, d, ffn);
      for (Map.Entry<String, double[]> e : fp32.entrySet()) {
        rateRow("whisper encoder (30 s window)", e.getKey(), flops, e.getValue()[1], gemm);
      }
    }
    JsonNode wl = m.path("wavlm");
    if (!wl.isMissingNode()) {
      int d = wl.path("hidden_size").asInt();
      int ffn = wl.path("ffn_dim").asInt(4 * d);
      for (Map.Entry<String, double[]> e : fp32.entrySet()) {
        int frames = (int) Math.floor(Double.parseDouble(e.getKey()) * 50);
        double flops = wl.path("num_layers").asInt() * transformerLayerFlops(frames, d, ffn);
        rateRow("wavlm (transformer only)", e.getKey(), flops, e.getValue()[3], gemm);
      }
    }
    line("");
  }

  private static double transformerLayerFlops(int t, int d, int ffn) {
    return 2.0 * t * (4.0 * d * d + 2.0 * d * ffn) + 4.0 * t * (double) t * d;
  }

  private void rateRow(String name, String sec, double flops, double seconds, double gemm) {
    double rate = flops / seconds / 1e9;
    line("| %s | %s s | %.1f | %.0f | %s |", name, sec, flops / 1e9, rate,
        Double.isNaN(gemm) ? "n/a" : String.format(Locale.ROOT, "%.0f%%", 100 * rate / gemm));
  }

  private void int8(Map<String, double[]> fp32) throws IOException {
    try (EmotionRecognizer q = open(int8Bundle); EmotionRecognizer f = open(bundle)) {
      line("### int8 dynamic quantization (`%s`), weights %.0f MB", int8Bundle.getFileName(), weightBytes(int8Bundle) / 1e6);
      line("");
      line("| utterance | fp32 total s | int8 total s | speed-up |");
      line("|---|---|---|---|");
      for (double sec : seconds) {
        float[] x = speech(sec, 1);
        q.recognize(x);
        double[] runs = new double[repeats];
        for (int i = 0; i < repeats; i++) {
          runs[i] = seconds(q.recognize(x).timings().total());
        }
        double m = median(runs);
        double ref = fp32.get(fmt(sec))[STAGES.length - 1];
        line("| %s s | %.3f | %.3f | %.2fx |", fmt(sec), ref, m, ref / m);
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
    try {
      for (String l : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (l.startsWith("VmHWM:")) {
          return Long.parseLong(l.replaceAll("[^0-9]", "")) * 1024;
        }
      }
    } catch (IOException | NumberFormatException e) {
      return -1;
    }
    return -1;
  }

  private static double median(List<StageTimings> runs, String stage) {
    return median(runs.stream().mapToDouble(t -> seconds(stage(t, stage))).toArray());
  }

  private static double median(double[] v) {
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

package io.mersdk.onnx.internal.pipeline;

import ai.onnxruntime.OnnxTensor;
import io.mersdk.BundleException;
import io.mersdk.BundleInfo;
import io.mersdk.Device;
import io.mersdk.DeviceUnavailableException;
import io.mersdk.InferenceException;
import io.mersdk.Modality;
import io.mersdk.StageTimings;
import io.mersdk.StageTimings.Stage;
import io.mersdk.Utterance;
import io.mersdk.onnx.internal.bundle.BundleLoader;
import io.mersdk.onnx.internal.bundle.LoadedBundle;
import io.mersdk.onnx.internal.bundle.Manifest;
import io.mersdk.onnx.internal.bundle.VariantPlan;
import io.mersdk.onnx.internal.fusion.FusionHead;
import io.mersdk.onnx.internal.runtime.NvidiaDriver;
import io.mersdk.onnx.internal.runtime.Scope;
import io.mersdk.onnx.internal.runtime.SessionFactory;
import io.mersdk.onnx.internal.runtime.Tensors;
import io.mersdk.onnx.internal.wavlm.SpeechEncoder;
import io.mersdk.onnx.internal.whisper.CompressionRatio;
import io.mersdk.onnx.internal.whisper.ContextFrames;
import io.mersdk.onnx.internal.whisper.GreedyDecoder;
import io.mersdk.onnx.internal.whisper.WhisperEncoder;
import io.mersdk.spi.BackendConfig;
import io.mersdk.spi.InferenceBackend;
import io.mersdk.spi.ItemEvidence;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ONNX Runtime pipeline for one bundle on one device: the model side of a call. The recogniser
 * has admitted every item (finite, within the bundle's limits, past the gate); here the admitted
 * items run as one padded batch through the stages in the order the data flows: WavLM (on a worker
 * thread with parallel encoders) and the ASR chain (log-mel, Whisper encoder with the context cut,
 * greedy decoding with its evidence), the text encoder, then the fusion head. Each item's evidence
 * ({@link ItemEvidence}) goes back to the recogniser, which decides speech and builds the result.
 * Thread-safe; every native object of a call is closed before it returns. The recogniser owns the
 * lifecycle (it never calls after {@link #close()}), so there is no lock here.
 */
public final class OnnxBackend implements InferenceBackend {
  private static final Logger LOG = LoggerFactory.getLogger(OnnxBackend.class);

  private final LoadedBundle bundle;
  private final Manifest manifest;
  /** Which stages run, decided once from the variant's modalities. */
  private final VariantPlan plan;
  private final BundleInfo info;
  private final Models models;
  /** Whisper's encoder over the utterances' own length, not the full window (opt-in). */
  private final boolean fitAsrWindow;
  /** Null when the encoders run in turn: WavLM then runs on the calling thread, before the ASR chain. */
  private final ExecutorService speechPool;

  private OnnxBackend(LoadedBundle bundle, Models models, BackendConfig config) {
    this.bundle = bundle;
    this.manifest = bundle.manifest();
    this.plan = manifest.plan();
    this.info = bundle.info();
    this.models = models;
    this.fitAsrWindow = config.fitAsrWindow();
    AtomicInteger n = new AtomicInteger();
    this.speechPool = !config.parallelEncoders() ? null : Executors.newCachedThreadPool(r -> {
      Thread t = new Thread(r, "mer-sdk-wavlm-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
  }

  /**
   * Loads and checks the bundle (BundleLoader is the one place that checks its folder, manifest
   * and files), then opens its sessions on the device asked for.
   *
   * @throws BundleException for a bad bundle
   * @throws DeviceUnavailableException when an explicitly requested CUDA device cannot be used
   */
  public static OnnxBackend open(BackendConfig config) {
    long t0 = System.nanoTime();
    LoadedBundle bundle = BundleLoader.load(config.bundle());
    long checked = System.nanoTime() - t0;
    try {
      Models models = openOnDevice(bundle, config.device(), config.threads(), config.prepackWeights());
      if (LOG.isDebugEnabled()) { // the load split, one line (MerBench's cold-start runs read it)
        LOG.debug(String.format(Locale.ROOT, "bundle %s opened on %s with %d intra-op threads per session"
            + " in %.3f s: files checked %.3f s, sessions %.3f s, tokenizers %.3f s",
            bundle.manifest().bundleId(), models.device(), config.threads(), (System.nanoTime() - t0) / 1e9,
            checked / 1e9, models.sessionNanos / 1e9, models.tokenizerNanos / 1e9));
      }
      return new OnnxBackend(bundle, models, config);
    } catch (RuntimeException e) {
      bundle.close();
      throw e;
    }
  }

  private static Models openOnDevice(LoadedBundle bundle, Device device, int threads,
      Optional<Boolean> prepack) {
    switch (device.kind()) {
      case CPU:
        return openWith(bundle, SessionFactory.cpu(threads, prepack));
      case CUDA:
        return openWith(bundle, SessionFactory.cuda(device.index(), threads));
      case AUTO:
      default:
        return openAuto(bundle, threads, prepack, NvidiaDriver.absenceReason());
    }
  }

  /**
   * {@link Device#AUTO}: the CPU at once on a machine without the NVIDIA driver (there is no GPU to
   * fall back from, so one INFO), else CUDA device 0, falling back to the CPU with one WARN that
   * names the cause and the remedy when the GPU is there but cannot be used.
   *
   * @param noDriver why the machine has no NVIDIA driver ({@link NvidiaDriver#absenceReason()})
   */
  static Models openAuto(LoadedBundle bundle, int threads, Optional<Boolean> prepack,
      Optional<String> noDriver) {
    if (noDriver.isPresent()) {
      LOG.info("device AUTO: running on the CPU: {}", noDriver.get());
      return openWith(bundle, SessionFactory.cpu(threads, prepack));
    }
    try {
      return openWith(bundle, SessionFactory.cuda(0, threads));
    } catch (DeviceUnavailableException e) {
      // The one WARN of a fallback (sherpa-onnx#1044: users want to know they are on the CPU).
      LOG.warn("device AUTO: running on the CPU because CUDA cannot be used: {}", e.getMessage());
      return openWith(bundle, SessionFactory.cpu(threads, prepack));
    }
  }

  private static Models openWith(LoadedBundle bundle, SessionFactory factory) {
    try {
      return Models.open(bundle, factory);
    } catch (RuntimeException e) {
      factory.close();
      throw e;
    }
  }

  @Override
  public BundleInfo bundle() {
    return info;
  }

  @Override
  public Device device() {
    return models.device();
  }

  /** Where the bundle's files are read from (a temporary copy for a class-path bundle). */
  public java.nio.file.Path bundleFolder() {
    return bundle.folder();
  }

  /** The manifest, for tests and diagnostics. */
  public Manifest manifest() {
    return manifest;
  }

  @Override
  public List<ItemEvidence> recognize(List<Utterance> batch) {
    return recognize(batch, Probe.NONE);
  }

  /**
   * {@link #recognize(List)} that also hands intermediate arrays to {@code probe} (tests); with
   * {@link Probe#NONE} the stages run undecorated.
   */
  public List<ItemEvidence> recognize(List<Utterance> batch, Probe probe) {
    return run(batch, probe == Probe.NONE ? models : probed(batch, probe));
  }

  /**
   * This backend as an {@link InferenceBackend} whose calls hand intermediate arrays to {@code
   * probe} (tests, through a recogniser); the view does not own the backend: closing it does nothing.
   */
  public InferenceBackend probed(Probe probe) {
    OnnxBackend self = this;
    return new InferenceBackend() {
      @Override
      public BundleInfo bundle() {
        return info;
      }

      @Override
      public Device device() {
        return self.device();
      }

      @Override
      public List<ItemEvidence> recognize(List<Utterance> batch) {
        return self.recognize(batch, probe);
      }

      @Override
      public void close() {}
    };
  }

  private Stages probed(List<Utterance> run, Probe probe) {
    int hop = manifest.whisper().map(Manifest.Whisper::contextHopSamples).orElse(0);
    return new ProbedStages(models, probe, java.util.stream.IntStream.range(0, run.size()).toArray(),
        run.stream().mapToInt(u -> u.samples().length).toArray(), hop);
  }

  /** The data flow of one padded batch. */
  private List<ItemEvidence> run(List<Utterance> batch, Stages stages) {
    long start = System.nanoTime();
    float[][] waves = batch.stream().map(Utterance::samples).toArray(float[][]::new);
    StageTimings.Builder timings = StageTimings.builder();
    try (Scope scope = new Scope()) {
      CompletableFuture<SpeechRun> speech = startSpeech(waves, stages, scope);
      if (speech != null && speech.isCompletedExceptionally()) {
        awaitSpeech(speech, timings); // WavLM failed in turn: throws before the ASR chain runs
      }
      AsrOutput asr = asr(batch, waves, stages, scope, timings);
      Optional<Stages.TextOutput> text = text(asr, stages, scope, timings);
      Optional<SpeechEncoder.Output> wavlm = awaitSpeech(speech, timings);

      HeadInputs inputs = new HeadInputs();
      wavlm.ifPresent(w -> inputs.with(Modality.SPEECH, w.hiddenStates(), w.frameMask()));
      text.ifPresent(t -> inputs.with(Modality.TEXT, t.hiddenStates(), t.attentionMask()));
      asr.context().ifPresent(c -> inputs.with(Modality.CONTEXT, c.states(), c.mask()));
      FusionHead.Scores scores = timed(timings, Stage.HEAD, () -> stages.head(inputs, batch.size()));

      StageTimings t = timings.build();
      List<ItemEvidence> results = new ArrayList<>(batch.size());
      for (int i = 0; i < batch.size(); i++) {
        long[] textIds = text.isPresent() ? text.get().ids()[i] : new long[0];
        results.add(evidence(asr.items().get(i), scores.probabilities()[i], textIds, t));
      }
      if (LOG.isDebugEnabled()) {
        LOG.debug("bundle {}: batch of {} on {} in {} ms ({})", info.bundleId(), batch.size(),
            device(), since(start).toMillis(), t);
      }
      return results;
    }
  }

  /**
   * Log-mel, Whisper's encoder (and the context cut) and greedy decoding, for the items that need
   * them: Whisper runs when the variant fuses the context or some item's transcript is to be
   * decoded; decoding exists only with the text modality (a context-only variant has no decoder).
   */
  private AsrOutput asr(List<Utterance> batch, float[][] waves, Stages stages, Scope scope,
      StageTimings.Builder timings) {
    boolean[] supplied = new boolean[batch.size()];
    boolean anyToDecode = false;
    for (int i = 0; i < supplied.length; i++) {
      supplied[i] = batch.get(i).transcript() != null;
      anyToDecode |= !supplied[i];
    }
    boolean context = plan.context();
    boolean decode = plan.decodes() && anyToDecode;
    List<AsrOutput.Transcript> notDecoded =
        batch.stream().map(u -> AsrOutput.Transcript.notDecoded(u.transcript())).toList();
    if (!context && !decode) {
      return new AsrOutput(notDecoded, Optional.empty());
    }
    OnnxTensor logMel = timed(timings, Stage.FEATURES, () ->
        stages.features(waves, models.logMel.paddedLength(waves, fitAsrWindow), scope));
    long t = System.nanoTime();
    WhisperEncoder.Output encoded = stages.asrEncode(logMel, scope);
    Optional<AsrOutput.Context> cut = context
        ? Optional.of(contextCut(encoded.states(), waves, scope)) : Optional.empty();
    timings.set(Stage.ASR_ENCODE, since(t));
    if (!decode) {
      return new AsrOutput(notDecoded, cut);
    }
    List<AsrOutput.Transcript> items = timed(timings, Stage.ASR_DECODE,
        () -> transcribe(stages, encoded, supplied, notDecoded));
    return new AsrOutput(items, cut);
  }

  /** Greedy decoding of the items without a supplied transcript, then their text and its ratio. */
  private static List<AsrOutput.Transcript> transcribe(Stages stages, WhisperEncoder.Output encoded,
      boolean[] supplied, List<AsrOutput.Transcript> notDecoded) {
    GreedyDecoder.Hypothesis[] h = stages.asrDecode(encoded, supplied);
    List<AsrOutput.Transcript> out = new ArrayList<>(h.length);
    for (int i = 0; i < h.length; i++) {
      if (h[i] == null) {
        out.add(notDecoded.get(i));
      } else {
        String text = stages.detokenize(h[i].tokens());
        out.add(new AsrOutput.Transcript(text, false, h[i].tokens(), Optional.of(h[i]),
            CompressionRatio.of(text)));
      }
    }
    return out;
  }

  /** The utterances' own encoder frames (docs/model-bundle.md, "Context cut"), padded to the longest. */
  private AsrOutput.Context contextCut(OnnxTensor states, float[][] waves, Scope scope) {
    long[] shape = Tensors.shape(states);
    int windowFrames = (int) shape[1];
    int hop = manifest.whisper().orElseThrow().contextHopSamples();
    int[] frames = new int[waves.length];
    for (int i = 0; i < waves.length; i++) {
      frames[i] = ContextFrames.frames(waves[i].length, hop, windowFrames);
    }
    ContextFrames.Cut cut = ContextFrames.cut(Tensors.readFloats(states), waves.length, windowFrames,
        (int) shape[2], frames);
    String stage = WhisperEncoder.STAGE;
    return new AsrOutput.Context(
        scope.add(Tensors.floats(stage, cut.states(), waves.length, cut.maxFrames(), shape[2])),
        scope.add(Tensors.longs(stage, cut.mask(), waves.length, cut.maxFrames())));
  }

  private Optional<Stages.TextOutput> text(AsrOutput asr, Stages stages, Scope scope,
      StageTimings.Builder timings) {
    if (!plan.decodes()) {
      return Optional.empty();
    }
    String[] transcripts = asr.items().stream().map(AsrOutput.Transcript::text).toArray(String[]::new);
    return Optional.of(timed(timings, Stage.TEXT_ENCODER, () -> stages.text(transcripts, scope)));
  }

  /** WavLM's outputs and inputs, owned by the worker's own scope until the call ends. */
  private record SpeechRun(Scope scope, SpeechEncoder.Output output, Duration elapsed) {}

  /**
   * Starts WavLM on the worker pool (parallel encoders), or runs it here and now (encoders in turn,
   * the default: its peak memory is given back before the ASR chain starts); the main scope waits
   * for it and closes its tensors last.
   */
  private CompletableFuture<SpeechRun> startSpeech(float[][] waves, Stages stages, Scope scope) {
    if (!plan.speech()) {
      return null;
    }
    CompletableFuture<SpeechRun> task = CompletableFuture.supplyAsync(() -> {
      long t = System.nanoTime();
      Scope own = new Scope();
      try {
        return new SpeechRun(own, stages.speech(waves, own), since(t));
      } catch (RuntimeException e) {
        own.close();
        throw e;
      }
    }, speechPool == null ? Runnable::run : speechPool);
    // First in, so closed last: waits for WavLM even when the ASR chain fails.
    scope.add(() -> task.handle((s, err) -> {
      if (s != null) {
        s.scope().close();
      }
      return null;
    }).join());
    return task;
  }

  private static Optional<SpeechEncoder.Output> awaitSpeech(CompletableFuture<SpeechRun> task,
      StageTimings.Builder timings) {
    if (task == null) {
      return Optional.empty();
    }
    try {
      SpeechRun run = task.join();
      timings.set(Stage.SPEECH_ENCODER, run.elapsed());
      return Optional.of(run.output());
    } catch (CompletionException e) {
      if (e.getCause() instanceof RuntimeException re) {
        throw re;
      }
      if (e.getCause() instanceof Error err) {
        throw err;
      }
      throw new InferenceException(SpeechEncoder.STAGE + ": " + e.getCause(), e.getCause());
    }
  }

  /** One item's evidence: every label's probability, its transcript and tokens, Whisper's evidence. */
  private ItemEvidence evidence(AsrOutput.Transcript item, float[] p, long[] textIds,
      StageTimings timings) {
    Map<String, Double> probabilities = new LinkedHashMap<>();
    for (int e = 0; e < p.length; e++) {
      probabilities.put(info.labels().get(e), (double) p[e]);
    }
    ItemEvidence.Builder b = ItemEvidence.computed(probabilities)
        .transcript(item.text(), item.supplied()).asrTokenIds(toInts(item.tokens()))
        .textTokenIds(toInts(textIds)).timings(timings);
    item.hypothesis().ifPresent(h -> b.decoding(new ItemEvidence.Decoding(
        Double.isNaN(h.noSpeechProbability()) ? OptionalDouble.empty()
            : OptionalDouble.of(h.noSpeechProbability()),
        h.avgLogProbability(), item.compressionRatio())));
    return b.build();
  }

  private static List<Integer> toInts(long[] ids) {
    return Arrays.stream(ids).mapToObj(Math::toIntExact).toList();
  }

  private static <T> T timed(StageTimings.Builder timings, Stage stage, Supplier<T> work) {
    long t = System.nanoTime();
    T value = work.get();
    timings.set(stage, since(t));
    return value;
  }

  private static Duration since(long startNanos) {
    return Duration.ofNanos(System.nanoTime() - startNanos);
  }

  /** Releases sessions, tokenizers and a class-path bundle's copy; the recogniser calls it once. */
  @Override
  public void close() {
    if (speechPool != null) {
      speechPool.shutdown();
    }
    try {
      models.close();
    } finally {
      models.factory.close();
      bundle.close();
    }
  }
}

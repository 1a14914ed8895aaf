package io.mersdk.onnx.internal.pipeline;

import ai.onnxruntime.OnnxTensor;
import io.mersdk.AudioException;
import io.mersdk.BundleException;
import io.mersdk.BundleInfo;
import io.mersdk.Device;
import io.mersdk.DeviceUnavailableException;
import io.mersdk.EmotionResult;
import io.mersdk.InferenceException;
import io.mersdk.Modality;
import io.mersdk.SpeechDecision;
import io.mersdk.SpeechThresholds;
import io.mersdk.StageTimings;
import io.mersdk.StageTimings.Stage;
import io.mersdk.Utterance;
import io.mersdk.onnx.internal.bundle.BundleLoader;
import io.mersdk.onnx.internal.bundle.LoadedBundle;
import io.mersdk.onnx.internal.bundle.Manifest;
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
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ONNX Runtime pipeline for one bundle on one device. Per call: the per-item audio checks that
 * depend on the bundle (length limits; failing items get {@code FAILED}, the others run as one
 * padded batch), then the stages in the order the data flows: WavLM on a worker thread while the
 * calling thread runs the ASR chain (log-mel, Whisper encoder with the context cut, greedy decoding
 * with its evidence) and the text encoder; then the fusion head; then the speech decision on each
 * item's evidence. Thread-safe; every native object of a call is closed before it returns. The
 * recogniser owns the lifecycle (it never calls after {@link #close()}), so there is no lock here.
 */
public final class OnnxBackend implements InferenceBackend {
  private static final Logger LOG = LoggerFactory.getLogger(OnnxBackend.class);

  private final LoadedBundle bundle;
  private final Manifest manifest;
  private final BundleInfo info;
  private final Models models;
  /** Whisper's encoder over the utterances' own length, not the full window (opt-in). */
  private final boolean fitAsrWindow;
  /** The bundle's speech_decision with the builder's overrides. */
  private final SpeechThresholds thresholds;
  /** Null when the encoders run in turn: WavLM then runs on the calling thread, before the ASR chain. */
  private final ExecutorService speechPool;

  private OnnxBackend(LoadedBundle bundle, Models models, BackendConfig config) {
    this.bundle = bundle;
    this.manifest = bundle.manifest();
    this.info = bundle.info();
    this.models = models;
    this.fitAsrWindow = config.fitAsrWindow();
    this.thresholds = config.speechThresholds()
        .map(o -> o.applyTo(info.speechThresholds())).orElse(info.speechThresholds());
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

  /** The thresholds the model-side speech decision uses (the bundle's, with the overrides). */
  public SpeechThresholds speechThresholds() {
    return thresholds;
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
  public List<EmotionResult> recognize(List<Utterance> batch) {
    return recognize(batch, Probe.NONE);
  }

  /**
   * {@link #recognize(List)} that also hands intermediate arrays to {@code probe} (tests); with
   * {@link Probe#NONE} the stages run undecorated.
   */
  public List<EmotionResult> recognize(List<Utterance> batch, Probe probe) {
    int n = batch.size();
    EmotionResult[] out = new EmotionResult[n];
    List<Integer> accepted = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      Optional<AudioException> refused = checkAudio(batch.get(i), i, n);
      if (refused.isPresent()) {
        out[i] = EmotionResult.failed(refused.get()).device(device()).bundleId(info.bundleId()).build();
      } else {
        accepted.add(i);
      }
    }
    if (!accepted.isEmpty()) {
      List<Utterance> run = accepted.stream().map(batch::get).toList();
      Stages stages = probe == Probe.NONE ? models : probed(run, accepted, probe);
      List<EmotionResult> results = run(run, stages);
      for (int k = 0; k < accepted.size(); k++) {
        out[accepted.get(k)] = results.get(k);
      }
    }
    return List.of(out);
  }

  private Stages probed(List<Utterance> run, List<Integer> items, Probe probe) {
    int hop = manifest.whisper().map(Manifest.Whisper::contextHopSamples).orElse(0);
    return new ProbedStages(models, probe, items.stream().mapToInt(Integer::intValue).toArray(),
        run.stream().mapToInt(u -> u.samples().length).toArray(), hop);
  }

  /**
   * The checks that depend on the bundle: too short for the models, or too long for the ASR window
   * when Whisper reads the utterance. (The recogniser has checked that samples are finite.)
   */
  private Optional<AudioException> checkAudio(Utterance u, int i, int n) {
    int min = manifest.audio().minSamples();
    int window = manifest.audio().nSamples();
    int rate = manifest.audio().sampleRate();
    int length = u.samples().length;
    String which = n == 1 ? "utterance" : "utterance " + i + " of the batch";
    if (length < min) {
      return Optional.of(new AudioException(which + " has " + length + " samples ("
          + seconds(length, rate) + " at " + rate + " Hz) but the bundle needs at least " + min
          + " (audio.min_samples)"));
    }
    // Whisper sees one window of audio.n_samples (features.onnx is fed exactly that many, as
    // WhisperFeatureExtractor(padding="max_length") does), so a longer utterance would lose its
    // tail without a word: the context states and the transcript would cover only its start.
    if (length > window && readsWithWhisper(u)) {
      return Optional.of(new AudioException(which + " is " + seconds(length, rate) + " long ("
          + length + " samples at " + rate + " Hz), longer than the bundle's ASR window of "
          + seconds(window, rate) + " (audio.n_samples = " + window + "); Whisper would see only"
          + " its first " + seconds(window, rate) + ". Split it into utterances that fit, e.g."
          + " with io.mersdk.audio.Timeline (or io.mersdk.audio.Segmenter)"));
    }
    return Optional.empty();
  }

  /**
   * Whether Whisper's output for {@code u} is used: always with the context modality; with the
   * text modality only when the transcript comes from ASR. (A speech-only bundle never runs
   * Whisper, and a caller's transcript on a speech+text bundle makes its window irrelevant.)
   */
  private boolean readsWithWhisper(Utterance u) {
    return manifest.uses(Modality.CONTEXT) || (manifest.decodes() && u.transcript() == null);
  }

  private static String seconds(long samples, int rate) {
    return String.format(Locale.ROOT, "%.3f s", samples / (double) rate);
  }

  /** The data flow of one padded batch. */
  private List<EmotionResult> run(List<Utterance> batch, Stages stages) {
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

      StageTimings t = timings.set(Stage.TOTAL, since(start)).build();
      List<EmotionResult> results = new ArrayList<>(batch.size());
      for (int i = 0; i < batch.size(); i++) {
        long[] textIds = text.isPresent() ? text.get().ids()[i] : new long[0];
        results.add(result(asr.items().get(i), decide(asr.items().get(i)), scores.probabilities()[i],
            textIds, t));
      }
      if (LOG.isDebugEnabled()) {
        LOG.debug("bundle {}: batch of {} on {} in {} ms ({})", info.bundleId(), batch.size(),
            device(), t.total().toMillis(), t);
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
    boolean context = manifest.uses(Modality.CONTEXT);
    boolean decode = manifest.decodes() && anyToDecode;
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
    if (!manifest.uses(Modality.TEXT)) {
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
    if (!manifest.uses(Modality.SPEECH)) {
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

  /**
   * The model side of the speech decision (openai-whisper's rule, {@link SpeechThresholds#noSpeech})
   * on an item's decoding evidence. Evidence is reported whenever it was computed; without a
   * no-speech token the model does not decide ({@code NOT_CHECKED}, the recogniser's gate then
   * decides alone), and an item with a supplied transcript has no evidence at all.
   */
  private SpeechDecision decide(AsrOutput.Transcript item) {
    if (item.hypothesis().isEmpty()) {
      return SpeechDecision.builder(true, SpeechDecision.Basis.NOT_CHECKED).build();
    }
    GreedyDecoder.Hypothesis h = item.hypothesis().get();
    boolean decides = info.modelSpeechEvidence() && !Double.isNaN(h.noSpeechProbability());
    boolean speech = !decides
        || !thresholds.noSpeech(h.noSpeechProbability(), h.avgLogProbability(), item.compressionRatio());
    SpeechDecision.Builder d = SpeechDecision.builder(speech,
        decides ? SpeechDecision.Basis.MODEL : SpeechDecision.Basis.NOT_CHECKED);
    if (!Double.isNaN(h.noSpeechProbability())) {
      d.noSpeechProbability(h.noSpeechProbability());
    }
    return d.avgLogProbability(h.avgLogProbability()).compressionRatio(item.compressionRatio()).build();
  }

  private EmotionResult result(AsrOutput.Transcript item, SpeechDecision decision, float[] p,
      long[] textIds, StageTimings timings) {
    if (!decision.isSpeech()) {
      return EmotionResult.noSpeech(decision).timings(timings).device(device())
          .bundleId(info.bundleId()).build();
    }
    Map<String, Double> probabilities = new LinkedHashMap<>();
    for (int e = 0; e < p.length; e++) {
      probabilities.put(info.labels().get(e), (double) p[e]);
    }
    return EmotionResult.emotion(probabilities).transcript(item.text(), item.supplied())
        .asrTokenIds(toInts(item.tokens())).textTokenIds(toInts(textIds)).speech(decision)
        .timings(timings).device(device()).bundleId(info.bundleId()).build();
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

package io.mersdk.onnx.internal.pipeline;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtSession;
import io.mersdk.AudioException;
import io.mersdk.BundleException;
import io.mersdk.BundleInfo;
import io.mersdk.Device;
import io.mersdk.DeviceUnavailableException;
import io.mersdk.EmotionResult;
import io.mersdk.InferenceException;
import io.mersdk.Modality;
import io.mersdk.StageTimings;
import io.mersdk.Utterance;
import io.mersdk.onnx.internal.bundle.BundleLoader;
import io.mersdk.onnx.internal.bundle.GraphSpec;
import io.mersdk.onnx.internal.bundle.LoadedBundle;
import io.mersdk.onnx.internal.bundle.Manifest;
import io.mersdk.onnx.internal.features.LogMel;
import io.mersdk.onnx.internal.fusion.FusionHead;
import io.mersdk.onnx.internal.runtime.Scope;
import io.mersdk.onnx.internal.runtime.SessionFactory;
import io.mersdk.onnx.internal.runtime.Tensors;
import io.mersdk.onnx.internal.text.TextEncoder;
import io.mersdk.onnx.internal.wavlm.SpeechEncoder;
import io.mersdk.onnx.internal.whisper.ContextFrames;
import io.mersdk.onnx.internal.whisper.WhisperEncoder;
import io.mersdk.spi.BackendConfig;
import io.mersdk.spi.InferenceBackend;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ONNX Runtime pipeline for one bundle on one device: audio checks, then WavLM on a worker
 * thread while the calling thread runs log-mel, the Whisper encoder, greedy decoding and RoBERTa;
 * then the fusion head. Thread-safe; every native object of a call is closed before it returns.
 */
public final class OnnxBackend implements InferenceBackend {
  private static final Logger LOG = LoggerFactory.getLogger(OnnxBackend.class);

  private final LoadedBundle bundle;
  private final Manifest manifest;
  private final BundleInfo info;
  private final Models models;
  /** Whisper's encoder over the utterances' own length, not the full window (opt-in). */
  private final boolean fitAsrWindow;
  private final ExecutorService speechPool;
  private final ReentrantReadWriteLock lifecycle = new ReentrantReadWriteLock();
  private boolean closed;

  private OnnxBackend(LoadedBundle bundle, Models models, boolean fitAsrWindow) {
    this.bundle = bundle;
    this.manifest = bundle.manifest();
    this.info = bundle.info();
    this.models = models;
    this.fitAsrWindow = fitAsrWindow;
    AtomicInteger n = new AtomicInteger();
    this.speechPool = Executors.newCachedThreadPool(r -> {
      Thread t = new Thread(r, "mer-sdk-wavlm-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
  }

  /**
   * Loads and checks the bundle, then opens its sessions on the device asked for.
   *
   * @throws BundleException for a bad bundle
   * @throws DeviceUnavailableException when an explicitly requested CUDA device cannot be used
   */
  public static OnnxBackend open(BackendConfig config) {
    LoadedBundle bundle = BundleLoader.load(config.bundle());
    try {
      Set<Modality> missing = EnumSet.noneOf(Modality.class);
      missing.addAll(config.requiredModalities());
      missing.removeAll(bundle.manifest().variant().modalities());
      if (!missing.isEmpty()) {
        throw new BundleException("bundle " + bundle.description() + ": variant.modalities is "
            + bundle.manifest().variant().modalities() + " but " + missing + " was required");
      }
      Models models = openOnDevice(bundle, config.device(), config.threads());
      LOG.debug("bundle {} opened on {} with {} intra-op threads per session",
          bundle.manifest().bundleId(), models.device(), config.threads());
      return new OnnxBackend(bundle, models, config.fitAsrWindow());
    } catch (RuntimeException e) {
      bundle.close();
      throw e;
    }
  }

  private static Models openOnDevice(LoadedBundle bundle, Device device, int threads) {
    switch (device.kind()) {
      case CPU:
        return openWith(bundle, SessionFactory.cpu(threads));
      case CUDA:
        return openWith(bundle, SessionFactory.cuda(device.index(), threads));
      case AUTO:
      default:
        try {
          return openWith(bundle, SessionFactory.cuda(0, threads));
        } catch (DeviceUnavailableException e) {
          // The one WARN of a fallback (sherpa-onnx#1044: users want to know they are on the CPU).
          LOG.warn("device AUTO: running on the CPU because CUDA cannot be used: {}", e.getMessage());
          return openWith(bundle, SessionFactory.cpu(threads));
        }
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
  public String device() {
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
  public List<EmotionResult> recognize(List<Utterance> batch) {
    return recognize(batch, Probe.NONE);
  }

  /** {@link #recognize(List)} that also hands intermediate arrays to {@code probe} (tests). */
  public List<EmotionResult> recognize(List<Utterance> batch, Probe probe) {
    lifecycle.readLock().lock();
    try {
      if (closed) {
        throw new IllegalStateException("the recogniser for bundle " + info.bundleId() + " is closed");
      }
      if (batch.isEmpty()) {
        return List.of();
      }
      checkAudio(batch);
      return run(batch, probe);
    } finally {
      lifecycle.readLock().unlock();
    }
  }

  /**
   * Validate at the edge: too short, too long for the ASR window, or non-finite audio never
   * reaches a model.
   */
  private void checkAudio(List<Utterance> batch) {
    int min = manifest.audio().minSamples();
    int window = manifest.audio().nSamples();
    int rate = manifest.audio().sampleRate();
    for (int i = 0; i < batch.size(); i++) {
      Utterance u = batch.get(i);
      float[] s = u.samples();
      String which = batch.size() == 1 ? "utterance" : "utterance " + i + " of the batch";
      if (s.length < min) {
        throw new AudioException(which + " has " + s.length + " samples ("
            + seconds(s.length, rate) + " at " + rate + " Hz) but the bundle needs at least " + min
            + " (audio.min_samples)");
      }
      // Whisper sees one window of audio.n_samples (features.onnx is fed exactly that many, as
      // WhisperFeatureExtractor(padding="max_length") does), so a longer utterance would lose its
      // tail without a word: the context states and the transcript would cover only its start.
      if (s.length > window && readsWithWhisper(u)) {
        throw new AudioException(which + " is " + seconds(s.length, rate) + " long (" + s.length
            + " samples at " + rate + " Hz), longer than the bundle's ASR window of "
            + seconds(window, rate) + " (audio.n_samples = " + window + "); Whisper would see only"
            + " its first " + seconds(window, rate) + ". Split it into utterances that fit, e.g."
            + " with io.mersdk.audio.Timeline (or io.mersdk.audio.Segmenter)");
      }
      for (int k = 0; k < s.length; k++) {
        if (!Float.isFinite(s[k])) {
          throw new AudioException(which + ": sample " + k + " is " + s[k]
              + "; audio must be finite (check the decoder or resampler that produced it)");
        }
      }
    }
  }

  /**
   * Whether Whisper's output for {@code u} is used: always with the context modality; with the
   * text modality only when the transcript comes from ASR. (A speech-only bundle never runs
   * Whisper, and a caller's transcript on a speech+text bundle makes its window irrelevant.)
   */
  private boolean readsWithWhisper(Utterance u) {
    return manifest.uses(Modality.CONTEXT)
        || (manifest.decodes() && u.transcript() == null);
  }

  private static String seconds(long samples, int rate) {
    return String.format(java.util.Locale.ROOT, "%.3f s", samples / (double) rate);
  }

  private List<EmotionResult> run(List<Utterance> batch, Probe probe) {
    long start = System.nanoTime();
    int b = batch.size();
    float[][] waves = new float[b][];
    boolean[] supplied = new boolean[b];
    String[] transcripts = new String[b];
    long[][] asrTokens = new long[b][0];
    boolean anyToDecode = false;
    for (int i = 0; i < b; i++) {
      waves[i] = batch.get(i).samples();
      supplied[i] = batch.get(i).transcript() != null;
      transcripts[i] = supplied[i] ? batch.get(i).transcript() : "";
      anyToDecode |= !supplied[i];
    }
    boolean speech = manifest.uses(Modality.SPEECH);
    boolean text = manifest.uses(Modality.TEXT);
    boolean context = manifest.uses(Modality.CONTEXT);
    // Decoding exists only with the text modality: a context-only variant has no decoder graph
    // (docs/model-bundle.md) and its results carry an empty transcript.
    boolean decode = manifest.decodes() && anyToDecode;
    boolean encode = context || decode;

    Duration features = Duration.ZERO;
    Duration asrEncode = Duration.ZERO;
    Duration asrDecode = Duration.ZERO;
    Duration roberta = Duration.ZERO;
    Map<String, OnnxTensor> headInputs = new HashMap<>();
    long[][] textIds = new long[b][0];

    try (Scope scope = new Scope()) {
      CompletableFuture<SpeechStates> speechTask = null;
      if (speech) {
        speechTask = CompletableFuture.supplyAsync(() -> runSpeech(waves), speechPool);
        CompletableFuture<SpeechStates> task = speechTask;
        // First in, so closed last: waits for WavLM even when the ASR chain below fails.
        scope.add(() -> task.handle((s, err) -> {
          if (s != null) {
            s.scope().close();
          }
          return null;
        }).join());
      }

      if (encode) {
        long t = System.nanoTime();
        OrtSession.Result mel = models.logMel.compute(waves, models.logMel.paddedLength(waves, fitAsrWindow), scope);
        features = since(t);
        OnnxTensor logMel = LogMel.logMel(mel);
        if (probe.wants(Probe.LOG_MEL)) {
          probeItems(probe, Probe.LOG_MEL, logMel, null, 1);
        }
        t = System.nanoTime();
        OrtSession.Result enc = models.whisperEncoder.encode(logMel, scope);
        OnnxTensor states = WhisperEncoder.encoderStates(enc);
        int[] frames = null;
        float[] statesData = null;
        long[] statesShape = Tensors.shape(states);
        if (context || probe.wants(Probe.ENCODER_STATES)) {
          statesData = Tensors.readFloats(states);
          frames = new int[b];
          for (int i = 0; i < b; i++) {
            frames[i] = ContextFrames.frames(waves[i].length,
                manifest.whisper().orElseThrow().contextHopSamples(), (int) statesShape[1]);
          }
        }
        if (context) {
          ContextFrames.Cut cut = ContextFrames.cut(statesData, b, (int) statesShape[1],
              (int) statesShape[2], frames);
          String stage = WhisperEncoder.STAGE;
          headInputs.put(GraphSpec.headStates(Modality.CONTEXT), scope.add(
              Tensors.floats(stage, cut.states(), b, cut.maxFrames(), statesShape[2])));
          headInputs.put(GraphSpec.headMask(Modality.CONTEXT), scope.add(
              Tensors.longs(stage, cut.mask(), b, cut.maxFrames())));
        }
        asrEncode = since(t);
        if (probe.wants(Probe.ENCODER_STATES)) {
          for (int i = 0; i < b; i++) {
            probe.accept(Probe.ENCODER_STATES, i, Slices.itemShape(statesShape, 1, frames[i]),
                Slices.item(statesData, statesShape, i, 1, frames[i]));
          }
        }
        if (decode) {
          t = System.nanoTime();
          long[][] tokens = models.decoder.decode(
              WhisperEncoder.crossK(enc), WhisperEncoder.crossV(enc), supplied);
          for (int i = 0; i < b; i++) {
            if (!supplied[i]) {
              asrTokens[i] = tokens[i];
              transcripts[i] = models.detokenizer.decode(tokens[i]);
            }
          }
          asrDecode = since(t);
        }
      }

      if (text) {
        long t = System.nanoTime();
        for (int i = 0; i < b; i++) {
          textIds[i] = models.textTokenizer.encode(transcripts[i]);
        }
        TextEncoder.Batch ids = models.textEncoder.batch(textIds, scope);
        OrtSession.Result r = models.textEncoder.encode(ids, scope);
        headInputs.put(GraphSpec.headStates(Modality.TEXT), TextEncoder.hiddenStates(r));
        headInputs.put(GraphSpec.headMask(Modality.TEXT), ids.attentionMask());
        roberta = since(t);
        if (probe.wants(Probe.ROBERTA_HIDDEN_STATES)) {
          int[] lengths = Arrays.stream(textIds).mapToInt(x -> x.length).toArray();
          probeItems(probe, Probe.ROBERTA_HIDDEN_STATES, TextEncoder.hiddenStates(r), lengths, 2);
        }
      }

      Duration wavlm = Duration.ZERO;
      if (speech) {
        SpeechStates s = join(speechTask);
        wavlm = s.elapsed();
        OnnxTensor hidden = SpeechEncoder.hiddenStates(s.result());
        OnnxTensor frameMask = SpeechEncoder.frameMask(s.result());
        headInputs.put(GraphSpec.headStates(Modality.SPEECH), hidden);
        headInputs.put(GraphSpec.headMask(Modality.SPEECH), frameMask);
        if (probe.wants(Probe.WAVLM_HIDDEN_STATES)) {
          long[] mask = Tensors.readLongs(frameMask);
          int width = (int) Tensors.shape(frameMask)[1];
          int[] lengths = new int[b];
          for (int i = 0; i < b; i++) {
            for (int k = 0; k < width; k++) {
              lengths[i] += (int) mask[i * width + k];
            }
          }
          probeItems(probe, Probe.WAVLM_HIDDEN_STATES, hidden, lengths, 2);
        }
      }

      long t = System.nanoTime();
      FusionHead.Scores scores = models.head.classify(headInputs, b);
      float[][] probabilities = scores.probabilities();
      Duration head = since(t);
      if (probe.wants(Probe.LOGITS)) {
        for (int i = 0; i < b; i++) {
          probe.accept(Probe.LOGITS, i, new long[] {scores.logits()[i].length}, scores.logits()[i]);
        }
      }

      StageTimings timings = new StageTimings(
          features, asrEncode, asrDecode, wavlm, roberta, head, since(start));
      List<EmotionResult> results = new ArrayList<>(b);
      for (int i = 0; i < b; i++) {
        results.add(result(probabilities[i], transcripts[i], supplied[i], asrTokens[i], textIds[i], timings));
      }
      if (LOG.isDebugEnabled()) {
        LOG.debug("bundle {}: batch of {} on {} in {} ms ({})", info.bundleId(), b, device(),
            timings.total().toMillis(), timings);
      }
      return results;
    }
  }

  private EmotionResult result(float[] p, String transcript, boolean supplied, long[] asr,
      long[] ids, StageTimings timings) {
    Map<String, Double> probabilities = new LinkedHashMap<>();
    int best = 0;
    for (int e = 0; e < p.length; e++) {
      probabilities.put(info.labels().get(e), (double) p[e]);
      if (p[e] > p[best]) {
        best = e;
      }
    }
    return new EmotionResult(info.labels().get(best), probabilities, transcript, supplied,
        toInts(asr), toInts(ids), timings, device(), info.bundleId());
  }

  private static List<Integer> toInts(long[] ids) {
    List<Integer> out = new ArrayList<>(ids.length);
    for (long id : ids) {
      out.add(Math.toIntExact(id));
    }
    return out;
  }

  /** WavLM's outputs and inputs, owned by the worker's own scope until the call ends. */
  private record SpeechStates(Scope scope, OrtSession.Result result, Duration elapsed) {}

  private SpeechStates runSpeech(float[][] waves) {
    long t = System.nanoTime();
    Scope scope = new Scope();
    try {
      OrtSession.Result r = models.speechEncoder.encode(waves, scope);
      return new SpeechStates(scope, r, since(t));
    } catch (RuntimeException e) {
      scope.close();
      throw e;
    }
  }

  private static SpeechStates join(CompletableFuture<SpeechStates> task) {
    try {
      return task.join();
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

  /** Hands each item of a [B, ...] tensor to the probe, cut on {@code axis} to its own length. */
  private static void probeItems(Probe probe, String name, OnnxTensor tensor, int[] lengths, int axis) {
    float[] data = Tensors.readFloats(tensor);
    long[] shape = Tensors.shape(tensor);
    for (int i = 0; i < shape[0]; i++) {
      int keep = lengths == null ? (int) shape[axis] : lengths[i];
      probe.accept(name, i, Slices.itemShape(shape, axis, keep), Slices.item(data, shape, i, axis, keep));
    }
  }

  private static Duration since(long startNanos) {
    return Duration.ofNanos(System.nanoTime() - startNanos);
  }

  /** Waits for calls in flight, then releases sessions, tokenizers and a class-path bundle's copy. */
  @Override
  public void close() {
    lifecycle.writeLock().lock();
    try {
      if (closed) {
        return;
      }
      closed = true;
      speechPool.shutdown();
      try {
        models.close();
      } finally {
        models.factory.close();
        bundle.close();
      }
    } finally {
      lifecycle.writeLock().unlock();
    }
  }
}

package io.mersdk;

import io.mersdk.source.AudioSource;
import io.mersdk.spi.BackendConfig;
import io.mersdk.spi.BundleLocation;
import io.mersdk.spi.InferenceBackend;
import io.mersdk.spi.InferenceBackendProvider;
import io.mersdk.spi.ItemEvidence;
import io.mersdk.spi.SpeechActivity;
import io.mersdk.spi.SpeechDetector;
import io.mersdk.spi.SpeechDetectorProvider;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Recognises emotion in speech from a model bundle: the Whisper transcript read by RoBERTa (what
 * was said), WavLM (how it sounded) and Whisper encoder states (the ASR's acoustic context), fused
 * as the bundle's manifest says.
 *
 * <pre>{@code
 * try (EmotionRecognizer recognizer = EmotionRecognizer.builder()
 *         .bundle(Path.of("models/my-bundle"))
 *         .device(Device.AUTO)
 *         .build()) {
 *   EmotionResult r = recognizer.recognize(samples16k);
 *   if (r.isEmotion()) {
 *     System.out.println(r.label() + " " + r.probabilities());
 *   } else {
 *     System.out.println("no speech: " + r.speech());
 *   }
 * }
 * }</pre>
 *
 * <p><b>Speech or not.</b> Every utterance first passes the acoustic speech gate (a {@link
 * SpeechDetector}, found on the class path or set with {@link Builder#speechDetector}); one without
 * speech gets {@link Outcome#NO_SPEECH} and no model runs. Then the bundle's Whisper evidence
 * (no-speech probability, average log-probability, compression ratio) may still say no speech; see
 * {@link SpeechDecision}. A result's emotion accessors throw on {@code NO_SPEECH}: check {@link
 * EmotionResult#outcome()}.
 *
 * <p><b>Batches.</b> {@link #recognizeBatch(List)} gives every item its own outcome: an emotion, no
 * speech, or {@link Outcome#FAILED} with the item's typed exception; one bad item never fails the
 * others. The single-utterance calls throw that exception instead.
 *
 * <p><b>Thread safety.</b> An {@code EmotionRecognizer} is thread-safe: build one and share it.
 * Concurrent calls run concurrently on the same model sessions. {@link #close()} waits for calls
 * in flight, then releases the native sessions; a call after {@code close()} throws {@link
 * IllegalStateException}; closing twice is harmless.
 */
public final class EmotionRecognizer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(EmotionRecognizer.class);

  private final InferenceBackend backend;
  /** Admission checks, the speech decision and result assembly, with the resolved thresholds. */
  private final ItemAssembly assembly;
  /** Null when the gate is off. */
  private final SpeechDetector detector;
  private final ExecutorService ownedExecutor;
  private final Executor executor;
  /** The one lifecycle lock: calls hold the read lock, {@link #close()} the write lock. */
  private final ReadWriteLock lifecycle = new ReentrantReadWriteLock();
  /** Written under the write lock; volatile so that {@link #isClosed()} never waits for close(). */
  private volatile boolean closed;

  private EmotionRecognizer(InferenceBackend backend, SpeechThresholds thresholds,
      SpeechDetector detector, Executor executor) {
    this.backend = backend;
    this.assembly = new ItemAssembly(backend.bundle(), backend.device(), thresholds);
    this.detector = detector;
    if (executor == null) {
      AtomicInteger n = new AtomicInteger();
      this.ownedExecutor =
          Executors.newCachedThreadPool(
              r -> {
                Thread t = new Thread(r, "mer-sdk-async-" + n.incrementAndGet());
                t.setDaemon(true);
                return t;
              });
      this.executor = ownedExecutor;
    } else {
      this.ownedExecutor = null;
      this.executor = executor;
    }
  }

  /** Starts building a recogniser. */
  public static Builder builder() {
    return new Builder();
  }

  /** What the loaded bundle is: labels, modalities, variant, sample rate, speech thresholds. */
  public BundleInfo bundle() {
    return backend.bundle();
  }

  /** The labels in the order of {@link EmotionResult#probabilities()}. */
  public List<String> labels() {
    return backend.bundle().labels();
  }

  /** The device that actually runs the models: {@link Device#CPU} or {@code Device.cuda(n)}. */
  public Device device() {
    return backend.device();
  }

  /**
   * The thresholds the model side of the speech decision reads: the bundle's ({@link
   * BundleInfo#speechThresholds()}) with the builder's overrides, resolved once at build time.
   */
  public SpeechThresholds speechThresholds() {
    return assembly.thresholds();
  }

  /** Whether the acoustic speech gate runs before the models. */
  public boolean speechGate() {
    return detector != null;
  }

  /**
   * Recognises mono samples at the bundle's sample rate (16 kHz), transcribing them with ASR.
   *
   * @return an {@link Outcome#EMOTION} or {@link Outcome#NO_SPEECH} result
   * @throws AudioException for samples the bundle cannot take (too short, too long, not finite)
   * @throws InferenceException if a model fails
   */
  public EmotionResult recognize(float[] samples) {
    return recognize(Utterance.of(samples));
  }

  /** Recognises with a caller-supplied transcript; ASR decoding is skipped. */
  public EmotionResult recognize(float[] samples, String transcript) {
    return recognize(Utterance.of(samples, transcript));
  }

  /** Reads the source at the bundle's sample rate and recognises it as one utterance. */
  public EmotionResult recognize(AudioSource source) {
    if (source == null) {
      throw new IllegalArgumentException("source must not be null");
    }
    return recognize(Utterance.of(source.readMono(bundle().sampleRate())));
  }

  /** Recognises one utterance; a failure is thrown as the item's typed exception. */
  public EmotionResult recognize(Utterance utterance) {
    if (utterance == null) {
      throw new IllegalArgumentException("utterance must not be null");
    }
    EmotionResult r = recognizeBatch(List.of(utterance)).get(0);
    if (r.isFailed()) {
      throw r.error();
    }
    return r;
  }

  /**
   * Recognises the utterances as one padded batch. Result {@code i} belongs to utterance {@code
   * i} and equals what a single call on that utterance gives (within float rounding); each has its
   * own outcome, and an item that fails ({@link Outcome#FAILED}, with its typed exception in
   * {@link EmotionResult#error()}) never fails the others.
   *
   * @throws IllegalArgumentException if the list or an item is null (a programming error)
   * @throws IllegalStateException after {@link #close()}
   */
  public List<EmotionResult> recognizeBatch(List<Utterance> utterances) {
    if (utterances == null) {
      throw new IllegalArgumentException("utterances must not be null");
    }
    for (int i = 0; i < utterances.size(); i++) {
      if (utterances.get(i) == null) {
        throw new IllegalArgumentException("utterance " + i + " of the batch is null");
      }
    }
    if (utterances.isEmpty()) {
      return List.of();
    }
    lifecycle.readLock().lock();
    try {
      if (closed) {
        throw new IllegalStateException("EmotionRecognizer is closed");
      }
      return run(List.copyOf(utterances));
    } finally {
      lifecycle.readLock().unlock();
    }
  }

  /**
   * The path of one call: each item is admitted (finite samples, the acoustic gate, the bundle's
   * length limits), the backend computes the evidence of the admitted items as one batch, and
   * every item's result is assembled once, in input order ({@link ItemAssembly}).
   */
  private List<EmotionResult> run(List<Utterance> batch) {
    long start = System.nanoTime();
    int n = batch.size();
    ItemAssembly.Item[] items = new ItemAssembly.Item[n];
    List<Integer> admitted = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      items[i] = admit(batch.get(i), i, n);
      if (items[i].error == null && (items[i].activity == null || items[i].activity.isSpeech())) {
        admitted.add(i);
      }
    }
    if (!admitted.isEmpty()) {
      List<ItemEvidence> evidence = runBackend(admitted.stream().map(batch::get).toList());
      for (int k = 0; k < admitted.size(); k++) {
        items[admitted.get(k)].evidence = evidence.get(k);
      }
    }
    Duration total = Duration.ofNanos(System.nanoTime() - start);
    List<EmotionResult> out = new ArrayList<>(n);
    for (ItemAssembly.Item item : items) {
      out.add(assembly.result(item, total));
    }
    return List.copyOf(out);
  }

  /** The checks in order: finite samples, then the gate, then (on speech) the bundle's limits. */
  private ItemAssembly.Item admit(Utterance u, int i, int n) {
    ItemAssembly.Item item = new ItemAssembly.Item();
    item.error = ItemAssembly.checkFinite(u.samples(), i, n).orElse(null);
    if (item.error != null) {
      return item;
    }
    if (detector != null) {
      long t = System.nanoTime();
      item.activity = detect(u.samples(), backend.bundle().sampleRate(), i, n);
      item.gateTime = Duration.ofNanos(System.nanoTime() - t);
      if (!item.activity.isSpeech()) {
        return item;
      }
    }
    item.error = assembly.checkLength(u, i, n).orElse(null);
    return item;
  }

  private SpeechActivity detect(float[] samples, int rate, int i, int n) {
    try {
      SpeechActivity a = detector.detect(samples, rate);
      if (a == null) {
        throw new MerException("speech detector " + detector.getClass().getName()
            + " returned null for " + ItemAssembly.which(i, n));
      }
      return a;
    } catch (MerException e) {
      throw e;
    } catch (RuntimeException e) {
      throw new MerException("speech detector " + detector.getClass().getName() + " failed on "
          + ItemAssembly.which(i, n) + ": " + e, e);
    }
  }

  /**
   * The backend on the admitted items. A failure of the whole batch (not of one item) is retried
   * item by item, so that only the item that causes it fails.
   */
  private List<ItemEvidence> runBackend(List<Utterance> sub) {
    try {
      List<ItemEvidence> r = backend.recognize(sub);
      if (r == null || r.size() != sub.size()) {
        throw new InferenceException("backend returned " + (r == null ? "null" : r.size() + " results")
            + " for a batch of " + sub.size());
      }
      return r;
    } catch (RuntimeException e) {
      if (sub.size() == 1) {
        return List.of(ItemEvidence.failed(asMer(e)));
      }
      LOG.debug("batch of {} failed ({}); retrying its items one by one", sub.size(), e.toString());
      List<ItemEvidence> one = new ArrayList<>(sub.size());
      for (Utterance u : sub) {
        one.add(runBackend(List.of(u)).get(0));
      }
      return one;
    }
  }

  private static MerException asMer(RuntimeException e) {
    if (e instanceof MerException m) {
      return m;
    }
    if (e instanceof IllegalStateException) {
      throw e; // closed or misused: not an item's fault
    }
    return new InferenceException("inference failed: " + e, e);
  }

  /** Runs {@link #recognize(Utterance)} on the recogniser's executor. */
  public CompletableFuture<EmotionResult> recognizeAsync(Utterance utterance) {
    if (utterance == null) {
      throw new IllegalArgumentException("utterance must not be null");
    }
    return async(() -> recognize(utterance));
  }

  /** Reads and recognises the source on the recogniser's executor. */
  public CompletableFuture<EmotionResult> recognizeAsync(AudioSource source) {
    if (source == null) {
      throw new IllegalArgumentException("source must not be null");
    }
    return async(() -> recognize(source));
  }

  /** Runs {@link #recognizeBatch(List)} on the recogniser's executor. */
  public CompletableFuture<List<EmotionResult>> recognizeBatchAsync(List<Utterance> utterances) {
    if (utterances == null) {
      throw new IllegalArgumentException("utterances must not be null");
    }
    return async(() -> recognizeBatch(utterances));
  }

  /** On the executor; after close (own executor shut down) the future fails with the same ISE. */
  private <T> CompletableFuture<T> async(java.util.function.Supplier<T> call) {
    try {
      return CompletableFuture.supplyAsync(call, executor);
    } catch (java.util.concurrent.RejectedExecutionException e) {
      return CompletableFuture.failedFuture(
          isClosed() ? new IllegalStateException("EmotionRecognizer is closed") : e);
    }
  }

  /**
   * Waits for calls in flight, then releases the model sessions and shuts down the recogniser's own
   * executor (a caller's executor is left alone). Idempotent.
   */
  @Override
  public void close() {
    lifecycle.writeLock().lock();
    try {
      if (closed) {
        return;
      }
      closed = true;
      try {
        backend.close();
      } finally {
        if (ownedExecutor != null) {
          ownedExecutor.shutdown();
        }
      }
      LOG.debug("closed recogniser for bundle {}", backend.bundle().bundleId());
    } finally {
      lifecycle.writeLock().unlock();
    }
  }

  /**
   * Whether {@link #close()} has begun (calls are then refused). Never blocks, even while close()
   * waits for calls in flight, so health checks can ask at any time.
   */
  public boolean isClosed() {
    return closed;
  }

  /** Fluent builder; {@link #build()} validates every setting once, naming the bad one. */
  public static final class Builder {
    private BundleLocation bundle;
    private Device device = Device.AUTO;
    private Integer threads; // null: threadsFor(available processors, concurrentCalls)
    private int concurrentCalls = 1;
    private boolean parallelEncoders;
    private Boolean prepackWeights; // null: the backend decides per graph (int8 graphs only)
    private final Set<Modality> required = EnumSet.noneOf(Modality.class);
    private Executor executor;
    private boolean fitAsrWindow;
    private boolean speechGate = true;
    private SpeechDetector detector;
    private SpeechGateSettings gateSettings = SpeechGateSettings.defaults();
    private OptionalDouble noSpeechThreshold = OptionalDouble.empty();
    private OptionalDouble logProbThreshold = OptionalDouble.empty();
    private OptionalDouble compressionRatioThreshold = OptionalDouble.empty();
    private InferenceBackend openBackend;

    private Builder() {}

    /** A bundle folder holding {@code bundle.json}. */
    public Builder bundle(Path folder) {
      if (folder == null) {
        throw new IllegalArgumentException("bundle folder must not be null");
      }
      this.bundle = new BundleLocation.Directory(folder);
      return this;
    }

    /**
     * A bundle folder on the class path, read through the thread's context class loader (or, when
     * there is none, this class's loader), e.g. {@code "io/mersdk/demo/bundle"}, the demo bundle of
     * {@code io.mersdk:mer-sdk-demo-bundle}.
     */
    public Builder bundleResource(String name) {
      return bundleResource(Thread.currentThread().getContextClassLoader() != null
          ? Thread.currentThread().getContextClassLoader()
          : EmotionRecognizer.class.getClassLoader(), name);
    }

    /** A bundle folder on the class path, read through {@code loader}. */
    public Builder bundleResource(ClassLoader loader, String name) {
      this.bundle = new BundleLocation.Resource(loader, name);
      return this;
    }

    /** Where to run: {@link Device#AUTO} (default), {@link Device#CPU} or {@link Device#cuda(int)}. */
    public Builder device(Device device) {
      this.device = Objects.requireNonNull(device, "device");
      return this;
    }

    /**
     * Intra-op threads per model session. Default: {@link #threadsFor(int, int, boolean)
     * threadsFor}(available processors, {@link #concurrentCalls(int) concurrentCalls}, {@link
     * #parallelEncoders(boolean) parallelEncoders}): every core for one caller whose encoders run in
     * turn (the default), half of them when they run at once.
     */
    public Builder threads(int threads) {
      this.threads = threads;
      return this;
    }

    /**
     * How many calls will run on this recogniser at once (a server's batch workers, the request
     * threads of a web application, the task slots of a Spark executor sharing it); default 1. It
     * sizes the default {@link #threads(int) threads} so that those calls together do not ask for
     * more threads than there are cores; an explicit {@code threads(n)} wins.
     */
    public Builder concurrentCalls(int calls) {
      this.concurrentCalls = calls;
      return this;
    }

    /**
     * The intra-op threads per session that keep {@code concurrentCalls} calls within {@code cores}
     * cores when the encoders of a call run in turn (the default): {@code max(1, cores /
     * concurrentCalls)}. Same as {@code threadsFor(cores, concurrentCalls, false)}.
     */
    public static int threadsFor(int cores, int concurrentCalls) {
      return threadsFor(cores, concurrentCalls, false);
    }

    /**
     * The intra-op threads per session that keep {@code concurrentCalls} calls within {@code cores}
     * cores: {@code max(1, cores / concurrentCalls)}, or {@code max(1, cores / (2 x
     * concurrentCalls))} with {@code parallelEncoders}, where a call runs WavLM on a second thread
     * while the Whisper chain runs, each in its own session with its own pool of that many threads
     * (docs/architecture.md, "Threads and concurrency").
     */
    public static int threadsFor(int cores, int concurrentCalls, boolean parallelEncoders) {
      if (cores < 1 || concurrentCalls < 1) {
        throw new IllegalArgumentException("threadsFor: cores and concurrentCalls must be >= 1, got "
            + cores + " and " + concurrentCalls);
      }
      return Math.max(1, cores / ((parallelEncoders ? 2 : 1) * concurrentCalls));
    }

    /**
     * Off by default: a call runs its speech encoder (WavLM) and its ASR chain (Whisper's encoder
     * and decoding, then the text encoder) one after the other, each with every thread of {@link
     * #threads(int)}, and ONNX Runtime gives each graph's unused activation memory back after its
     * run, so the peaks of the two do not add up. On: the two run at the same time on two threads
     * of the call (each session with its own pool, so up to 2 x {@code threads} native threads per
     * call and the default threads halve): lower latency on a GPU or where cores would otherwise
     * sit idle, higher peak memory. Measured in docs/benchmarks.md.
     */
    public Builder parallelEncoders(boolean parallel) {
      this.parallelEncoders = parallel;
      return this;
    }

    /**
     * Whether ONNX Runtime pre-packs every constant MatMul weight into its CPU GEMM layout when the
     * sessions open: faster products (decoding most), but for fp32 weights a second copy of much of
     * them is kept (about 430 MB more resident memory for the full-size bundle, whose weights are
     * 1.9 GB). Unset (the default): the int8 graphs of a bundle made by {@code mer_train quantize}
     * are pre-packed (a third less time per decoding step there, little memory), fp32 graphs are
     * not. No effect on what a GPU runs. Measured in docs/benchmarks.md.
     */
    public Builder prepackWeights(boolean prepack) {
      this.prepackWeights = prepack;
      return this;
    }

    /** Fails {@link #build()} unless the bundle uses every one of these modalities. */
    public Builder requireModalities(Modality... modalities) {
      for (Modality m : modalities) {
        required.add(Objects.requireNonNull(m, "modality"));
      }
      return this;
    }

    /**
     * Off by default. When on, Whisper's encoder runs over the batch's longest utterance rounded
     * up to whole seconds instead of the bundle's full window ({@link BundleInfo#asrWindow()}, 30 s
     * for Whisper): for a 5 s utterance about six times less encoder work. Whisper was trained on
     * full windows, so transcripts and context states then drift from the reference; the speed-up
     * and the drift are measured in docs/benchmarks.md. The log-mel features are the same.
     */
    public Builder fitAsrWindow(boolean fit) {
      this.fitAsrWindow = fit;
      return this;
    }

    /** Executor for the async calls; default: a daemon pool owned by the recogniser. */
    public Builder executor(Executor executor) {
      this.executor = Objects.requireNonNull(executor, "executor");
      return this;
    }

    /**
     * On by default: every utterance passes the acoustic speech gate before any model runs. Off:
     * only the bundle's Whisper evidence decides (and a bundle without it takes everything as
     * speech, {@link SpeechDecision.Basis#NOT_CHECKED}).
     */
    public Builder speechGate(boolean on) {
      this.speechGate = on;
      return this;
    }

    /** The acoustic gate's detector; default: the highest-priority {@link SpeechDetectorProvider}. */
    public Builder speechDetector(SpeechDetector detector) {
      this.detector = Objects.requireNonNull(detector, "detector");
      this.speechGate = true;
      return this;
    }

    /**
     * Settings of the default speech gate (threshold, minimum speech, minimum silence, padding);
     * default {@link SpeechGateSettings#defaults()}. Passed to the {@link SpeechDetectorProvider};
     * a detector set with {@link #speechDetector} keeps its own.
     */
    public Builder speechGateSettings(SpeechGateSettings settings) {
      this.gateSettings = Objects.requireNonNull(settings, "settings");
      return this;
    }

    /**
     * Overrides the bundle's {@code speech_decision.no_speech_threshold} (openai-whisper: 0.6); NaN:
     * the bundle's.
     */
    public Builder noSpeechThreshold(double threshold) {
      this.noSpeechThreshold = set(threshold);
      return this;
    }

    /** Overrides the bundle's {@code speech_decision.logprob_threshold} (openai-whisper: -1.0); NaN: the bundle's. */
    public Builder logProbThreshold(double threshold) {
      this.logProbThreshold = set(threshold);
      return this;
    }

    /** Overrides {@code speech_decision.compression_ratio_threshold} (openai-whisper: 2.4); NaN: the bundle's. */
    public Builder compressionRatioThreshold(double threshold) {
      this.compressionRatioThreshold = set(threshold);
      return this;
    }

    private static OptionalDouble set(double threshold) {
      return Double.isNaN(threshold) ? OptionalDouble.empty() : OptionalDouble.of(threshold);
    }

    /**
     * SPI: an already-open backend instead of the one a {@link InferenceBackendProvider} on the
     * class path would open (a backend built by hand, tests). The recogniser owns it from {@link
     * #build()} on and closes it in {@link EmotionRecognizer#close()}; the settings that say how a
     * backend opens ({@link #bundle}, {@link #device}, {@link #threads}, {@link #fitAsrWindow},
     * {@link #parallelEncoders}, {@link #prepackWeights}) are then not used.
     */
    public Builder backend(InferenceBackend backend) {
      this.openBackend = Objects.requireNonNull(backend, "backend");
      return this;
    }

    /**
     * Loads the bundle and opens the sessions.
     *
     * @throws IllegalArgumentException for a bad setting (named in the message)
     * @throws BundleException for a missing, corrupt or inconsistent bundle
     * @throws DeviceUnavailableException if an explicitly requested device cannot be used
     * @throws MerException if the gate is on and no speech detector is on the class path
     */
    public EmotionRecognizer build() {
      if (bundle == null && openBackend == null) {
        throw new IllegalArgumentException(
            "bundle: not set; call bundle(Path) or bundleResource(String)");
      }
      if (threads != null && threads < 1) {
        throw new IllegalArgumentException("threads: must be >= 1, got " + threads);
      }
      if (concurrentCalls < 1) {
        throw new IllegalArgumentException("concurrentCalls: must be >= 1, got " + concurrentCalls);
      }
      int sessionThreads = threads != null ? threads
          : threadsFor(Runtime.getRuntime().availableProcessors(), concurrentCalls, parallelEncoders);
      // Each override checked on its own, so the message names the setting.
      noSpeechThreshold.ifPresent(SpeechThresholds::checkNoSpeech);
      logProbThreshold.ifPresent(SpeechThresholds::checkLogProb);
      compressionRatioThreshold.ifPresent(SpeechThresholds::checkCompressionRatio);
      SpeechDetector gate = null;
      String gateName = "off";
      if (speechGate) {
        if (detector != null) {
          gate = detector;
          gateName = detector.getClass().getName();
        } else {
          SpeechDetectorProvider p = findDetector();
          gate = p.create(gateSettings);
          gateName = p.name() + " " + gateSettings;
        }
      }
      Opened opened = open(sessionThreads);
      InferenceBackend backend = opened.backend();
      String where = opened.where();
      SpeechThresholds thresholds;
      try {
        Set<Modality> missing = EnumSet.noneOf(Modality.class);
        missing.addAll(required);
        missing.removeAll(backend.bundle().modalities());
        if (!missing.isEmpty()) {
          throw new BundleException(
              "bundle " + where + ": variant.modalities is "
                  + backend.bundle().modalities() + " but " + missing + " was required");
        }
        thresholds = backend.bundle().speechThresholds()
            .with(noSpeechThreshold, logProbThreshold, compressionRatioThreshold);
      } catch (RuntimeException e) {
        backend.close();
        throw e;
      }
      LOG.info(
          "emotion recogniser ready: bundle {} ({}), labels {}, modalities {}, backend {}, device {}, threads {}, encoders {}, speech gate {}",
          backend.bundle().bundleId(), where, backend.bundle().labels(),
          backend.bundle().modalities(), opened.name(), backend.device(), sessionThreads,
          parallelEncoders ? "in parallel" : "in turn", gateName);
      return new EmotionRecognizer(backend, thresholds, gate, executor);
    }

    /** The backend, its name and where its bundle is, for the log line and messages. */
    private record Opened(InferenceBackend backend, String name, String where) {}

    /** The given backend, or the highest-priority provider's, opened on the bundle. */
    private Opened open(int sessionThreads) {
      if (openBackend != null) {
        return new Opened(openBackend, "given", openBackend.bundle().bundleId());
      }
      InferenceBackendProvider provider = findProvider();
      return new Opened(provider.open(BackendConfig.builder(bundle).device(device)
          .threads(sessionThreads).fitAsrWindow(fitAsrWindow).parallelEncoders(parallelEncoders)
          .prepackWeights(Optional.ofNullable(prepackWeights)).build()), provider.name(),
          bundle.describe());
    }

    private static SpeechDetectorProvider findDetector() {
      return highest(SpeechDetectorProvider.class, SpeechDetectorProvider::priority)
          .orElseThrow(() -> new MerException("no speech detector on the class path for the "
              + "acoustic speech gate: add the io.mersdk:mer-sdk-vad dependency, set one with "
              + "speechDetector(...), or turn the gate off with speechGate(false)"));
    }

    private static InferenceBackendProvider findProvider() {
      return highest(InferenceBackendProvider.class, InferenceBackendProvider::priority)
          .orElseThrow(
              () -> new MerException(
                  "no inference backend on the class path: add the io.mersdk:mer-sdk-onnx dependency"));
    }

    private static <T> Optional<T> highest(Class<T> type, java.util.function.ToIntFunction<T> priority) {
      List<T> found = new ArrayList<>();
      ServiceLoader.load(type).forEach(found::add);
      if (found.isEmpty()) {
        ServiceLoader.load(type, EmotionRecognizer.class.getClassLoader()).forEach(found::add);
      }
      return found.stream().max(Comparator.comparingInt(priority));
    }
  }
}

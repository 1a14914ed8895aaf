package io.mersdk;

import io.mersdk.source.AudioSource;
import io.mersdk.spi.BackendConfig;
import io.mersdk.spi.BundleLocation;
import io.mersdk.spi.InferenceBackend;
import io.mersdk.spi.InferenceBackendProvider;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
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
 *   System.out.println(r.label() + " " + r.probabilities() + " " + r.transcript());
 * }
 * }</pre>
 *
 * <p><b>Thread safety.</b> An {@code EmotionRecognizer} is thread-safe: build one and share it.
 * Concurrent calls run concurrently on the same model sessions. {@link #close()} waits for calls
 * in flight, then releases the native sessions; a call after {@code close()} throws {@link
 * IllegalStateException}; closing twice is harmless.
 */
public final class EmotionRecognizer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(EmotionRecognizer.class);

  private final InferenceBackend backend;
  private final ExecutorService ownedExecutor;
  private final Executor executor;
  private final ReadWriteLock lifecycle = new ReentrantReadWriteLock();
  private boolean closed;

  private EmotionRecognizer(InferenceBackend backend, Executor executor) {
    this.backend = backend;
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

  /** What the loaded bundle is: labels, modalities, variant, sample rate. */
  public BundleInfo bundle() {
    return backend.bundle();
  }

  /** The labels in the order of {@link EmotionResult#probabilities()}. */
  public List<String> labels() {
    return backend.bundle().labels();
  }

  /** The device that actually runs the models ({@code cpu}, {@code cuda:0}, ...). */
  public String device() {
    return backend.device();
  }

  /** Recognises mono samples at the bundle's sample rate (16 kHz), transcribing them with ASR. */
  public EmotionResult recognize(float[] samples) {
    return recognize(Utterance.of(samples));
  }

  /** Recognises with a caller-supplied transcript; ASR decoding is skipped. */
  public EmotionResult recognize(float[] samples, String transcript) {
    return recognize(Utterance.of(samples, transcript));
  }

  /** Reads the source at the bundle's sample rate and recognises it as one utterance. */
  public EmotionResult recognize(AudioSource source) {
    Objects.requireNonNull(source, "source");
    return recognize(Utterance.of(source.readMono(bundle().sampleRate())));
  }

  public EmotionResult recognize(Utterance utterance) {
    return recognizeBatch(List.of(utterance)).get(0);
  }

  /**
   * Recognises the utterances as one padded batch. Each result equals what a single call on that
   * utterance gives (within float rounding); result {@code i} belongs to utterance {@code i}.
   */
  public List<EmotionResult> recognizeBatch(List<Utterance> utterances) {
    Objects.requireNonNull(utterances, "utterances");
    if (utterances.isEmpty()) {
      return List.of();
    }
    for (int i = 0; i < utterances.size(); i++) {
      if (utterances.get(i) == null) {
        throw new IllegalArgumentException("utterance " + i + " of the batch is null");
      }
    }
    lifecycle.readLock().lock();
    try {
      if (closed) {
        throw new IllegalStateException("EmotionRecognizer is closed");
      }
      return backend.recognize(List.copyOf(utterances));
    } finally {
      lifecycle.readLock().unlock();
    }
  }

  /** Runs {@link #recognize(Utterance)} on the recogniser's executor. */
  public CompletableFuture<EmotionResult> recognizeAsync(Utterance utterance) {
    Objects.requireNonNull(utterance, "utterance");
    return CompletableFuture.supplyAsync(() -> recognize(utterance), executor);
  }

  /** Reads and recognises the source on the recogniser's executor. */
  public CompletableFuture<EmotionResult> recognizeAsync(AudioSource source) {
    Objects.requireNonNull(source, "source");
    return CompletableFuture.supplyAsync(() -> recognize(source), executor);
  }

  /** Runs {@link #recognizeBatch(List)} on the recogniser's executor. */
  public CompletableFuture<List<EmotionResult>> recognizeBatchAsync(List<Utterance> utterances) {
    Objects.requireNonNull(utterances, "utterances");
    return CompletableFuture.supplyAsync(() -> recognizeBatch(utterances), executor);
  }

  /** Waits for calls in flight, then releases the model sessions. Idempotent. */
  @Override
  public void close() {
    lifecycle.writeLock().lock();
    try {
      if (closed) {
        return;
      }
      closed = true;
      backend.close();
      if (ownedExecutor != null) {
        ownedExecutor.shutdown();
      }
      LOG.debug("closed recogniser for bundle {}", backend.bundle().bundleId());
    } finally {
      lifecycle.writeLock().unlock();
    }
  }

  /** Fluent builder; {@link #build()} validates every setting once, naming the bad one. */
  public static final class Builder {
    private BundleLocation bundle;
    private Device device = Device.AUTO;
    private int threads = Runtime.getRuntime().availableProcessors();
    private final Set<Modality> required = EnumSet.noneOf(Modality.class);
    private Executor executor;
    private boolean fitAsrWindow;

    private Builder() {}

    /** A bundle folder holding {@code bundle.json}. */
    public Builder bundle(Path folder) {
      this.bundle = new BundleLocation.Directory(Objects.requireNonNull(folder, "bundle folder"));
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

    /** Intra-op threads per model session; default: available processors. */
    public Builder threads(int threads) {
      this.threads = threads;
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
     * Loads the bundle and opens the sessions.
     *
     * @throws IllegalArgumentException for a bad setting (named in the message)
     * @throws BundleException for a missing, corrupt or inconsistent bundle
     * @throws DeviceUnavailableException if an explicitly requested device cannot be used
     */
    public EmotionRecognizer build() {
      if (bundle == null) {
        throw new IllegalArgumentException(
            "bundle: not set; call bundle(Path) or bundleResource(String)");
      }
      if (threads < 1) {
        throw new IllegalArgumentException("threads: must be >= 1, got " + threads);
      }
      if (bundle instanceof BundleLocation.Directory d) {
        if (!Files.isDirectory(d.path())) {
          throw new BundleException("bundle: folder " + d.path() + " does not exist or is not a folder");
        }
      }
      InferenceBackendProvider provider = findProvider();
      BackendConfig config = new BackendConfig(bundle, device, threads, required, fitAsrWindow);
      InferenceBackend backend = provider.open(config);
      try {
        Set<Modality> missing = EnumSet.noneOf(Modality.class);
        missing.addAll(required);
        missing.removeAll(backend.bundle().modalities());
        if (!missing.isEmpty()) {
          throw new BundleException(
              "bundle " + bundle.describe() + ": variant.modalities is "
                  + backend.bundle().modalities() + " but " + missing + " was required");
        }
      } catch (RuntimeException e) {
        backend.close();
        throw e;
      }
      LOG.info(
          "emotion recogniser ready: bundle {} ({}), labels {}, modalities {}, backend {}, device {}, threads {}",
          backend.bundle().bundleId(), bundle.describe(), backend.bundle().labels(),
          backend.bundle().modalities(), provider.name(), backend.device(), threads);
      return new EmotionRecognizer(backend, executor);
    }

    private static InferenceBackendProvider findProvider() {
      List<InferenceBackendProvider> found = new ArrayList<>();
      ServiceLoader.load(InferenceBackendProvider.class).forEach(found::add);
      if (found.isEmpty()) {
        ServiceLoader.load(InferenceBackendProvider.class, EmotionRecognizer.class.getClassLoader())
            .forEach(found::add);
      }
      return found.stream()
          .max(Comparator.comparingInt(InferenceBackendProvider::priority))
          .orElseThrow(
              () -> new MerException(
                  "no inference backend on the class path: add the io.mersdk:mer-sdk-onnx dependency"));
    }
  }
}

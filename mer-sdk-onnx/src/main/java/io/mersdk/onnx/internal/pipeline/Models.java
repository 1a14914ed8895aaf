package io.mersdk.onnx.internal.pipeline;

import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.OnnxTensor;
import io.mersdk.BundleException;
import io.mersdk.Device;
import io.mersdk.DeviceUnavailableException;
import io.mersdk.onnx.internal.bundle.GraphSpec;
import io.mersdk.onnx.internal.bundle.VariantPlan;
import io.mersdk.onnx.internal.bundle.LoadedBundle;
import io.mersdk.onnx.internal.bundle.Manifest;
import io.mersdk.onnx.internal.features.LogMel;
import io.mersdk.onnx.internal.fusion.FusionHead;
import io.mersdk.onnx.internal.runtime.Graph;
import io.mersdk.onnx.internal.runtime.Scope;
import io.mersdk.onnx.internal.runtime.SessionFactory;
import io.mersdk.onnx.internal.runtime.TensorSpec;
import io.mersdk.onnx.internal.text.AsrDetokenizer;
import io.mersdk.onnx.internal.text.TextEncoder;
import io.mersdk.onnx.internal.text.TextTokenizer;
import io.mersdk.onnx.internal.wavlm.SpeechEncoder;
import io.mersdk.onnx.internal.whisper.GreedyDecoder;
import io.mersdk.onnx.internal.whisper.WhisperEncoder;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Every model stage of a bundle, opened on one device: the sessions and tokenizers live as long as
 * the backend. Which graphs a bundle has is decided once, by its {@link VariantPlan}; a stage the
 * plan does not have is {@code null} here and never called by {@link OnnxBackend}, which asks the
 * same plan.
 */
final class Models implements Stages, AutoCloseable {
  final SessionFactory factory;
  final LogMel logMel;
  final WhisperEncoder whisperEncoder;
  final GreedyDecoder decoder;
  final AsrDetokenizer detokenizer;
  final SpeechEncoder speechEncoder;
  final TextTokenizer textTokenizer;
  final TextEncoder textEncoder;
  final FusionHead head;
  private final Deque<AutoCloseable> owned;
  /** Wall-clock nanoseconds opening the sessions (all graphs, with their checks) and the tokenizers took. */
  long sessionNanos;
  long tokenizerNanos;

  private Models(SessionFactory factory, Map<GraphSpec, Graph> graphs, LoadedBundle bundle,
      Deque<AutoCloseable> owned) {
    Manifest m = bundle.manifest();
    VariantPlan plan = m.plan();
    List<String> crossKv = m.whisper().isPresent()
        ? WhisperEncoder.crossKvNames(m.whisper().get().decoderLayers(), crossKvPerLayer(graphs)) : List.of();
    this.factory = factory;
    this.owned = owned;
    logMel = plan.has(GraphSpec.FEATURES)
        ? new LogMel(graphs.get(GraphSpec.FEATURES), m.audio()) : null;
    whisperEncoder = plan.has(GraphSpec.WHISPER_ENCODER)
        ? new WhisperEncoder(graphs.get(GraphSpec.WHISPER_ENCODER), !factory.isCuda(), crossKv) : null;
    if (plan.has(GraphSpec.WHISPER_DECODER)) {
      decoder = new GreedyDecoder(graphs.get(GraphSpec.WHISPER_DECODER), m.whisper().orElseThrow(),
          m.decoderLogitsPerPosition());
      detokenizer = own(new AsrDetokenizer(bundle.tokenizer("asr"), bundle.description()));
    } else {
      decoder = null;
      detokenizer = null;
    }
    speechEncoder = plan.has(GraphSpec.WAVLM)
        ? new SpeechEncoder(graphs.get(GraphSpec.WAVLM)) : null;
    if (plan.has(GraphSpec.ROBERTA)) {
      Manifest.Text t = m.text().orElseThrow();
      textTokenizer = own(new TextTokenizer(bundle.tokenizer("text"), t.maxTokens(), bundle.description()));
      textEncoder = new TextEncoder(graphs.get(GraphSpec.ROBERTA), t.padTokenId());
    } else {
      textTokenizer = null;
      textEncoder = null;
    }
    head = new FusionHead(graphs.get(GraphSpec.HEAD), m.labels().size());
  }

  @Override
  public OnnxTensor features(float[][] waves, int paddedLength, Scope scope) {
    return logMel.compute(waves, paddedLength, scope);
  }

  @Override
  public WhisperEncoder.Output asrEncode(OnnxTensor logMel, Scope scope) {
    return whisperEncoder.encode(logMel, scope);
  }

  @Override
  public GreedyDecoder.Hypothesis[] asrDecode(WhisperEncoder.Output encoded, boolean[] skip) {
    return decoder.decode(encoded.crossKv(), skip);
  }

  @Override
  public String detokenize(long[] tokens) {
    return detokenizer.decode(tokens);
  }

  @Override
  public SpeechEncoder.Output speech(float[][] waves, Scope scope) {
    return speechEncoder.encode(waves, scope);
  }

  @Override
  public TextOutput text(String[] transcripts, Scope scope) {
    long[][] ids = new long[transcripts.length][];
    for (int i = 0; i < ids.length; i++) {
      ids[i] = textTokenizer.encode(transcripts[i]);
    }
    TextEncoder.Batch batch = textEncoder.batch(ids, scope);
    return new TextOutput(ids, textEncoder.encode(batch, scope), batch.attentionMask());
  }

  @Override
  public FusionHead.Scores head(HeadInputs inputs, int batch) {
    return head.classify(inputs.tensors(), batch);
  }

  private <T extends AutoCloseable> T own(T t) {
    owned.push(t);
    return t;
  }

  /**
   * Opens and checks every graph the variant needs on {@code factory}'s device, then the
   * tokenizers. On failure everything opened so far is closed (the factory is the caller's).
   * Sessions are created in parallel, up to one per core: creating one (parsing the graph,
   * optimizing it, pre-packing its weights) runs on one thread, and it is most of a cold start.
   *
   * @throws BundleException if a graph cannot be loaded on the CPU or breaks the bundle contract
   * @throws DeviceUnavailableException if a graph cannot be loaded on CUDA
   */
  static Models open(LoadedBundle bundle, SessionFactory factory) {
    Deque<AutoCloseable> owned = new ArrayDeque<>();
    try {
      long t0 = System.nanoTime();
      Map<GraphSpec, Graph> graphs = openGraphs(bundle, factory, owned);
      boolean perLayer = crossKvPerLayer(graphs);
      for (Map.Entry<GraphSpec, Graph> g : graphs.entrySet()) {
        checkContract(bundle, g.getKey(), g.getValue(), perLayer);
      }
      long t1 = System.nanoTime();
      Models models = new Models(factory, graphs, bundle, owned);
      models.sessionNanos = t1 - t0;
      models.tokenizerNanos = System.nanoTime() - t1;
      return models;
    } catch (RuntimeException e) {
      closeAll(owned);
      throw e;
    }
  }

  private static Map<GraphSpec, Graph> openGraphs(LoadedBundle bundle, SessionFactory factory,
      Deque<AutoCloseable> owned) {
    List<GraphSpec> specs = bundle.manifest().plan().graphs();
    int threads = Math.max(1, Math.min(specs.size(), Runtime.getRuntime().availableProcessors()));
    ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
      Thread t = new Thread(r, "mer-sdk-session-open");
      t.setDaemon(true);
      return t;
    });
    Map<GraphSpec, Future<Graph>> jobs = new EnumMap<>(GraphSpec.class);
    try {
      for (GraphSpec spec : specs) {
        jobs.put(spec, pool.submit(() -> openGraph(bundle, factory, spec)));
      }
      Map<GraphSpec, Graph> graphs = new EnumMap<>(GraphSpec.class);
      RuntimeException failure = null;
      // every job is awaited, so that each session opened is owned (and closed on failure)
      for (GraphSpec spec : specs) {
        try {
          Graph graph = awaitUninterruptibly(jobs.get(spec));
          owned.push(graph);
          graphs.put(spec, graph);
        } catch (ExecutionException e) {
          if (failure == null) {
            failure = e.getCause() instanceof RuntimeException re ? re
                : new IllegalStateException("opening " + spec.key() + ": " + e.getCause(), e.getCause());
          }
        }
      }
      if (failure != null) {
        throw failure;
      }
      return graphs;
    } finally {
      pool.shutdown();
    }
  }

  private static Graph awaitUninterruptibly(Future<Graph> job) throws ExecutionException {
    boolean interrupted = false;
    try {
      while (true) {
        try {
          return job.get();
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private static Graph openGraph(LoadedBundle bundle, SessionFactory factory, GraphSpec spec) {
    String file = bundle.manifest().graphs().get(spec.key());
    try {
      OrtSession.RunOptions run = spec == GraphSpec.WHISPER_DECODER ? null
          : factory.shrinkingRun().orElse(null);
      return new Graph(file, factory.open(bundle.graph(spec)), run);
    } catch (OrtException e) {
      if (factory.isCuda()) {
        throw new DeviceUnavailableException("device " + factory.device() + ": ONNX Runtime "
            + "could not create a CUDA session for " + file + " of bundle " + bundle.description()
            + ": " + e.getMessage(), e);
      }
      throw new BundleException("bundle " + bundle.description() + ": graph " + file
          + " (graphs." + spec.key() + ") could not be loaded by ONNX Runtime: " + e.getMessage(), e);
    }
  }

  private static void checkContract(LoadedBundle bundle, GraphSpec spec, Graph graph, boolean perLayer) {
    graph.check(bundle.description(), contract(spec, bundle.manifest(), perLayer));
  }

  /**
   * The graph's contract, as the stage that feeds it declares it: a manifest and graphs that do
   * not belong together fail at load time, naming the field, instead of deep inside a call.
   */
  static List<TensorSpec> contract(GraphSpec spec, Manifest m, boolean crossKvPerLayer) {
    return switch (spec) {
      case FEATURES -> LogMel.contract(m);
      case WHISPER_ENCODER -> WhisperEncoder.contract(m, crossKvPerLayer);
      case WHISPER_DECODER -> GreedyDecoder.contract(m, crossKvPerLayer);
      case WAVLM -> SpeechEncoder.contract(m);
      case ROBERTA -> TextEncoder.contract(m);
      case HEAD -> FusionHead.contract(m);
    };
  }

  /**
   * Whether the decoder takes the cross-attention K/V per layer ({@code cross_k_0} ..., from {@code
   * mer_train fuse}/{@code quantize}); the encoder must then return them so, which the contract
   * check of both graphs enforces.
   */
  static boolean crossKvPerLayer(Map<GraphSpec, Graph> graphs) {
    Graph decoder = graphs.get(GraphSpec.WHISPER_DECODER);
    return decoder != null && decoder.inputNames().contains(WhisperEncoder.crossKvNames(1, true).get(0));
  }

  Device device() {
    return factory.device();
  }

  @Override
  public void close() {
    closeAll(owned);
  }

  private static void closeAll(Deque<AutoCloseable> owned) {
    while (!owned.isEmpty()) {
      try {
        owned.pop().close();
      } catch (Exception e) {
        org.slf4j.LoggerFactory.getLogger(Models.class).warn("closing a model stage failed: {}", e.toString());
      }
    }
  }
}

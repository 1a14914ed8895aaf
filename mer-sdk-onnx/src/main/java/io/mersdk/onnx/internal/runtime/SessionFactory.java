package io.mersdk.onnx.internal.runtime;

import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtProvider;
import ai.onnxruntime.OrtSession;
import io.mersdk.Device;
import io.mersdk.DeviceUnavailableException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Session options for one device, shared by every graph of a backend. CPU and CUDA differ only in
 * the execution provider added here; a CUDA factory fails fast with {@link
 * DeviceUnavailableException} when the runtime on the class path or the machine cannot do CUDA.
 */
public final class SessionFactory implements AutoCloseable {
  /** How to get CUDA, said in every message about a missing CUDA provider. */
  public static final String HOW_TO_GET_CUDA =
      "use the GPU build of ONNX Runtime: depend on com.microsoft.onnxruntime:onnxruntime_gpu "
          + "(same version) instead of com.microsoft.onnxruntime:onnxruntime (exclude it from "
          + "io.mersdk:mer-sdk-onnx), or build mer-sdk with -Pcuda; it needs the NVIDIA driver, "
          + "CUDA 12 and cuDNN 9; or ask for Device.CPU / Device.AUTO";

  /** The metadata key {@code mer_train quantize} writes into every graph it quantizes. */
  public static final String WEIGHTS_PROP = "mer.weights";

  private final OrtSession.SessionOptions options;
  private final Device device;
  /** CPU only: run options that give a graph's unused arena memory back after each run. */
  private final OrtSession.RunOptions shrinking;
  /** CPU only: {@link #options} without weight pre-packing; null where it is not used. */
  private final OrtSession.SessionOptions unpacked;
  /** CPU only: the caller's choice; empty: pre-pack the int8 graphs and the few-row fp32 ones. */
  private final Optional<Boolean> prepack;

  private SessionFactory(OrtSession.SessionOptions options, Device device, OrtSession.RunOptions shrinking,
      OrtSession.SessionOptions unpacked, Optional<Boolean> prepack) {
    this.options = options;
    this.device = device;
    this.shrinking = shrinking;
    this.unpacked = unpacked;
    this.prepack = prepack;
  }

  /** The device sessions of this factory run on: {@link Device#CPU} or {@code Device.cuda(n)}. */
  public Device device() {
    return device;
  }

  public boolean isCuda() {
    return device.kind() == Device.Kind.CUDA;
  }

  /**
   * CPU sessions; the int8 graphs and the fp32 graphs whose products have few rows pre-packed, the
   * other fp32 graphs not (the builder's default).
   */
  public static SessionFactory cpu(int threads) {
    return cpu(threads, Optional.empty());
  }

  /**
   * CPU sessions.
   *
   * @param prepack whether ONNX Runtime pre-packs constant MatMul weights into MLAS's GEMM layout
   *     at load. Empty: per graph ({@link #open(Path, boolean)}). Without pre-packing MLAS copies
   *     each weight matrix into that layout at every product, which is most of the work when the
   *     product has few rows: one per decoding step, a transcript's tokens in the text encoder.
   *     Measured on the full-size bundle, 2 threads (docs/benchmarks.md, "Settings per graph"):
   *     pre-packing made a decoding step 18% faster and RoBERTa 33% faster on an AMD EPYC, 8% and
   *     23% on an Intel Xeon, for about 110 and 80 MB of resident memory; the encoders (1500 or
   *     hundreds of rows, where the copy is amortised) gained 0-6% there (8% for the Whisper
   *     encoder on the Xeon) for about 270 MB, and stay unpacked.
   *     int8 graphs ({@value #WEIGHTS_PROP} = int8 in their ONNX metadata, {@code mer_train
   *     quantize}) are always pre-packed: little memory, a third less time per decoding step
   */
  public static SessionFactory cpu(int threads, Optional<Boolean> prepack) {
    OrtSession.SessionOptions options = base(threads);
    OrtSession.SessionOptions unpacked = null;
    OrtSession.RunOptions shrinking = null;
    try {
      if (!prepack.orElse(false)) { // unset or false: some graph may open without packing
        unpacked = base(threads);
        unpacked.addConfigEntry("session.disable_prepacking", "1");
      }
      // ONNX Runtime's BFC arena keeps every region it ever grew to; with one arena per session the
      // peaks of all graphs add up. Shrinking frees the regions left unused at the end of a run, so
      // the Whisper encoder's 30 s window and WavLM's front end over a long utterance are held only
      // while they run (docs/benchmarks.md, "Cold start and memory").
      shrinking = new OrtSession.RunOptions();
      shrinking.addRunConfigEntry("memory.enable_memory_arena_shrinkage", "cpu:0");
    } catch (OrtException e) {
      options.close();
      if (unpacked != null) {
        unpacked.close();
      }
      if (shrinking != null) {
        shrinking.close();
      }
      throw new IllegalStateException("cannot configure ONNX Runtime session options: " + e.getMessage(), e);
    }
    return new SessionFactory(options, Device.CPU, shrinking, unpacked, prepack);
  }

  /**
   * @throws DeviceUnavailableException if the runtime has no CUDA provider, no NVIDIA driver is
   *     installed, or the driver has no device {@code index}
   */
  public static SessionFactory cuda(int index, int threads) {
    Device device = Device.cuda(index);
    boolean runtimeHasCuda = runtimeHasCuda();
    if (runtimeHasCuda) {
      // What the machine lacks is asked first, so that the message names it: the GPU runtime's own
      // error for a missing driver is a shared-library or native-logger failure, not the cause.
      String noDriver = NvidiaDriver.absenceReason().orElse(null);
      if (noDriver != null) {
        throw new DeviceUnavailableException("device " + device + ": " + noDriver
            + "; install the NVIDIA driver or ask for Device.CPU / Device.AUTO");
      }
      OptionalInt count = NvidiaDriver.deviceCount();
      if (count.isPresent() && index >= count.getAsInt()) {
        throw new DeviceUnavailableException("device " + device + ": the NVIDIA driver reports "
            + count.getAsInt() + " CUDA device(s), so the highest index is " + (count.getAsInt() - 1));
      }
    }
    OrtSession.SessionOptions options = base(threads);
    try {
      options.addCUDA(index);
    } catch (OrtException e) {
      options.close();
      throw new DeviceUnavailableException("device " + device + ": "
          + (runtimeHasCuda ? "ONNX Runtime could not enable CUDA"
              : "the ONNX Runtime on the class path has no CUDA execution provider")
          + " (" + firstLine(e.getMessage()) + "); " + HOW_TO_GET_CUDA, e);
    }
    return new SessionFactory(options, device, null, null, Optional.empty());
  }

  /** Native messages carry a source path and several lines; the first says what failed. */
  private static String firstLine(String message) {
    String m = message == null ? "" : message.strip();
    int nl = m.indexOf('\n');
    return nl < 0 ? m : m.substring(0, nl).strip();
  }

  private static boolean runtimeHasCuda() {
    // The environment first: it registers the native default logger, without which the GPU
    // runtime's addCUDA fails with "Attempt to use DefaultLogger but none has been registered".
    Ort.env();
    return ai.onnxruntime.OrtEnvironment.getAvailableProviders().contains(OrtProvider.CUDA);
  }

  private static OrtSession.SessionOptions base(int threads) {
    OrtSession.SessionOptions options = new OrtSession.SessionOptions();
    try {
      options.setIntraOpNumThreads(threads);
      // Graphs are sequential chains; inter-op parallelism would only add threads.
      options.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
      options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
      // WavLM runs concurrently with the Whisper chain, so two sessions' intra-op pools share the
      // cores; spinning workers then burn the time the other pool needs. Measured on the full-size
      // bundle, 2 cores, 5 s utterance: 5.0-5.3 s end to end with spinning, 4.0-4.4 s without
      // (docs/benchmarks.md).
      options.addConfigEntry("session.intra_op.allow_spinning", "0");
      // Memory patterns pre-plan one block per input shape and keep it: with the 30 s window and
      // varying batch/utterance lengths that held ~400 MB more peak RSS for no measured gain.
      options.setMemoryPatternOptimization(false);
      return options;
    } catch (OrtException e) {
      options.close();
      throw new IllegalStateException("cannot configure ONNX Runtime session options: " + e.getMessage(), e);
    }
  }

  /** Opens a session on this factory's device; the caller maps the failure to bundle/device. */
  public OrtSession open(Path graph) throws OrtException {
    return open(graph, false);
  }

  /**
   * Opens a session on this factory's device; the caller maps the failure to bundle/device.
   *
   * @param fewRows whether the graph's matrix products have few rows (the Whisper decoder: one per
   *     step; the text encoder: a transcript's tokens): pre-packed by default
   */
  public OrtSession open(Path graph, boolean fewRows) throws OrtException {
    return Ort.env().createSession(graph.toString(), prepacks(graph, fewRows) ? options : unpacked);
  }

  /** Whether {@code graph} opens with weight pre-packing (always on CUDA: nothing to decide). */
  boolean prepacks(Path graph) {
    return prepacks(graph, false);
  }

  boolean prepacks(Path graph, boolean fewRows) {
    if (unpacked == null) {
      return true;
    }
    return prepack.orElseGet(() -> fewRows || "int8".equals(ModelProps.read(graph).get(WEIGHTS_PROP)));
  }

  /**
   * The run options of a graph that runs once per call (not the decoder, which runs once per
   * token: shrinking after every step would give back and fault in the same memory each time);
   * empty on CUDA, whose arena is left as it is.
   */
  public Optional<OrtSession.RunOptions> shrinkingRun() {
    return Optional.ofNullable(shrinking);
  }

  @Override
  public void close() {
    options.close();
    if (unpacked != null) {
      unpacked.close();
    }
    if (shrinking != null) {
      shrinking.close();
    }
  }
}

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
  /** CPU only: the caller's choice; empty: pre-pack the int8 graphs only. */
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

  /** CPU sessions; the int8 graphs pre-packed, the fp32 ones not (the builder's default). */
  public static SessionFactory cpu(int threads) {
    return cpu(threads, Optional.empty());
  }

  /**
   * CPU sessions.
   *
   * @param prepack whether ONNX Runtime pre-packs constant MatMul weights into MLAS's GEMM layout
   *     at load: faster products (decoding steps most, where every product has one row), but for
   *     fp32 weights the packed copy is kept beside much of the original (about 430 MB for the
   *     full-size bundle's 1.9 GB; docs/benchmarks.md). Empty: only the graphs whose ONNX metadata
   *     says {@value #WEIGHTS_PROP} = int8 ({@code mer_train quantize}), where packing costs little
   *     memory and saves a third of a decoding step
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
    return Ort.env().createSession(graph.toString(), prepacks(graph) ? options : unpacked);
  }

  /** Whether {@code graph} opens with weight pre-packing (always on CUDA: nothing to decide). */
  boolean prepacks(Path graph) {
    if (unpacked == null) {
      return true;
    }
    return prepack.orElseGet(() -> "int8".equals(ModelProps.read(graph).get(WEIGHTS_PROP)));
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

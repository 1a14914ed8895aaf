package io.mersdk.spark;

import io.mersdk.BundleException;
import io.mersdk.Device;
import io.mersdk.EmotionRecognizer;
import java.io.File;
import java.io.Serializable;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.SparkFiles;
import org.apache.spark.TaskContext;
import org.apache.spark.resource.ResourceInformation;

/**
 * The scorer's settings as they travel to the executors (a few strings and numbers, never model
 * bytes), and what each executor makes of them: the bundle it resolves, the device and thread count
 * of its task slot, the recogniser it builds.
 */
final class ScorerConfig implements Serializable {
  private static final long serialVersionUID = 1L;

  static final String CLASSPATH = "classpath:";
  static final String SPARKFILES = "sparkfiles:";

  /** How the input column holds audio. */
  enum InputKind {
    /** Encoded file bytes ({@code binaryFile}'s {@code content}). */
    BYTES,
    /** Decoded mono samples, {@code array<float>} or {@code array<double>}, with a rate column. */
    SAMPLES
  }

  final String bundle;
  final String device;
  final int threads;
  final int batchSize;
  final boolean timeline;
  final boolean speechGate;
  final double speechThreshold;
  final InputKind kind;
  final int inputIndex;
  /** -1 for byte input. */
  final int rateIndex;
  /** -1 when the input has no path column. */
  final int pathIndex;

  /** Channels as parties (docs/calls.md): one row per segment per party. */
  final boolean splitChannels;
  /** The parties' names, or null for CallTimeline's defaults. */
  final java.util.List<String> parties;

  ScorerConfig(String bundle, String device, int threads, int batchSize, boolean timeline,
      boolean speechGate, double speechThreshold, InputKind kind, int inputIndex, int rateIndex,
      int pathIndex, boolean splitChannels, java.util.List<String> parties) {
    this.speechThreshold = speechThreshold;
    this.splitChannels = splitChannels;
    this.parties = parties == null ? null : java.util.List.copyOf(parties);
    this.bundle = bundle;
    this.device = device;
    this.threads = threads;
    this.batchSize = batchSize;
    this.timeline = timeline;
    this.speechGate = speechGate;
    this.kind = kind;
    this.inputIndex = inputIndex;
    this.rateIndex = rateIndex;
    this.pathIndex = pathIndex;
  }

  /** The registry key of the current task slot. */
  RecognizerRegistry.Key key(TaskContext task) {
    return new RecognizerRegistry.Key(resolveBundle(bundle),
        device(device, task == null ? null : task.resourcesJMap()), threads(threads, task), speechGate,
        speechThreshold);
  }

  /** Builds the recogniser for a key (on the executor, once per JVM per key). */
  static EmotionRecognizer build(RecognizerRegistry.Key key) {
    EmotionRecognizer.Builder b = EmotionRecognizer.builder()
        .device(key.device()).threads(key.threads()).speechGate(key.speechGate())
        .speechGateSettings(io.mersdk.SpeechGateSettings.defaults().toBuilder()
            .threshold(key.speechThreshold()).build());
    if (key.bundle().startsWith(CLASSPATH)) {
      ClassLoader loader = Thread.currentThread().getContextClassLoader();
      b.bundleResource(loader != null ? loader : ScorerConfig.class.getClassLoader(),
          key.bundle().substring(CLASSPATH.length()));
    } else {
      b.bundle(Path.of(key.bundle()));
    }
    return b.build();
  }

  /**
   * {@code classpath:NAME} stays as it is; {@code sparkfiles:NAME} is the file Spark shipped with
   * {@code --files} ({@link SparkFiles#get}) or, for {@code --archives}, the folder unpacked under
   * that name in the working directory; anything else is a local path or {@code file:} URI that must
   * exist on every executor.
   */
  static String resolveBundle(String bundle) {
    if (bundle.startsWith(CLASSPATH)) {
      return bundle;
    }
    Path p;
    if (bundle.startsWith(SPARKFILES)) {
      String name = bundle.substring(SPARKFILES.length());
      Path shipped = Path.of(SparkFiles.get(name));
      p = Files.exists(shipped) ? shipped : Path.of(name);
      if (!Files.exists(p)) {
        throw new BundleException("bundle " + bundle + ": not found as " + shipped
            + " (SparkFiles) nor as " + p.toAbsolutePath() + " (an unpacked --archives entry);"
            + " ship the bundle folder with --archives bundle.zip#" + name + " or --files");
      }
    } else if (bundle.startsWith("file:")) {
      p = new File(URI.create(bundle)).toPath();
    } else {
      p = Path.of(bundle);
    }
    return p.toAbsolutePath().normalize().toString();
  }

  /**
   * {@code cpu} is the CPU; {@code cuda:N} that device; {@code auto} and {@code cuda} take the GPU
   * Spark assigned to the task ({@code spark.task.resource.gpu.amount}) when there is one, else
   * {@code auto} is {@link Device#AUTO} and {@code cuda} is device 0.
   */
  static Device device(String setting, Map<String, ResourceInformation> taskResources) {
    Device asked = Device.parse(setting);
    boolean plainCuda = setting.trim().toLowerCase(Locale.ROOT).matches("cuda|gpu");
    if (asked.kind() == Device.Kind.AUTO || plainCuda) {
      int gpu = taskGpu(taskResources);
      if (gpu >= 0) {
        return Device.cuda(gpu);
      }
    }
    return asked;
  }

  /** The first address of the task's {@code gpu} resource ({@code TaskContext.resources()}), or -1. */
  static int taskGpu(Map<String, ResourceInformation> res) {
    ResourceInformation gpu = res == null ? null : res.get("gpu");
    if (gpu == null || gpu.addresses().length == 0) {
      return -1;
    }
    String addr = gpu.addresses()[0].trim();
    try {
      return Integer.parseInt(addr);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("the task's gpu resource address '" + addr
          + "' is not a CUDA device index; the discovery script must print indices", e);
    }
  }

  /**
   * The intra-op threads: the setting when it is positive, else {@code spark.task.cpus} (at least
   * 1): a call runs its graphs one after the other (the SDK's default, encoders in turn), each with
   * that many intra-op threads, so N task slots keep N x {@code spark.task.cpus} cores busy.
   */
  static int threads(int setting, TaskContext task) {
    if (setting > 0) {
      return setting;
    }
    int cpus = task == null ? 1 : Math.max(1, task.cpus());
    // the SDK's one rule, for one call per task slot
    return EmotionRecognizer.Builder.threadsFor(cpus, 1);
  }
}

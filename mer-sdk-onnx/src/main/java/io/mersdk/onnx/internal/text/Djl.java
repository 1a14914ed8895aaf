package io.mersdk.onnx.internal.text;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import java.io.IOException;
import java.lang.reflect.Field;
import java.nio.file.Path;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens DJL Hugging Face tokenizers (the only thing mer-sdk uses DJL for) without DJL's side
 * effects that concern a whole machine, read from DJL 0.36.0's sources:
 *
 * <ul>
 *   <li>Loading the native library ({@code tokenizers.jni.LibUtils}) first asks {@code
 *       ai.djl.util.Platform.fromSystem()} which CUDA flavour to load, and that calls {@code
 *       ai.djl.util.cuda.CudaUtils.getGpuCount()}, which logs {@code WARN Failed to detect GPU
 *       count} wherever the CUDA runtime is installed but the driver is missing or unusable.
 *       DJL has no switch for that line except its private {@code CudaUtils.logging} flag (its own
 *       {@code main} clears it), so it is cleared while the library loads and set back after; the
 *       device mer-sdk runs on is reported by mer-sdk itself ({@code OnnxBackend}).
 *   <li>On a machine with a usable GPU of compute capability 8.0-9.0 and CUDA 12.2+, DJL picks its
 *       CUDA build of the tokenizer, which the jar does not carry, and downloads it from
 *       publish.djl.ai (a failure without network); and every {@code newInstance} sends DJL's
 *       telemetry when it finds EC2 metadata (up to four 1 s connection attempts to
 *       169.254.169.254 elsewhere). DJL's offline mode ({@code ai.djl.offline}) turns off both and
 *       makes it take the CPU build the jar carries, so it is set while a tokenizer is opened,
 *       unless the user set it or {@code DJL_OFFLINE}.
 * </ul>
 *
 * Both settings are process-wide, so they are changed under one lock and for as short as the
 * opening takes; the user's logging configuration is not touched.
 */
final class Djl {
  private static final Logger LOG = LoggerFactory.getLogger(Djl.class);
  static final String OFFLINE = "ai.djl.offline";
  private static final String CUDA_UTILS = "ai.djl.util.cuda.CudaUtils";

  private static final Object LOCK = new Object();
  private static boolean libraryLoaded;

  private Djl() {}

  static HuggingFaceTokenizer newTokenizer(Path file, Map<String, String> options) throws IOException {
    synchronized (LOCK) {
      boolean setOffline = System.getProperty(OFFLINE) == null && System.getenv("DJL_OFFLINE") == null;
      if (setOffline) {
        System.setProperty(OFFLINE, "true");
      }
      Field probeLogging = libraryLoaded ? null : muteCudaProbe();
      try {
        return HuggingFaceTokenizer.newInstance(file, options);
      } finally {
        libraryLoaded = true;
        if (probeLogging != null) {
          setQuietly(probeLogging, true);
        }
        if (setOffline) {
          System.clearProperty(OFFLINE);
        }
      }
    }
  }

  /** Clears {@code CudaUtils.logging}; the field to set back, or null where it is not there. */
  private static Field muteCudaProbe() {
    try {
      Field logging = Class.forName(CUDA_UTILS, true, HuggingFaceTokenizer.class.getClassLoader())
          .getDeclaredField("logging");
      logging.setAccessible(true);
      if (!logging.getBoolean(null)) {
        return null;
      }
      logging.setBoolean(null, false);
      return logging;
    } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
      // Another DJL version: its probe may log, nothing else changes.
      LOG.debug("cannot quieten DJL's CUDA probe ({}): {}", CUDA_UTILS, e.toString());
      return null;
    }
  }

  private static void setQuietly(Field field, boolean value) {
    try {
      field.setBoolean(null, value);
    } catch (IllegalAccessException | RuntimeException e) {
      LOG.debug("cannot restore {}.{}: {}", CUDA_UTILS, field.getName(), e.toString());
    }
  }
}

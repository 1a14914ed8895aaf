package io.mersdk.spring;

import io.mersdk.BundleException;
import io.mersdk.Device;
import io.mersdk.DeviceUnavailableException;
import io.mersdk.EmotionRecognizer;
import io.mersdk.SpeechThresholds;
import io.mersdk.spi.SpeechDetector;
import io.mersdk.spi.SpeechDetectorProvider;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ServiceLoader;
import java.util.function.DoubleFunction;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;

/**
 * Turns {@link MerProperties} into a built {@link EmotionRecognizer}. Every check that belongs to a
 * property fails with Spring Boot's {@link InvalidConfigurationPropertyValueException}, whose failure
 * analyser prints the property, its value, where it was set and the reason. The rules themselves
 * stay with the SDK (Device.parse, SpeechThresholds, the bundle loader); this class only says which
 * property broke them.
 */
final class RecognizerFactory {
  static final String CLASSPATH = "classpath:";

  private RecognizerFactory() {}

  /** {@code mer.device} parsed; fails naming the property. */
  static Device device(MerProperties p) {
    try {
      return Device.parse(p.getDevice());
    } catch (IllegalArgumentException e) {
      throw invalid("mer.device", p.getDevice(), e.getMessage(), e);
    }
  }

  static EmotionRecognizer build(MerProperties p, ClassLoader loader, SpeechDetector detector) {
    EmotionRecognizer.Builder b = EmotionRecognizer.builder();
    String bundle = p.getBundle();
    if (bundle == null || bundle.isBlank()) {
      throw invalid("mer.bundle", bundle, "not set: set it to a bundle folder, or to "
          + CLASSPATH + "FOLDER for one on the class path (e.g. " + CLASSPATH
          + "io/mersdk/demo/bundle with io.mersdk:mer-sdk-demo-bundle), or define your own "
          + "EmotionRecognizer bean", null);
    }
    if (bundle.startsWith(CLASSPATH)) {
      String name = trimSlashes(bundle.substring(CLASSPATH.length()));
      if (name.isEmpty() || loader.getResource(name + "/bundle.json") == null) {
        throw invalid("mer.bundle", bundle, "no " + name + "/bundle.json on the class path "
            + "(is the jar holding the bundle a dependency?)", null);
      }
      b.bundleResource(loader, name);
    } else {
      Path folder;
      try {
        folder = Path.of(bundle.startsWith("file:") ? bundle.substring("file:".length()) : bundle);
      } catch (InvalidPathException e) {
        throw invalid("mer.bundle", bundle, "not a path: " + e.getMessage(), e);
      }
      if (!Files.isDirectory(folder)) {
        throw invalid("mer.bundle", bundle, "no such folder (" + folder.toAbsolutePath()
            + "); a bundle is a folder holding bundle.json", null);
      }
      b.bundle(folder);
    }
    Device device = device(p);
    b.device(device);
    if (p.getThreads() != null) {
      if (p.getThreads() < 1) {
        throw invalid("mer.threads", p.getThreads(), "must be >= 1 (or unset: from "
            + "mer.concurrent-calls)", null);
      }
      b.threads(p.getThreads());
    }
    if (p.getConcurrentCalls() != null) {
      if (p.getConcurrentCalls() < 1) {
        throw invalid("mer.concurrent-calls", p.getConcurrentCalls(), "must be >= 1 (or unset for 1)",
            null);
      }
      b.concurrentCalls(p.getConcurrentCalls());
    }
    SpeechThresholds t = SpeechThresholds.WHISPER_DEFAULTS;
    check("mer.no-speech-threshold", p.getNoSpeechThreshold(), t::withNoSpeech);
    check("mer.log-prob-threshold", p.getLogProbThreshold(), t::withLogProb);
    check("mer.compression-ratio-threshold", p.getCompressionRatioThreshold(), t::withCompressionRatio);
    if (p.getNoSpeechThreshold() != null) {
      b.noSpeechThreshold(p.getNoSpeechThreshold());
    }
    if (p.getLogProbThreshold() != null) {
      b.logProbThreshold(p.getLogProbThreshold());
    }
    if (p.getCompressionRatioThreshold() != null) {
      b.compressionRatioThreshold(p.getCompressionRatioThreshold());
    }
    b.fitAsrWindow(p.isFitAsrWindow());
    b.parallelEncoders(p.isParallelEncoders());
    if (p.getPrepackWeights() != null) {
      b.prepackWeights(p.getPrepackWeights());
    }
    if (p.isSpeechGate()) {
      b.speechGateSettings(gateSettings(p.getGate()));
      if (detector != null) {
        b.speechDetector(detector);
      } else if (ServiceLoader.load(SpeechDetectorProvider.class, loader).findFirst().isEmpty()
          && ServiceLoader.load(SpeechDetectorProvider.class,
              EmotionRecognizer.class.getClassLoader()).findFirst().isEmpty()) {
        throw invalid("mer.speech-gate", true, "the acoustic speech gate needs a speech detector and none is on "
            + "the class path: add io.mersdk:mer-sdk-onnx (which brings io.mersdk:mer-sdk-vad) or "
            + "mer-sdk-vad itself, define a SpeechDetector bean, or set mer.speech-gate=false", null);
      }
    } else {
      b.speechGate(false);
    }
    try {
      return b.build();
    } catch (BundleException e) {
      throw invalid("mer.bundle", bundle, e.getMessage(), e);
    } catch (DeviceUnavailableException e) {
      throw invalid("mer.device", p.getDevice(), e.getMessage(), e);
    }
  }

  private static void check(String property, Double value, DoubleFunction<SpeechThresholds> rule) {
    if (value == null) {
      return;
    }
    try {
      rule.apply(value);
    } catch (IllegalArgumentException e) {
      // SpeechThresholds names the builder setting; the property is the user's name for it.
      String m = e.getMessage();
      throw invalid(property, value, m.substring(m.indexOf(':') + 1).trim(), e);
    }
  }

  private static String trimSlashes(String name) {
    String n = name.startsWith("/") ? name.substring(1) : name;
    return n.endsWith("/") ? n.substring(0, n.length() - 1) : n;
  }

  private static InvalidConfigurationPropertyValueException invalid(
      String property, Object value, String reason, Throwable cause) {
    InvalidConfigurationPropertyValueException e =
        new InvalidConfigurationPropertyValueException(property, value, reason);
    if (cause != null) {
      // Its constructor with a cause is not public and the public one sets the cause to null, so
      // the SDK's exception travels as a suppressed one (printed with the stack trace).
      e.addSuppressed(cause);
    }
    return e;
  }

  /** {@code mer.gate.*} over the defaults; a bad value fails start-up naming the property. */
  static io.mersdk.SpeechGateSettings gateSettings(MerProperties.Gate g) {
    io.mersdk.SpeechGateSettings.Builder b = io.mersdk.SpeechGateSettings.defaults().toBuilder();
    if (g.getThreshold() != null) {
      b.threshold(g.getThreshold());
    }
    if (g.getMinSpeech() != null) {
      b.minSpeech(g.getMinSpeech());
    }
    if (g.getMinSilence() != null) {
      b.minSilence(g.getMinSilence());
    }
    if (g.getPadding() != null) {
      b.padding(g.getPadding());
    }
    try {
      return b.build();
    } catch (IllegalArgumentException e) {
      throw invalid("mer.gate." + e.getMessage().replaceAll(":.*", "").replaceAll("([A-Z])", "-$1")
          .toLowerCase(java.util.Locale.ROOT), "", e.getMessage(), e);
    }
  }
}

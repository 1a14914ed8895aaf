package io.mersdk.examples;

import io.mersdk.Device;
import io.mersdk.EmotionRecognizer;
import io.mersdk.SpeechGateSettings;
import io.mersdk.audio.SegmenterOptions;
import io.mersdk.spi.SpeechDetectorProvider;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.ServiceLoader;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;
import picocli.CommandLine.TypeConversionException;

/**
 * The options every command that builds a recogniser shares: bundle, device, threads, and the
 * speech decision (the acoustic gate, Whisper's thresholds).
 */
final class RecognizerOptions {
  /** Where io.mersdk:mer-sdk-demo-bundle puts the demo bundle on the class path. */
  static final String DEMO_BUNDLE = "io/mersdk/demo/bundle";

  @Option(
      names = "--bundle",
      paramLabel = "DIR",
      description = "Model bundle folder (holding bundle.json). Default: the demo bundle on the class"
          + " path (" + DEMO_BUNDLE + ", from io.mersdk:mer-sdk-demo-bundle).")
  Path bundle;

  @Option(
      names = "--device",
      paramLabel = "DEVICE",
      defaultValue = "auto",
      converter = DeviceConverter.class,
      description = "auto (CUDA if usable, else CPU), cpu, cuda or cuda:N. Default: ${DEFAULT-VALUE}.")
  Device device;

  @Option(
      names = "--threads",
      paramLabel = "N",
      description = "Intra-op threads per model session. Default: the available processors divided"
          + " by the calls run at once (mer serve's batch workers), halved with --parallel-encoders.")
  Integer threads;

  @Option(
      names = "--parallel-encoders",
      description = "Run WavLM at the same time as the Whisper chain of a call, each session with"
          + " half the default threads: lower latency where cores are spare, higher peak memory."
          + " Default: one after the other.")
  boolean parallelEncoders;

  @Option(
      names = "--prepack-weights",
      paramLabel = "true|false",
      arity = "1",
      description = "Whether ONNX Runtime pre-packs the MatMul weights on the CPU: faster (decoding"
          + " most), for fp32 weights about 430 MB more memory at full size. Default: int8 graphs"
          + " (mer_train quantize) yes, fp32 graphs no.")
  Boolean prepackWeights;

  @Option(
      names = "--fit-asr-window",
      description = "Run Whisper's encoder over the audio's own length (rounded up to whole"
          + " seconds) instead of the bundle's full window: faster on short audio, results drift"
          + " from the reference (docs/benchmarks.md). Default: off.")
  boolean fitAsrWindow;

  @Option(
      names = "--no-speech-gate",
      description = "Turn the acoustic speech gate off: every file reaches the models and only the"
          + " bundle's Whisper evidence can say 'no speech'. Default: the gate is on.")
  boolean noSpeechGate;

  @Option(
      names = "--speech-detector",
      paramLabel = "NAME",
      description = "Which speech detector gates the audio: silero (Silero VAD, the default) or"
          + " spectral (the pure-Java voicing-and-pitch detector). Default: the highest-priority"
          + " detector on the class path (silero).")
  String speechDetector;

  @Option(
      names = "--speech-threshold",
      paramLabel = "P",
      description = "The speech gate's (Silero VAD) probability at or above which a 32 ms window"
          + " is speech; speech ends below P - 0.15. Default: 0.5.")
  Double speechThreshold;

  @Option(
      names = "--min-speech-ms",
      paramLabel = "MS",
      description = "Shortest stretch of speech the gate counts. Default: 250.")
  Integer minSpeechMs;

  @Option(
      names = "--min-silence-ms",
      paramLabel = "MS",
      description = "Pause that ends a stretch of speech, for the gate. Default: 100.")
  Integer minSilenceMs;

  @Option(
      names = "--speech-pad-ms",
      paramLabel = "MS",
      description = "Padding added to each side of a stretch of speech by the gate. Default: 30.")
  Integer speechPadMs;

  @Option(
      names = "--no-speech-threshold",
      paramLabel = "P",
      description = "Whisper's no-speech probability above which (with a low avg_logprob) an"
          + " utterance has no speech. Default: the bundle's speech_decision (openai-whisper: 0.6).")
  Double noSpeechThreshold;

  @Option(
      names = "--logprob-threshold",
      paramLabel = "LP",
      description = "Average log-probability of the transcript below which Whisper's evidence"
          + " counts. Default: the bundle's speech_decision (openai-whisper: -1.0).")
  Double logProbThreshold;

  @Option(
      names = "--compression-ratio-threshold",
      paramLabel = "R",
      description = "Compression ratio above which (with a low avg_logprob) a transcript is a"
          + " repetition loop, not speech. Default: the bundle's speech_decision (openai-whisper:"
          + " 2.4).")
  Double compressionRatioThreshold;

  /**
   * Builds the recogniser; the caller closes it.
   *
   * @throws CliException (exit 3) if no bundle was given and the demo bundle is not on the class
   *     path; the SDK's BundleException and DeviceUnavailableException also map to exit 3
   */
  EmotionRecognizer build() {
    return build(1);
  }

  /** The same, for {@code concurrentCalls} calls at once (sizes the default --threads). */
  EmotionRecognizer build(int concurrentCalls) {
    EmotionRecognizer.Builder b = EmotionRecognizer.builder().device(device).fitAsrWindow(fitAsrWindow)
        .speechGate(!noSpeechGate).concurrentCalls(concurrentCalls).parallelEncoders(parallelEncoders);
    if (prepackWeights != null) {
      b.prepackWeights(prepackWeights);
    }
    b.speechGateSettings(gateSettings());
    if (speechDetector != null && !noSpeechGate) {
      b.speechDetector(detector(speechDetector).create(gateSettings()));
    }
    if (noSpeechThreshold != null) {
      b.noSpeechThreshold(noSpeechThreshold);
    }
    if (logProbThreshold != null) {
      b.logProbThreshold(logProbThreshold);
    }
    if (compressionRatioThreshold != null) {
      b.compressionRatioThreshold(compressionRatioThreshold);
    }
    if (threads != null) {
      if (threads < 1) {
        throw new CliException(Mer.USAGE, "--threads must be >= 1, got " + threads);
      }
      b.threads(threads);
    }
    if (bundle != null) {
      b.bundle(bundle);
    } else {
      ClassLoader loader = RecognizerOptions.class.getClassLoader();
      if (loader.getResource(DEMO_BUNDLE + "/bundle.json") == null) {
        throw new CliException(Mer.BUNDLE_OR_DEVICE, "no model bundle: the demo bundle ("
            + DEMO_BUNDLE + ", from io.mersdk:mer-sdk-demo-bundle) is not on the class path;"
            + " pass --bundle DIR with a bundle folder");
      }
      b.bundleResource(loader, DEMO_BUNDLE);
    }
    try {
      return b.build();
    } catch (IllegalArgumentException e) {
      // the builder names its setting; say it in CLI terms (a usage error, exit 2)
      throw new CliException(Mer.USAGE, String.valueOf(e.getMessage())
          .replace("noSpeechThreshold", "--no-speech-threshold")
          .replace("logProbThreshold", "--logprob-threshold")
          .replace("compressionRatioThreshold", "--compression-ratio-threshold"));
    }
  }

  /** Device.parse, with its message turned into a usage error (exit 2). */
  static final class DeviceConverter implements ITypeConverter<Device> {
    @Override
    public Device convert(String value) {
      try {
        return Device.parse(value);
      } catch (IllegalArgumentException e) {
        throw new TypeConversionException(e.getMessage());
      }
    }
  }

  /** The gate's settings from --speech-threshold, --min-speech-ms, --min-silence-ms, --speech-pad-ms. */
  SpeechGateSettings gateSettings() {
    SpeechGateSettings.Builder g = SpeechGateSettings.defaults().toBuilder();
    if (speechThreshold != null) {
      g.threshold(speechThreshold);
    }
    if (minSpeechMs != null) {
      g.minSpeech(Duration.ofMillis(minSpeechMs));
    }
    if (minSilenceMs != null) {
      g.minSilence(Duration.ofMillis(minSilenceMs));
    }
    if (speechPadMs != null) {
      g.padding(Duration.ofMillis(speechPadMs));
    }
    try {
      return g.build();
    } catch (IllegalArgumentException e) {
      throw new CliException(Mer.USAGE, "speech gate: " + e.getMessage());
    }
  }

  /** The segmenter's settings (--timeline, long files): the gate's threshold. */
  SegmenterOptions segmenterOptions() {
    return speechThreshold == null ? SegmenterOptions.defaults()
        : SegmenterOptions.defaults().toBuilder().speechThreshold(speechThreshold).build();
  }

  /** The detector provider whose name starts with {@code name} (e.g. "silero", "spectral"). */
  static SpeechDetectorProvider detector(String name) {
    List<SpeechDetectorProvider> found = new ArrayList<>();
    ServiceLoader.load(SpeechDetectorProvider.class).forEach(found::add);
    return found.stream().filter(p -> p.name().toLowerCase(Locale.ROOT)
            .startsWith(name.toLowerCase(Locale.ROOT))).findFirst()
        .orElseThrow(() -> new CliException(Mer.USAGE, "--speech-detector: no detector named "
            + name + "; found " + found.stream().map(SpeechDetectorProvider::name).toList()));
  }
}

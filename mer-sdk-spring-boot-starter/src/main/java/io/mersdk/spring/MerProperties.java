package io.mersdk.spring;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The {@code mer.*} properties of the shared {@link io.mersdk.EmotionRecognizer}. Each one maps to
 * one setting of {@code EmotionRecognizer.Builder}; the auto-configuration checks them at start-up
 * and a bad one fails start-up naming the property and its value.
 */
@ConfigurationProperties("mer")
public class MerProperties {

  /**
   * The model bundle: a folder holding bundle.json, or classpath:FOLDER for one on the class path
   * (classpath:io/mersdk/demo/bundle is the demo bundle of io.mersdk:mer-sdk-demo-bundle).
   */
  private String bundle;

  /**
   * Where to run: auto (CUDA device 0 if usable, else the CPU with one WARN), cpu, cuda or cuda:N
   * (start-up fails when that GPU cannot be used).
   */
  private String device = "auto";

  /**
   * Intra-op threads per model session; unset: from concurrent-calls, max(1, available processors /
   * concurrent-calls), halved with parallel-encoders.
   */
  private Integer threads;

  /**
   * Calls that will run on the recogniser at once (the request threads allowed to recognise, or the
   * size of the executor in front of the service); sizes the default threads. Unset: 1.
   */
  private Integer concurrentCalls;

  /**
   * Whether every utterance passes the acoustic speech gate before any model runs (needs a speech
   * detector: io.mersdk:mer-sdk-vad on the class path, or a SpeechDetector bean).
   */
  private boolean speechGate = true;

  /** Overrides the bundle's speech_decision.no_speech_threshold, in [0, 1] (openai-whisper: 0.6). */
  private Double noSpeechThreshold;

  /** Overrides the bundle's speech_decision.logprob_threshold, finite and <= 0 (openai-whisper: -1.0). */
  private Double logProbThreshold;

  /**
   * Overrides the bundle's speech_decision.compression_ratio_threshold, finite and > 0
   * (openai-whisper: 2.4).
   */
  private Double compressionRatioThreshold;

  /**
   * Run Whisper's encoder over the batch's longest utterance rounded up to whole seconds instead of
   * the full 30 s window: faster on short utterances, transcripts drift from the reference
   * (docs/benchmarks.md).
   */
  private boolean fitAsrWindow;

  /**
   * Run the speech encoder (WavLM) at the same time as the Whisper chain of a call, each with half
   * the default threads: lower latency on a GPU or spare cores, higher peak memory. Off: one after
   * the other.
   */
  private boolean parallelEncoders;

  /**
   * Whether ONNX Runtime pre-packs constant MatMul weights on the CPU: faster products (decoding
   * most), for fp32 weights about 430 MB more resident memory at full size. Unset: int8 graphs
   * (mer_train quantize) yes, fp32 graphs no.
   */
  private Boolean prepackWeights;

  private final Health health = new Health();

  public String getBundle() {
    return bundle;
  }

  public void setBundle(String bundle) {
    this.bundle = bundle;
  }

  public String getDevice() {
    return device;
  }

  public void setDevice(String device) {
    this.device = device;
  }

  public Integer getThreads() {
    return threads;
  }

  public void setThreads(Integer threads) {
    this.threads = threads;
  }

  public Integer getConcurrentCalls() {
    return concurrentCalls;
  }

  public void setConcurrentCalls(Integer concurrentCalls) {
    this.concurrentCalls = concurrentCalls;
  }

  public boolean isParallelEncoders() {
    return parallelEncoders;
  }

  public void setParallelEncoders(boolean parallelEncoders) {
    this.parallelEncoders = parallelEncoders;
  }

  public Boolean getPrepackWeights() {
    return prepackWeights;
  }

  public void setPrepackWeights(Boolean prepackWeights) {
    this.prepackWeights = prepackWeights;
  }

  /**
   * The speech gate's settings (Silero VAD, mer-sdk-vad): {@code mer.gate.threshold} (0.5),
   * {@code mer.gate.min-speech} (250ms), {@code mer.gate.min-silence} (100ms), {@code
   * mer.gate.padding} (30ms).
   */
  private final Gate gate = new Gate();

  public Gate getGate() {
    return gate;
  }

  /** {@code mer.gate.*}: see {@link io.mersdk.SpeechGateSettings}; unset keeps its default. */
  public static class Gate {
    /** Probability at or above which a 32 ms window is speech; speech ends below it less 0.15. */
    private Double threshold;
    /** Shortest stretch of speech that counts. */
    private java.time.Duration minSpeech;
    /** Pause that ends a stretch of speech. */
    private java.time.Duration minSilence;
    /** Added to each side of a stretch of speech. */
    private java.time.Duration padding;

    public Double getThreshold() {
      return threshold;
    }

    public void setThreshold(Double threshold) {
      this.threshold = threshold;
    }

    public java.time.Duration getMinSpeech() {
      return minSpeech;
    }

    public void setMinSpeech(java.time.Duration minSpeech) {
      this.minSpeech = minSpeech;
    }

    public java.time.Duration getMinSilence() {
      return minSilence;
    }

    public void setMinSilence(java.time.Duration minSilence) {
      this.minSilence = minSilence;
    }

    public java.time.Duration getPadding() {
      return padding;
    }

    public void setPadding(java.time.Duration padding) {
      this.padding = padding;
    }
  }

  public boolean isSpeechGate() {
    return speechGate;
  }

  public void setSpeechGate(boolean speechGate) {
    this.speechGate = speechGate;
  }

  public Double getNoSpeechThreshold() {
    return noSpeechThreshold;
  }

  public void setNoSpeechThreshold(Double noSpeechThreshold) {
    this.noSpeechThreshold = noSpeechThreshold;
  }

  public Double getLogProbThreshold() {
    return logProbThreshold;
  }

  public void setLogProbThreshold(Double logProbThreshold) {
    this.logProbThreshold = logProbThreshold;
  }

  public Double getCompressionRatioThreshold() {
    return compressionRatioThreshold;
  }

  public void setCompressionRatioThreshold(Double compressionRatioThreshold) {
    this.compressionRatioThreshold = compressionRatioThreshold;
  }

  public boolean isFitAsrWindow() {
    return fitAsrWindow;
  }

  public void setFitAsrWindow(boolean fitAsrWindow) {
    this.fitAsrWindow = fitAsrWindow;
  }

  public Health getHealth() {
    return health;
  }

  /** {@code mer.health.*}: what the Actuator health indicator reports as DOWN. */
  public static class Health {
    /**
     * Report DOWN when the models do not run on a CUDA device, also with mer.device=auto (which
     * falls back to the CPU and keeps serving). mer.device=cuda or cuda:N implies it.
     */
    private boolean requireCuda;

    public boolean isRequireCuda() {
      return requireCuda;
    }

    public void setRequireCuda(boolean requireCuda) {
      this.requireCuda = requireCuda;
    }
  }
}

package io.mersdk.spi;

import io.mersdk.Device;
import java.util.Objects;
import java.util.Optional;

/**
 * SPI: what the recogniser's builder hands to a backend, already validated. Immutable; built with
 * {@link #builder(BundleLocation)}, so that it can gain settings without breaking a backend. The
 * speech thresholds are not here: the recogniser makes the speech decision ({@link ItemEvidence}).
 */
public final class BackendConfig {
  private final BundleLocation bundle;
  private final Device device;
  private final int threads;
  private final boolean fitAsrWindow;
  private final boolean parallelEncoders;
  private final Optional<Boolean> prepackWeights;

  private BackendConfig(Builder b) {
    this.bundle = b.bundle;
    this.device = b.device;
    this.threads = b.threads;
    this.fitAsrWindow = b.fitAsrWindow;
    this.parallelEncoders = b.parallelEncoders;
    this.prepackWeights = b.prepackWeights;
  }

  /**
   * Starts a config with the builder's defaults: {@link Device#AUTO}, one thread, the full ASR
   * window, encoders in turn, pre-packing decided per graph.
   */
  public static Builder builder(BundleLocation bundle) {
    return new Builder(bundle);
  }

  /** Where the model bundle is. */
  public BundleLocation bundle() {
    return bundle;
  }

  /** The device asked for. */
  public Device device() {
    return device;
  }

  /** Intra-op threads per model session (&gt;= 1). */
  public int threads() {
    return threads;
  }

  /**
   * Run Whisper's encoder over the batch's longest utterance rounded up to whole seconds instead of
   * the bundle's full window (see {@code EmotionRecognizer.Builder#fitAsrWindow}).
   */
  public boolean fitAsrWindow() {
    return fitAsrWindow;
  }

  /**
   * Run the speech encoder concurrently with the ASR chain of the same call (each in its own
   * session, so up to 2 x {@code threads} threads), instead of one after the other (see {@code
   * EmotionRecognizer.Builder#parallelEncoders}).
   */
  public boolean parallelEncoders() {
    return parallelEncoders;
  }

  /**
   * Whether ONNX Runtime pre-packs constant MatMul weights on the CPU: faster products, for fp32
   * weights a second copy of much of them; empty: the backend decides per graph (see {@code
   * EmotionRecognizer.Builder#prepackWeights}).
   */
  public Optional<Boolean> prepackWeights() {
    return prepackWeights;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof BackendConfig c && c.bundle.equals(bundle) && c.device.equals(device)
        && c.threads == threads && c.fitAsrWindow == fitAsrWindow
        && c.parallelEncoders == parallelEncoders && c.prepackWeights.equals(prepackWeights);
  }

  @Override
  public int hashCode() {
    return Objects.hash(bundle, device, threads, fitAsrWindow, parallelEncoders, prepackWeights);
  }

  @Override
  public String toString() {
    return "BackendConfig[bundle=" + bundle + ", device=" + device + ", threads=" + threads
        + ", fitAsrWindow=" + fitAsrWindow + ", parallelEncoders=" + parallelEncoders
        + ", prepackWeights=" + prepackWeights + "]";
  }

  /** Builds a {@link BackendConfig}; {@link #build()} checks the settings, naming a bad one. */
  public static final class Builder {
    private final BundleLocation bundle;
    private Device device = Device.AUTO;
    private int threads = 1;
    private boolean fitAsrWindow;
    private boolean parallelEncoders;
    private Optional<Boolean> prepackWeights = Optional.empty();

    private Builder(BundleLocation bundle) {
      this.bundle = Objects.requireNonNull(bundle, "bundle");
    }

    public Builder device(Device device) {
      this.device = Objects.requireNonNull(device, "device");
      return this;
    }

    public Builder threads(int threads) {
      this.threads = threads;
      return this;
    }

    public Builder fitAsrWindow(boolean fit) {
      this.fitAsrWindow = fit;
      return this;
    }

    public Builder parallelEncoders(boolean parallel) {
      this.parallelEncoders = parallel;
      return this;
    }

    /** Empty: the backend decides per graph. */
    public Builder prepackWeights(Optional<Boolean> prepack) {
      this.prepackWeights = Objects.requireNonNull(prepack, "prepackWeights");
      return this;
    }

    /** @throws IllegalArgumentException for a bad setting, named in the message */
    public BackendConfig build() {
      if (threads < 1) {
        throw new IllegalArgumentException("threads: must be >= 1, got " + threads);
      }
      return new BackendConfig(this);
    }
  }
}

package io.mersdk.vad;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtLoggingLevel;
import ai.onnxruntime.OrtSession;
import java.io.IOException;
import java.io.InputStream;
import java.nio.FloatBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Silero VAD v6 (MIT, snakers4/silero-vad) on ONNX Runtime: a speech probability for every 32 ms
 * window of a stream. One ONNX Runtime session for the process, opened on first use from the
 * resource {@value #RESOURCE} after its SHA-256 is checked, on the CPU with one thread whatever
 * device the emotion models use (the model is 2 MB and a window costs well under a millisecond;
 * a GPU round trip would cost more). ONNX Runtime sessions are safe for concurrent runs; the
 * recurrent state belongs to each {@link Stream}, never to the session, so streams and calls on
 * many threads share it safely. The session lives as long as the class loader (it holds no
 * per-call native memory: every tensor of a run is closed when the run ends).
 *
 * <p>Why v6 and not v5 (both in the same npm package, same inputs): on the real-audio set of
 * scripts/make_real_audio_set.py both called all 75 speech clips speech; v5 called 7 of 93
 * non-speech clips speech, v6 2 (docs/audio.md, "The speech gate on real audio").
 *
 * <p>How the model is driven follows Silero's own examples (utils_vad.py {@code OnnxWrapper},
 * examples/java-example, sherpa-onnx's silero-vad-model.cc): at 16 kHz windows of 512 samples
 * with the previous window's last 64 samples prepended, at 8 kHz 256 with 32 (the model's native
 * 8 kHz mode, selected by its {@code sr} input); state {@code [2, 1, 128]} carried from window to
 * window. Other rates are resampled to 16 kHz first ({@link RateConverter}).
 *
 * <p>Provenance: {@code @ricky0123/vad-web} 0.0.31 on the npm registry, {@code
 * dist/silero_vad_v6.onnx}; see {@code silero_vad_v6.onnx.NOTICE} next to the resource.
 */
public final class SileroVad {
  private static final Logger LOG = LoggerFactory.getLogger(SileroVad.class);

  /** The model, a resource of this module. */
  public static final String RESOURCE = "silero_vad_v6.onnx";
  /** Its SHA-256: the file of {@code @ricky0123/vad-web} 0.0.31, {@code dist/silero_vad_v6.onnx}. */
  public static final String SHA256 =
      "1a153a22f4509e292a94e67d6f9b85e8deb25b4988682b7e174c65279d8788e3";
  /** The model's native rates. */
  static final int RATE_16K = 16000;
  static final int RATE_8K = 8000;
  /**
   * Below this rate a stream has no band the model knows (telephone speech needs 300-3400 Hz):
   * it gives no windows, so no speech.
   */
  public static final int MIN_RATE = RATE_8K;
  /** Samples per window at 16 kHz (Silero v5/v6 accept only 512 there, 256 at 8 kHz): 32 ms. */
  static final int WINDOW_16K = 512;
  /** Samples of the previous window prepended to each window at 16 kHz (32 at 8 kHz). */
  static final int CONTEXT_16K = 64;
  /** The recurrent state: [2, batch, 128]. */
  static final long[] STATE_SHAPE = {2, 1, 128};
  static final int STATE_SIZE = 2 * 128;

  private static volatile SileroVad shared;

  private final OrtEnvironment env;
  private final OrtSession session;

  private SileroVad(byte[] model) throws OrtException {
    // The process has one environment and its first creator sets its log level: ERROR, as
    // mer-sdk-onnx asks, so that ONNX Runtime's warnings never reach a user's stderr.
    this.env = OrtEnvironment.getEnvironment(OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR, "mer-sdk");
    try (OrtSession.SessionOptions o = new OrtSession.SessionOptions()) {
      o.setIntraOpNumThreads(1);
      o.setInterOpNumThreads(1);
      o.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
      this.session = env.createSession(model, o);
    }
  }

  /**
   * The process's model, opened on first use.
   *
   * @throws SpeechGateModelException when the resource is missing, its checksum differs, or ONNX
   *     Runtime cannot open it
   */
  public static SileroVad shared() {
    SileroVad s = shared;
    if (s == null) {
      synchronized (SileroVad.class) {
        s = shared;
        if (s == null) {
          s = open(readResource());
          shared = s;
        }
      }
    }
    return s;
  }

  static byte[] readResource() {
    try (InputStream in = SileroVad.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new SpeechGateModelException("speech gate model io/mersdk/vad/" + RESOURCE
            + " is missing from mer-sdk-vad's jar: rebuild or re-download the jar");
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new SpeechGateModelException("speech gate model io/mersdk/vad/" + RESOURCE
          + ": cannot be read: " + e.getMessage(), e);
    }
  }

  /** Opens a session on these model bytes after checking them against {@link #SHA256}. */
  static SileroVad open(byte[] model) {
    String sha = sha256(model);
    if (!SHA256.equals(sha)) {
      throw new SpeechGateModelException("speech gate model io/mersdk/vad/" + RESOURCE
          + ": SHA-256 is " + sha + " but must be " + SHA256 + " (" + model.length
          + " bytes): the jar is corrupt or was altered; re-download mer-sdk-vad");
    }
    try {
      SileroVad v = new SileroVad(model);
      LOG.debug("speech gate model {} opened on the CPU ({} bytes)", RESOURCE, model.length);
      return v;
    } catch (OrtException e) {
      throw new SpeechGateModelException("speech gate model io/mersdk/vad/" + RESOURCE
          + ": ONNX Runtime cannot open it: " + e.getMessage(), e);
    }
  }

  static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is a required JDK algorithm", e);
    }
  }

  /** A new stream at this rate, with its own recurrent state. */
  public Stream stream(int sampleRate) {
    return new Stream(this, sampleRate);
  }

  /** Runs one window: {@code input} holds context + window; state is read and replaced. */
  float run(float[] input, float[] state, long sr) {
    try (OnnxTensor x = OnnxTensor.createTensor(env, FloatBuffer.wrap(input),
            new long[] {1, input.length});
        OnnxTensor h = OnnxTensor.createTensor(env, FloatBuffer.wrap(state), STATE_SHAPE);
        OnnxTensor rate = OnnxTensor.createTensor(env, sr);
        OrtSession.Result r = session.run(Map.of("input", x, "state", h, "sr", rate))) {
      float p = ((float[][]) r.get(0).getValue())[0][0];
      FloatBuffer next = ((OnnxTensor) r.get(1)).getFloatBuffer();
      next.get(state, 0, STATE_SIZE);
      return p;
    } catch (OrtException e) {
      throw new SpeechGateModelException("speech gate model: run failed: " + e.getMessage(), e);
    }
  }

  /** Receives each window's speech probability as it is computed. */
  public interface Listener {
    /**
     * @param index the window's index in the stream
     * @param endSample the stream sample (at the stream's rate) the window ends before
     * @param probability Silero's speech probability, in [0, 1]
     */
    void window(long index, long endSample, float probability);
  }

  /**
   * One stream's windows and recurrent state: feed samples in chunks of any size. Not thread-safe:
   * one per stream, fed from one thread at a time. Holds no native memory between calls.
   */
  public static final class Stream {
    private final SileroVad model;
    private final int sampleRate;
    private final int modelRate;
    private final int windowLen;
    private final int contextLen;
    private final RateConverter converter; // null at 8 or 16 kHz
    private final float[] input; // context followed by the window being filled
    private final float[] state = new float[STATE_SIZE];
    private final float[] one = new float[1];
    private int fill;
    private long windows;
    private long seen; // samples accepted, at the stream's rate

    Stream(SileroVad model, int sampleRate) {
      if (sampleRate <= 0) {
        throw new IllegalArgumentException("sampleRate: must be > 0, got " + sampleRate);
      }
      this.model = model;
      this.sampleRate = sampleRate;
      this.modelRate = sampleRate == RATE_8K ? RATE_8K : RATE_16K;
      this.windowLen = modelRate == RATE_8K ? WINDOW_16K / 2 : WINDOW_16K;
      this.contextLen = modelRate == RATE_8K ? CONTEXT_16K / 2 : CONTEXT_16K;
      this.converter = sampleRate == RATE_8K || sampleRate == RATE_16K || sampleRate < MIN_RATE
          ? null
          : new RateConverter(sampleRate, RATE_16K);
      this.input = new float[contextLen + windowLen];
    }

    public int sampleRate() {
      return sampleRate;
    }

    /** Samples per window at the model's rate (512 at 16 kHz, 256 at 8 kHz). */
    public int windowSamples() {
      return windowLen;
    }

    /** The length of a window, seconds (0.032). */
    public double windowSeconds() {
      return windowLen / (double) modelRate;
    }

    /** Windows computed so far. */
    public long windows() {
      return windows;
    }

    /** The stream sample (at the stream's rate) window {@code index} ends before. */
    public long endSample(long index) {
      long modelEnd = (index + 1) * windowLen;
      return converter == null ? modelEnd
          : Math.min(seen, (long) Math.ceil(modelEnd * (double) sampleRate / modelRate));
    }

    /** Takes the next samples and reports every window they complete. */
    public void accept(float[] x, int off, int len, Listener listener) {
      if (sampleRate < MIN_RATE) {
        seen += len;
        return;
      }
      if (converter == null) {
        for (int i = off; i < off + len; i++) {
          push(x[i], listener);
          seen++;
        }
        return;
      }
      for (int i = off; i < off + len; i++) {
        seen++;
        one[0] = x[i];
        converter.accept(one, 0, 1, v -> push(v, listener));
      }
    }

    private void push(float v, Listener listener) {
      // Silero's wrapper feeds the values as they are; non-finite input would poison the state
      input[contextLen + fill++] = Float.isFinite(v) ? v : 0f;
      if (fill < windowLen) {
        return;
      }
      float p = model.run(input, state, modelRate);
      System.arraycopy(input, windowLen, input, 0, contextLen); // the last 64 samples: context
      fill = 0;
      long index = windows++;
      listener.window(index, endSample(index), p);
    }
  }
}

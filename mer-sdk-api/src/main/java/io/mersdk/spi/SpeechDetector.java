package io.mersdk.spi;

/**
 * The acoustic speech gate: decides from the samples alone, before any model runs, whether an
 * utterance holds speech. {@code EmotionRecognizer} calls it on every utterance (single calls,
 * batches, async calls, and so {@code Timeline}, the CLI and the server); an utterance it rejects
 * gets {@link io.mersdk.Outcome#NO_SPEECH} and never reaches Whisper or WavLM.
 *
 * <p>The default is found with {@link java.util.ServiceLoader} through {@link
 * SpeechDetectorProvider} (mer-sdk-vad provides one); {@code
 * EmotionRecognizer.Builder#speechDetector} sets another. Implementations are thread-safe and
 * keep no state between calls; they must not throw for any finite input (empty included).
 */
public interface SpeechDetector {

  /**
   * Looks for speech in one utterance.
   *
   * @param samples mono samples in [-1, 1], finite
   * @param sampleRate their rate in Hz
   * @return whether the samples hold speech, and how much
   */
  SpeechActivity detect(float[] samples, int sampleRate);
}

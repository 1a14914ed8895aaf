/**
 * The speech gate of mer-sdk: {@link io.mersdk.vad.SileroSpeechDetector} (Silero VAD v6 on ONNX
 * Runtime, the default, found by {@code EmotionRecognizer} through {@link
 * io.mersdk.spi.SpeechDetectorProvider}), the per-stream {@link io.mersdk.vad.SileroVad.Stream}
 * that mer-sdk-audio's segmenter runs, and the pure-Java {@link
 * io.mersdk.vad.SpectralSpeechDetector} (opt-in; see docs/audio.md).
 */
module io.mersdk.vad {
  requires transitive io.mersdk.api;
  requires com.microsoft.onnxruntime;
  requires org.slf4j;

  exports io.mersdk.vad;

  provides io.mersdk.spi.SpeechDetectorProvider with
      io.mersdk.vad.SileroSpeechDetectorProvider,
      io.mersdk.vad.SpectralSpeechDetectorProvider;
}

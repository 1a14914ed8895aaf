package io.mersdk.spi;

import io.mersdk.BundleInfo;
import io.mersdk.Device;
import io.mersdk.Utterance;
import java.util.List;

/**
 * SPI: a loaded bundle ready to run; the model side of a call. Applications do not call it: they
 * use {@link io.mersdk.EmotionRecognizer}, which is the one layer that admits items and assembles
 * results. Implementations are thread-safe: {@link #recognize(List)} may be called from many
 * threads at once. The recogniser owns the lifecycle: it never calls {@link #recognize} after
 * {@link #close()}, and calls {@link #close()} once, after every call returned, so a backend needs
 * no lock or closed flag of its own.
 */
public interface InferenceBackend extends AutoCloseable {

  /** What the bundle is; its limits ({@link BundleInfo#minSamples()}, the ASR window) admit items. */
  BundleInfo bundle();

  /** The device that actually runs the models: {@link Device#CPU} or {@code Device.cuda(n)}. */
  Device device();

  /**
   * Computes the evidence of the utterances as one padded batch; evidence {@code i} belongs to
   * utterance {@code i}. The recogniser has admitted every item: samples are finite, at {@link
   * BundleInfo#sampleRate()}, at least {@link BundleInfo#minSamples()} long, within the ASR window
   * where Whisper reads them ({@link BundleInfo#readsWithWhisper}), and passed the acoustic gate.
   * An error that hits one item alone may be returned as {@link ItemEvidence#failed}; an exception
   * thrown for the whole batch makes the recogniser retry its items one by one, so that only the
   * item that causes it fails. The backend never decides "no speech": it reports Whisper's
   * evidence ({@link ItemEvidence#decoding()}) and the recogniser decides.
   */
  List<ItemEvidence> recognize(List<Utterance> batch);

  @Override
  void close();
}

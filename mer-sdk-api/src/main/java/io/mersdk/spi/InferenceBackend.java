package io.mersdk.spi;

import io.mersdk.BundleInfo;
import io.mersdk.Device;
import io.mersdk.EmotionResult;
import io.mersdk.Utterance;
import java.util.List;

/**
 * A loaded bundle ready to run. Implementations are thread-safe: {@link #recognize(List)} may be
 * called from many threads at once. The recogniser owns the lifecycle: it never calls {@link
 * #recognize} after {@link #close()}, and calls {@link #close()} once, after every call returned,
 * so a backend needs no lock or closed flag of its own.
 */
public interface InferenceBackend extends AutoCloseable {

  BundleInfo bundle();

  /** The device that actually runs the models: {@link Device#CPU} or {@code Device.cuda(n)}. */
  Device device();

  /**
   * Recognises the utterances as one padded batch; result {@code i} belongs to utterance {@code
   * i}. Samples are at {@link BundleInfo#sampleRate()} and have passed the acoustic gate. Each item
   * gets its own outcome: {@link io.mersdk.Outcome#EMOTION}, {@link io.mersdk.Outcome#NO_SPEECH}
   * (decided by the model's evidence), or {@link io.mersdk.Outcome#FAILED} with the item's typed
   * exception (too short, too long for the ASR window, non-finite samples, an inference error
   * that hit this item alone). One bad item never fails the others.
   */
  List<EmotionResult> recognize(List<Utterance> batch);

  @Override
  void close();
}

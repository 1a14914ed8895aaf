package io.mersdk.spi;

import io.mersdk.BundleInfo;
import io.mersdk.EmotionResult;
import io.mersdk.Utterance;
import java.util.List;

/**
 * A loaded bundle ready to run. Implementations are thread-safe: {@link #recognize(List)} may be
 * called from many threads at once. {@link #close()} is called once, after every call returned.
 */
public interface InferenceBackend extends AutoCloseable {

  BundleInfo bundle();

  /** The device that actually runs the models, e.g. {@code cpu} or {@code cuda:0}. */
  String device();

  /**
   * Recognises the utterances as one padded batch; result {@code i} belongs to utterance {@code
   * i}. Samples are at {@link BundleInfo#sampleRate()}.
   */
  List<EmotionResult> recognize(List<Utterance> batch);

  @Override
  void close();
}

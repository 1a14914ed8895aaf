package io.mersdk.onnx.internal.pipeline;

/**
 * A test hook into the pipeline: receives the intermediate arrays of each item, cut to the item's
 * own length, so that parity tests can compare every stage with the Python reference. {@link
 * ProbedStages} decorates the stages with it; production calls run the stages undecorated. Item
 * numbers are positions in the batch passed to {@code OnnxBackend.recognize}. May be called from
 * the speech encoder's worker thread.
 */
public interface Probe {
  /** [n_mels, frames] of the 30 s window. */
  String LOG_MEL = "log_mel";
  /** [frames, d_model]: the utterance's own context frames. */
  String ENCODER_STATES = "encoder_states";
  /** [num_layers + 1, frames, hidden_size]. */
  String WAVLM_HIDDEN_STATES = "wavlm_hidden_states";
  /** [num_layers + 1, tokens, hidden_size]. */
  String ROBERTA_HIDDEN_STATES = "roberta_hidden_states";
  /** [labels]: the head's logits before the softmax. */
  String LOGITS = "logits";
  /** [labels]: the head's probabilities, also for items the model calls no speech. */
  String PROBABILITIES = "probabilities";

  Probe NONE = new Probe() {
    @Override
    public boolean wants(String array) {
      return false;
    }

    @Override
    public void accept(String array, int item, long[] shape, float[] data) {}
  };

  boolean wants(String array);

  void accept(String array, int item, long[] shape, float[] data);
}

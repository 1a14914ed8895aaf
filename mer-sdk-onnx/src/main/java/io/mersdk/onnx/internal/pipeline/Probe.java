package io.mersdk.onnx.internal.pipeline;

/**
 * A test hook into the pipeline: receives the intermediate arrays of each item, cut to the item's
 * own length, so that parity tests can compare every stage with the Python reference. Production
 * calls use {@link #NONE}, which costs nothing (no array is copied unless {@link #wants} says so).
 * Called on the calling thread only.
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

package io.mersdk;

/** The three views of an utterance the model can fuse (paper, section II-C). */
public enum Modality {
  /** How it sounded: WavLM hidden states. */
  SPEECH,
  /** What was said: RoBERTa hidden states of the transcript. */
  TEXT,
  /** The ASR's own acoustic context: Whisper encoder states. */
  CONTEXT;

  /** The lower-case name used in bundle manifests. */
  public String manifestName() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}

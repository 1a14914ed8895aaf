package io.mersdk;

/** What became of one utterance; see {@link EmotionResult#outcome()}. */
public enum Outcome {
  /** It holds speech and has an emotion: label, probabilities and transcript are there. */
  EMOTION,
  /** Nobody speaks (silence, noise, hum, tones, music): no label, no probabilities, no transcript. */
  NO_SPEECH,
  /** It could not be recognised (a batch item only; a single call throws): {@link EmotionResult#error()}. */
  FAILED
}

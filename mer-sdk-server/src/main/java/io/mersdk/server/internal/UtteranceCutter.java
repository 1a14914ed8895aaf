package io.mersdk.server.internal;

import io.mersdk.audio.SpeechSegment;
import java.util.List;

/**
 * Push samples, get finished utterances: the one thing a stream needs from a segmenter. Not
 * thread-safe (one per connection, fed from that connection's messages in order).
 */
public interface UtteranceCutter {
  /** Feeds samples; returns the utterances that ended with them (often none). */
  List<SpeechSegment> accept(float[] samples, int offset, int length);

  /** The stream ended: returns the utterance still open, if any. */
  List<SpeechSegment> finish();

  /** Samples held for utterances not yet returned (memory per connection). */
  long heldSamples();
}

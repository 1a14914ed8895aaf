package io.mersdk.audio;

import io.mersdk.EmotionResult;
import io.mersdk.Segment;
import java.time.Duration;
import java.util.Objects;

/**
 * One utterance of one party: the {@link Segment} found on that party's channel, with the party.
 * Segments of different parties may overlap in time (both speak at once).
 */
public record PartySegment(Party party, Segment segment) {
  public PartySegment {
    Objects.requireNonNull(party, "party");
    Objects.requireNonNull(segment, "segment");
  }

  public Duration start() {
    return segment.start();
  }

  public Duration end() {
    return segment.end();
  }

  public EmotionResult result() {
    return segment.result();
  }
}

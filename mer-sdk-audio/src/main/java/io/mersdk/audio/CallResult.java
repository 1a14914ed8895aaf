package io.mersdk.audio;

import io.mersdk.Segment;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * What {@link CallTimeline} found in a call: its parties and every party's segments.
 *
 * @param parties one per channel, in channel order
 * @param segments every party's segments, ordered by start, then by channel
 * @param duration the length of the recording
 */
public record CallResult(List<Party> parties, List<PartySegment> segments, Duration duration) {
  public CallResult {
    parties = List.copyOf(Objects.requireNonNull(parties, "parties"));
    segments = List.copyOf(Objects.requireNonNull(segments, "segments"));
    Objects.requireNonNull(duration, "duration");
    if (parties.isEmpty()) {
      throw new IllegalArgumentException("parties: a call has at least one party");
    }
    for (PartySegment s : segments) {
      if (!parties.contains(s.party())) {
        throw new IllegalArgumentException("segments: " + s.party() + " is not a party of the"
            + " call " + parties);
      }
    }
  }

  /** The party of {@code name}. */
  public Party party(String name) {
    for (Party p : parties) {
      if (p.name().equals(name)) {
        return p;
      }
    }
    throw new IllegalArgumentException("name: no party is called '" + name + "'; the parties are "
        + parties.stream().map(Party::name).toList());
  }

  /** The segments of {@code party}, in order (what a {@link Timeline} of its channel gives). */
  public List<Segment> segmentsOf(Party party) {
    Objects.requireNonNull(party, "party");
    return segments.stream().filter(s -> s.party().equals(party)).map(PartySegment::segment)
        .toList();
  }
}

package io.mersdk;

import java.time.Duration;

/**
 * One utterance found in a longer recording, with its place on the recording's timeline and its
 * result.
 */
public record Segment(Duration start, Duration end, EmotionResult result) {
  public Segment {
    if (start == null || end == null || result == null) {
      throw new IllegalArgumentException("start, end and result must not be null");
    }
    if (end.compareTo(start) < 0) {
      throw new IllegalArgumentException("segment end " + end + " is before its start " + start);
    }
  }
}

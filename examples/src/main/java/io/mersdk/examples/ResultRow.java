package io.mersdk.examples;

import io.mersdk.audio.Party;
import io.mersdk.EmotionResult;
import java.time.Duration;

/**
 * One output row: a file's result, or with {@code --timeline} one segment's.
 *
 * @param source the file as named on the command line (or found in a named folder)
 * @param start where the segment starts in the file; null for a whole file
 * @param end where the segment ends; null for a whole file
 * @param party the party (channel) of the segment with {@code --channels split}; else null
 */
record ResultRow(String source, Duration start, Duration end, EmotionResult result, Party party) {
  ResultRow(String source, Duration start, Duration end, EmotionResult result) {
    this(source, start, end, result, null);
  }

  static ResultRow whole(String source, EmotionResult result) {
    return new ResultRow(source, null, null, result);
  }

  boolean isSegment() {
    return start != null;
  }
}

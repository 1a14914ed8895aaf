package io.mersdk.audio;

/**
 * One side of a call: a channel of the recording and the name it goes by.
 *
 * @param channel the channel's index in the recording, from 0 (0 is the left of a stereo file)
 * @param name the party's name, e.g. {@code agent} or {@code customer}
 */
public record Party(int channel, String name) {
  public Party {
    if (channel < 0) {
      throw new IllegalArgumentException("channel: must be >= 0, got " + channel);
    }
    if (name == null || name.isBlank()) {
      throw new IllegalArgumentException("name: must not be blank (party on channel " + channel
          + ")");
    }
  }
}

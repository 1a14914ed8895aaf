/**
 * Audio sources for mer-sdk: files, streams, arrays and the microphone, decoded through
 * javax.sound.sampled, down-mixed to mono and resampled to the recogniser's rate; speech
 * segmentation and timelines for long recordings. Entry point: {@link io.mersdk.audio.AudioSources}.
 *
 * <p>FLAC and MP3 come from javax.sound service providers (jflac-codec, mp3spi) that this module
 * does not read: on the module path they are automatic modules that {@code java.desktop}'s
 * {@code uses javax.sound.sampled.spi.AudioFileReader} binds at resolution, so nothing here names
 * them.
 */
module io.mersdk.audio {
  requires transitive io.mersdk.api;
  requires io.mersdk.vad; // the frame classifier the segmenter shares with the acoustic gate
  requires transitive java.desktop; // MicrophoneSource.Builder takes a Mixer.Info or TargetDataLine
  requires org.slf4j;

  exports io.mersdk.audio;

  // AudioDecoder picks the reader per container itself (see there), so it looks them up.
  uses javax.sound.sampled.spi.AudioFileReader;
}

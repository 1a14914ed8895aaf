/**
 * Audio sources for mer-sdk: files, streams, arrays and the microphone, decoded through
 * javax.sound.sampled, down-mixed to mono and resampled to the recogniser's rate; speech
 * segmentation and timelines for long recordings. Entry point: {@link io.mersdk.audio.AudioSources}.
 *
 * <p>FLAC is decoded here (internal.FlacDecoder). MP3 comes from a javax.sound service provider
 * (mp3spi) that this module does not read: on the module path it is an automatic module that
 * {@code java.desktop}'s {@code uses javax.sound.sampled.spi.AudioFileReader} binds at
 * resolution, so nothing here names it.
 */
module io.mersdk.audio {
  requires transitive io.mersdk.api;
  requires io.mersdk.vad; // the frame classifier the segmenter shares with the acoustic gate
  requires transitive java.desktop; // MicrophoneSource.Builder takes a Mixer.Info or TargetDataLine
  requires org.slf4j;
  // Ogg Vorbis and Ogg Opus (internal.OggDecoder): jars without module descriptors, so automatic
  // modules named after their files (jorbis-0.0.17.jar, concentus-1.0.2.jar)
  requires jorbis;
  requires concentus;

  exports io.mersdk.audio;

  // AudioDecoder picks the reader per container itself (see there), so it looks them up.
  uses javax.sound.sampled.spi.AudioFileReader;
}

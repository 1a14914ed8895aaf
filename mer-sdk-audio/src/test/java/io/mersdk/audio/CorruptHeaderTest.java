package io.mersdk.audio;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mersdk.AudioException;
import io.mersdk.audio.internal.Sizes;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Messages for the cases the mutated-file run of issue 17 (scripts/hostile_input_run.sh) showed to
 * be unclear: each names the container and what is wrong, not a decoder's internals.
 */
class CorruptHeaderTest {
  @TempDir static Path dir;
  static Path wav;

  @BeforeAll
  static void speech() {
    TestAudio.assumeTools();
    wav = TestAudio.speak(dir, "speech.wav", "Headers can lie.");
  }

  @Test
  void aWavChunkLargerThanTheFile() throws IOException {
    byte[] w = Files.readAllBytes(wav);
    // The 'fmt ' chunk's size (bytes 16-19 in espeak-ng's and sox's WAV files) claims 2 GB.
    ByteBuffer.wrap(w).order(ByteOrder.LITTLE_ENDIAN).putInt(16, 0x7FFF0000);
    Path bad = Files.write(dir.resolve("huge-fmt.wav"), w);
    // Without the check the JDK's reader skipped past what it could rewind: "could not be read:
    // Resetting to invalid mark".
    assertThatThrownBy(() -> AudioSources.of(bad).readMono(16000))
        .isInstanceOf(AudioException.class)
        .hasMessage(bad + ": WAV header is corrupt: its 'fmt ' chunk declares 2.1 GB but only "
            + Sizes.bytes(w.length - 20) + " follow it");
  }

  @Test
  void anMp3CutInsideItsFirstFrame() throws IOException {
    Path mp3 = TestAudio.sox(wav, dir.resolve("speech.mp3"), "-C", "128");
    byte[] all = Files.readAllBytes(mp3);
    int at = all[0] == 'I' ? 10 + ((all[6] & 0x7F) << 21 | (all[7] & 0x7F) << 14
        | (all[8] & 0x7F) << 7 | (all[9] & 0x7F)) : 0; // after an ID3v2 tag, if sox wrote one
    Path cut = Files.write(dir.resolve("cut.mp3"), Arrays.copyOf(all, at + 40));
    // Without the check mp3spi's "not a MPEG stream: Cannot invoke ... because m_header is null"
    // came with a hint to check the class path.
    assertThatThrownBy(() -> AudioSources.of(cut).readMono(16000))
        .isInstanceOf(AudioException.class)
        .hasMessageStartingWith(cut + ": MP3 data is truncated: the file ends inside its first"
            + " MPEG frame")
        .hasMessageNotContaining("class path");
  }
}

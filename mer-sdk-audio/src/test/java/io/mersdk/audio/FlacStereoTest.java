package io.mersdk.audio;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Real stereo: one voice on the left, most of it plus a second voice on the right (espeak-ng), so
 * FLAC's side channel is not zero and libFLAC (through sox) codes left/side, side/right or mid/side
 * per frame. Our decoder
 * must give sox's own decoding sample for sample: a channel off by one LSB (a dropped side bit)
 * changes the integer mix compared here. The mix is (L + R) / 2 in 16-bit integers from both.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class FlacStereoTest {
  @TempDir static Path dir;
  static Path stereoWav;

  @BeforeAll
  static void twoVoices() {
    if (!TestAudio.toolsAvailable()) {
      return;
    }
    Path left = TestAudio.speak(dir, "left.wav", "The left channel speaks first and louder.");
    Path right = dir.resolve("right.wav");
    TestAudio.run("espeak-ng", "-v", "en-us+f3", "-p", "70", "-w", right.toString(),
        "A second voice on the right, higher and slower.");
    // the right channel: most of the left voice plus the second one, so that L and R are
    // correlated (libFLAC then codes mid/side or left/side, not independent channels) and the
    // side channel L - R is a signal of its own, odd as often as even
    Path mixed = dir.resolve("right-mixed.wav");
    TestAudio.run("sox", "-m", "-v", "0.8", left.toString(), "-v", "0.3", right.toString(), mixed.toString());
    stereoWav = dir.resolve("stereo.wav");
    // -M: left.wav on channel 1, the mix on channel 2 (the shorter padded with silence)
    TestAudio.run("sox", "-M", left.toString(), mixed.toString(), "-b", "16", stereoWav.toString());
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"1", "5", "8"})
  void decodesEveryChannelAsSoxDoes(String compression) throws IOException {
    TestAudio.assumeTools();
    Path flac = dir.resolve("stereo-" + compression + ".flac");
    TestAudio.run("sox", stereoWav.toString(), "-C", compression, flac.toString());
    int rate = 22050; // espeak-ng's own rate: no resampling on either side
    assertThat(TestAudio.run("soxi", "-c", flac.toString()).trim()).isEqualTo("2");

    short[] soxLr = soxInterleaved(flac);
    float[] ours = AudioSources.of(flac).readMono(rate);
    assertThat(ours).hasSize(soxLr.length / 2);
    long sideNonZero = 0;
    for (int i = 0; i < ours.length; i++) {
      int l = soxLr[2 * i];
      int r = soxLr[2 * i + 1];
      sideNonZero += l != r ? 1 : 0;
      // sox's samples, mixed as our decoder mixes them (mean of the channels, full scale 32768)
      float expected = (float) ((l + r) / 2.0 / 32768.0);
      assertThat(ours[i]).as("sample %d (L %d, R %d)", i, l, r).isEqualTo(expected);
    }
    assertThat(sideNonZero).as("samples where L != R").isGreaterThan(ours.length / 4);
  }

  private static short[] soxInterleaved(Path flac) throws IOException {
    Path raw = dir.resolve(flac.getFileName() + ".s16");
    TestAudio.run("sox", flac.toString(), "-t", "raw", "-e", "signed-integer", "-b", "16", "-L", raw.toString());
    ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(raw)).order(ByteOrder.LITTLE_ENDIAN);
    short[] out = new short[b.remaining() / 2];
    b.asShortBuffer().get(out);
    return out;
  }
}

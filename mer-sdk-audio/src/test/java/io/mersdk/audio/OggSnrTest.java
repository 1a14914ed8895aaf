package io.mersdk.audio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.mersdk.AudioException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Ogg Vorbis (JOrbis) and Ogg Opus (Concentus) against the reference decoders: sox's libvorbis for
 * Vorbis, opus-tools' opusdec for Opus, on espeak-ng speech (stereo: another sentence on the
 * right). Both sides decode the same file, so the SNR measures the decoders, not the codec. The
 * bound, 40 dB, is FormatSnrTest's. Figures go to target/ogg-snr-report.txt.
 */
class OggSnrTest {
  static final int RATE = 16000;
  static final double TARGET_DB = 40;

  @TempDir static Path dir;
  static Path mono;
  static Path stereo;

  @BeforeAll
  static void speech() {
    TestAudio.assumeTools();
    TestAudio.Voices voices = TestAudio.twoVoices(dir);
    mono = voices.mono();
    stereo = voices.stereo();
  }

  @Test
  void vorbisMatchesLibvorbis() throws IOException {
    Path ogg = TestAudio.sox(stereo, dir.resolve("speech.ogg"), "-r", "44100");
    float[][] ours = AudioSources.channels(ogg).readChannels(RATE);
    assertThat(ours).hasDimensions(2, ours[0].length);
    for (int c = 0; c < 2; c++) {
      Path side = dir.resolve("vorbis-" + c + ".f32");
      TestAudio.run(TestAudio.SOX, ogg.toString(), "-t", "raw", "-e", "floating-point", "-b",
          "32", "-L", "-r", String.valueOf(RATE), side.toString(), "remix", String.valueOf(c + 1));
      check("ogg-vorbis-44100 channel " + c, TestAudio.readF32(side), ours[c]);
    }
    check("ogg-vorbis-44100 mix", TestAudio.soxMono(ogg, RATE),
        AudioSources.of(ogg).readMono(RATE));
  }

  @Test
  void opusMatchesOpusdec() throws IOException {
    assumeTrue(opusTools(), "opus-tools (opusenc, opusdec) are not installed");
    Path opus = dir.resolve("speech.opus");
    TestAudio.run("opusenc", "--quiet", "--bitrate", "48", stereo.toString(), opus.toString());
    Path decoded = dir.resolve("opusdec.wav");
    TestAudio.run("opusdec", "--quiet", "--rate", "48000", opus.toString(), decoded.toString());
    float[][] ours = AudioSources.channels(opus).readChannels(RATE);
    for (int c = 0; c < 2; c++) {
      Path side = dir.resolve("opus-" + c + ".f32");
      TestAudio.run(TestAudio.SOX, decoded.toString(), "-t", "raw", "-e", "floating-point", "-b",
          "32", "-L", "-r", String.valueOf(RATE), side.toString(), "remix", String.valueOf(c + 1));
      check("ogg-opus-48k channel " + c, TestAudio.readF32(side), ours[c]);
    }
  }

  @Test
  void corruptOggIsAnAudioException() throws IOException {
    Path ogg = TestAudio.sox(mono, dir.resolve("cut.ogg"));
    byte[] all = Files.readAllBytes(ogg);
    byte[] head = Arrays.copyOf(all, 200); // inside the Vorbis headers
    assertThatThrownBy(() -> AudioSources.of(head, "cut.ogg").readMono(RATE))
        .isInstanceOf(AudioException.class).hasMessageContaining("cut.ogg");
    byte[] noise = all.clone();
    for (int i = 4000; i < noise.length; i += 7) {
      noise[i] ^= 0x5A;
    }
    try {
      float[] x = AudioSources.of(noise, "noisy.ogg").readMono(RATE);
      for (float v : x) { // decoded what it could, within bounds
        assertThat(v).isBetween(-1f, 1f);
      }
    } catch (AudioException e) {
      assertThat(e).hasMessageContaining("noisy.ogg");
    }
  }

  private static void check(String what, float[] reference, float[] ours) throws IOException {
    int lag = TestAudio.bestLag(reference, ours, 64);
    double snr = TestAudio.snrAtLag(reference, ours, lag);
    String line = String.format(Locale.ROOT, "%-28s %6.1f dB (lag %d; %d samples, reference %d)%n",
        what, snr, lag, ours.length, reference.length);
    Path out = Path.of("target", "ogg-snr-report.txt");
    Files.createDirectories(out.getParent());
    Files.writeString(out, line, java.nio.file.StandardOpenOption.CREATE,
        java.nio.file.StandardOpenOption.APPEND);
    assertThat(snr).as("SNR of %s, dB", what).isGreaterThanOrEqualTo(TARGET_DB);
  }

  private static boolean opusTools() {
    try {
      TestAudio.run("opusenc", "--version");
      return true;
    } catch (RuntimeException | AssertionError e) {
      if (TestAudio.onCi()) {
        throw new AssertionError("opus-tools missing (CI is set): apt-get install opus-tools", e);
      }
      return false;
    }
  }
}

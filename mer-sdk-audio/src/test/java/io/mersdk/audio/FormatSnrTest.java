package io.mersdk.audio;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every supported container and codec decodes, down-mixes and resamples to 16 kHz within 40 dB
 * SNR of sox's own conversion of the same file ({@code sox f -c 1 -r 16000}). The files are
 * espeak-ng speech converted by sox. The figures are also written to
 * target/snr-report.txt.
 */
class FormatSnrTest {
  static final int RATE = 16000;
  static final double TARGET_DB = 40;

  /** MP3 decoders disagree on the encoder delay to drop: up to two 1152-sample frames at 48 kHz. */
  static final int MP3_MAX_LAG = 2 * 1152 * RATE / 22050 + 8;

  @TempDir static Path dir;
  static Path mono;
  static Path stereo;
  static StringBuilder report = new StringBuilder();

  @BeforeAll
  static void speech() {
    TestAudio.assumeTools();
    TestAudio.Voices voices = TestAudio.twoVoices(dir);
    mono = voices.mono();
    stereo = voices.stereo();
  }

  static Stream<Arguments> formats() {
    return Stream.of(
        fmt("wav-pcm8-u-11025", false, "wav", "-e", "unsigned-integer", "-b", "8", "-r", "11025"),
        fmt("wav-pcm16-22050", false, "wav"),
        fmt("wav-pcm16-16000", false, "wav", "-r", "16000"),
        fmt("wav-pcm16-stereo-44100", true, "wav", "-b", "16", "-r", "44100"),
        fmt("wav-pcm24-48000", false, "wav", "-b", "24", "-r", "48000"),
        fmt("wav-pcm32-32000", false, "wav", "-e", "signed-integer", "-b", "32", "-r", "32000"),
        fmt("wav-float32-stereo-48000", true, "wav", "-e", "floating-point", "-b", "32",
            "-r", "48000"),
        fmt("wav-ulaw-8000", false, "wav", "-e", "u-law", "-r", "8000"),
        fmt("wav-alaw-8000", false, "wav", "-e", "a-law", "-r", "8000"),
        fmt("aiff-pcm16-stereo-44100", true, "aiff", "-b", "16", "-r", "44100"),
        fmt("aiff-pcm24-22050", false, "aiff", "-b", "24"),
        fmt("au-pcm16-22050", false, "au", "-e", "signed-integer", "-b", "16"),
        fmt("au-ulaw-8000", false, "au", "-e", "u-law", "-r", "8000"),
        fmt("flac-16-22050", false, "flac"),
        fmt("flac-24-stereo-48000", true, "flac", "-b", "24", "-r", "48000"),
        fmt("mp3-22050", false, "mp3"),
        fmt("mp3-stereo-44100", true, "mp3", "-r", "44100", "-C", "128"));
  }

  private static Arguments fmt(String name, boolean stereo, String ext, String... soxOptions) {
    return Arguments.of(name, stereo, ext, List.of(soxOptions));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("formats")
  void decodesWithinTargetSnrOfSox(String name, boolean useStereo, String ext, List<String> opts)
      throws IOException {
    Path file = TestAudio.sox(useStereo ? stereo : mono, dir.resolve(name + "." + ext),
        opts.toArray(String[]::new));
    float[] reference = TestAudio.soxMono(file, RATE);

    float[] ours = AudioSources.of(file).readMono(RATE);

    int lag = 0;
    if (ext.equals("mp3")) {
      lag = TestAudio.bestLag(reference, ours, MP3_MAX_LAG);
    } else {
      // Lossless paths must line up sample for sample: no lag search, and the same length.
      assertThat(ours.length).as("length of %s", name).isCloseTo(reference.length,
          org.assertj.core.data.Offset.offset(2));
    }
    double snr = TestAudio.snrAtLag(reference, ours, lag);
    // Infinite: sample for sample the same (16 kHz PCM in, nothing to resample).
    String db = Double.isInfinite(snr) ? "identical" : String.format(Locale.ROOT, "%.1f dB", snr);
    String line = String.format(Locale.ROOT, "%-26s %10s  (lag %d; %d samples, sox %d)%n", name,
        db, lag, ours.length, reference.length);
    synchronized (report) {
      report.append(line);
    }
    assertThat(snr).as("SNR of %s vs sox, dB", name).isGreaterThanOrEqualTo(TARGET_DB);
  }

  @AfterAll
  static void writeReport() throws IOException {
    if (report.length() > 0) {
      Path out = Path.of("target", "snr-report.txt");
      Files.createDirectories(out.getParent());
      String head = "SNR of AudioSources.of(file).readMono(" + RATE + ") against sox's conversion"
          + " (sox FILE -t raw -e floating-point -b 32 -L -c 1 -r " + RATE + " OUT); the files are"
          + " espeak-ng speech converted by sox\n"
          + "format                            SNR\n";
      Files.writeString(out, head + report,
          StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING);
      System.out.print(report);
    }
  }
}

package io.mersdk.audio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mersdk.AudioException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Our FLAC decoder (internal.FlacDecoder) is lossless: a FLAC file that sox (libFLAC) encodes
 * decodes to the very samples of the WAV it came from, for every compression level, depth and
 * channel coding sox writes; and the files that hung jflac fail with a message naming the codec and
 * the byte. The class timeout is a hang guard, not a speed check.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class FlacDecoderTest {
  @TempDir static Path dir;
  static Path wav;

  @BeforeAll
  static void speech() {
    if (!TestAudio.toolsAvailable()) {
      return; // the tests that need the speech call TestAudio.assumeTools()
    }
    wav = TestAudio.speak(dir, "speech.wav", "Lossless means every sample comes back.");
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"-C 0", "-C 5", "-C 8", "-b 8", "-b 24", "-c 2 -C 8", "-c 2 -b 24 -C 0",
      "-r 48000 -c 2 -b 24"})
  void decodesToTheSamplesOfTheSourceWav(String options) {
    TestAudio.assumeTools();
    String[] opts = options.split(" ");
    String name = options.replace(" ", "").replace("-", "_");
    Path sourceWav = TestAudio.sox(wav, dir.resolve(name + ".wav"), withoutCompression(opts));
    Path flac = TestAudio.sox(sourceWav, dir.resolve(name + ".flac"), compression(opts));
    int rate = options.contains("48000") ? 48000 : 22050; // its own rate: no resampling
    assertThat(AudioSources.of(flac).readMono(rate))
        .containsExactly(AudioSources.of(sourceWav).readMono(rate));
  }

  private static String[] withoutCompression(String[] opts) {
    return Stream.of(String.join(" ", opts).replaceAll("-C \\d", "").trim().split(" +"))
        .filter(s -> !s.isEmpty()).toArray(String[]::new);
  }

  private static String[] compression(String[] opts) {
    String s = String.join(" ", opts);
    int at = s.indexOf("-C ");
    return at < 0 ? new String[0] : new String[] {"-C", s.substring(at + 3, at + 4)};
  }

  @Test
  void theFilesThatHungJflacFailWithTheCodecAndTheByte() throws IOException {
    Path corpus = Path.of("src/test/resources/io/mersdk/audio/fuzz/DecoderFuzzTestInputs/flac");
    List<Path> hung;
    try (Stream<Path> s = Files.list(corpus)) {
      hung = s.filter(p -> p.getFileName().toString().startsWith("jflac-hang-")).toList();
    }
    assertThat(hung).hasSizeGreaterThanOrEqualTo(5);
    for (Path f : hung) {
      assertThatThrownBy(() -> AudioSources.of(f).readMono(16000))
          .isInstanceOf(AudioException.class)
          .hasMessageStartingWith(f + ": FLAC data is ")
          .hasMessageContaining(" byte ");
    }
  }
}

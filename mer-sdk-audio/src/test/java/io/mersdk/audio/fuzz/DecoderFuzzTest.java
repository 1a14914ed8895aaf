package io.mersdk.audio.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.mersdk.AudioException;
import io.mersdk.audio.AudioSources;
import io.mersdk.audio.DecodeOptions;
import io.mersdk.audio.internal.AudioDecoder;
import io.mersdk.audio.internal.ContainerProbe;
import io.mersdk.testkit.QuietOutput;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.Callable;

/**
 * Jazzer targets for every parser of untrusted audio: the container probe, each container's
 * decoder, and the raw-array sources. The contract each input must keep (docs/audio.md, "Bad
 * input: what it may cost"): the call returns finite samples or throws {@link AudioException}
 * (never another exception, never an error such as OutOfMemoryError or StackOverflowError), and
 * nothing is written to System.out or System.err.
 *
 * <p>Under plain {@code mvn verify} each target runs once per file of its committed corpus,
 * {@code src/test/resources/io/mersdk/audio/fuzz/DecoderFuzzTestInputs/<target>/} (Jazzer's
 * regression mode): the seeds from {@code scripts/make_fuzz_seeds.sh} and every input that ever
 * failed. {@code scripts/fuzz.sh TARGET SECONDS} fuzzes one target (JAZZER_FUZZ=1).
 *
 * <p>The container targets put their container's magic bytes at the start, so the fuzzer's
 * mutations reach that decoder rather than the probe's "not a recognised format".
 *
 * <p>No JUnit {@code @Timeout} here: in fuzzing mode it would bound the whole run. scripts/fuzz.sh
 * gives libFuzzer a per-input {@code -timeout} instead, so an input that makes a decoder spin is a
 * finding.
 */
class DecoderFuzzTest {
  /** Short, to keep a fuzz iteration cheap; the limit's own checks are part of what runs. */
  private static final DecodeOptions OPTIONS = DecodeOptions.builder()
      .maxDuration(Duration.ofSeconds(30)).minDuration(Duration.ZERO).build();

  @FuzzTest
  void probe(byte[] data) {
    quietly(() -> {
      try {
        ContainerProbe.Info info = ContainerProbe.probe(data, data.length, data.length, "fuzz");
        assertThat(info.channels()).isBetween(0, 256);
        assertThat(info.sampleRate()).isBetween(0.0, 1_000_000.0);
      } catch (AudioException expected) {
        assertMessage(expected);
      }
      return null;
    });
  }

  @FuzzTest
  void wav(byte[] data) {
    decode(withMagic(data, 0, "RIFF", 8, "WAVE"));
  }

  @FuzzTest
  void aiff(byte[] data) {
    decode(withMagic(data, 0, "FORM", 8, data.length > 11 && data[11] == 'C' ? "AIFC" : "AIFF"));
  }

  @FuzzTest
  void au(byte[] data) {
    decode(withMagic(data, 0, ".snd"));
  }

  @FuzzTest
  void flac(byte[] data) {
    decode(withMagic(data, 0, "fLaC"));
  }

  @FuzzTest
  void mp3(byte[] data) {
    decode(data);
  }

  /** Ogg Vorbis and Ogg Opus (the probe routes by the codec named in the first page). */
  @FuzzTest
  void ogg(byte[] data) {
    decode(withMagic(data, 0, "OggS"));
  }

  /** Decoded samples given directly, at any rate, read at the recogniser's usual 16 kHz. */
  @FuzzTest
  void rawSamples(FuzzedDataProvider in) {
    int rate = in.consumeInt();
    boolean shorts = in.consumeBoolean();
    quietly(() -> {
      float[] out;
      try {
        if (shorts) {
          out = AudioSources.of(in.consumeShorts(1 << 16), rate).readMono(16000);
        } else {
          float[] x = new float[in.remainingBytes() / 4];
          for (int i = 0; i < x.length; i++) {
            x[i] = in.consumeFloat();
          }
          out = AudioSources.of(x, rate).readMono(16000);
        }
      } catch (IllegalArgumentException e) {
        // The one programmer error the API documents: a rate <= 0.
        assertThat(rate).isLessThanOrEqualTo(0);
        return null;
      } catch (AudioException expected) {
        // An array source names itself by kind, count and rate.
        assertThat(expected.getMessage())
            .startsWith(shorts ? "16-bit samples (" : "float samples (");
        return null;
      }
      assertThat(rate).isPositive();
      for (float v : out) {
        assertThat(v).isBetween(-1f, 1f);
      }
      return null;
    });
  }

  private static void decode(byte[] data) {
    quietly(() -> {
      try {
        // A file (length known) for even lengths, a stream (length unknown) for odd ones.
        long length = data.length % 2 == 0 ? data.length : -1;
        AudioDecoder.MonoAudio audio =
            AudioDecoder.decode(new ByteArrayInputStream(data), length, "fuzz", OPTIONS);
        assertThat(audio.samples()).isNotEmpty();
        assertThat(audio.sampleRate()).isPositive();
        for (float v : audio.samples()) {
          assertThat(Float.isFinite(v)).isTrue();
        }
      } catch (AudioException expected) {
        assertMessage(expected);
      }
      return null;
    });
  }

  private static void assertMessage(AudioException e) {
    assertThat(e.getMessage()).startsWith("fuzz: ");
  }

  /** {@code data} with {@code magic} strings written at the given offsets (growing it if short). */
  private static byte[] withMagic(byte[] data, Object... offsetsAndMagic) {
    int need = data.length;
    for (int i = 0; i < offsetsAndMagic.length; i += 2) {
      need = Math.max(need, (int) offsetsAndMagic[i] + ((String) offsetsAndMagic[i + 1]).length());
    }
    byte[] out = java.util.Arrays.copyOf(data, need);
    for (int i = 0; i < offsetsAndMagic.length; i += 2) {
      byte[] m = ((String) offsetsAndMagic[i + 1]).getBytes(StandardCharsets.US_ASCII);
      System.arraycopy(m, 0, out, (int) offsetsAndMagic[i], m.length);
    }
    return out;
  }

  /** Runs {@code body} and fails if it wrote anything to System.out/err (QuietOutput). */
  private static void quietly(Callable<Void> body) {
    // our logging goes through SLF4J, which never writes Jazzer's "INFO: " prefix
    assertThat(QuietOutput.printedBy(body)).as("written to System.out/err").isEmpty();
  }
}

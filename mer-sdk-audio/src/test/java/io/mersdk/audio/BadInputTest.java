package io.mersdk.audio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mersdk.AudioException;
import io.mersdk.source.AudioSource;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each kind of bad input gives an {@link AudioException} whose message names the input and the
 * problem. The class timeout guards against hangs (a decoder stuck on garbage); it is not a speed
 * check.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class BadInputTest {
  @TempDir static Path dir;
  static Path wav; // 22050 Hz mono 16-bit PCM, espeak-ng speech
  static byte[] wavBytes;

  @BeforeAll
  static void speech() throws IOException {
    if (!TestAudio.toolsAvailable()) {
      return; // the tests that need the speech call TestAudio.assumeTools()
    }
    wav = TestAudio.speak(dir, "good.wav", "Something perfectly ordinary to say.");
    wavBytes = Files.readAllBytes(wav);
  }

  private static Path write(String name, byte[] bytes) throws IOException {
    return Files.write(dir.resolve(name), bytes);
  }

  private static AbstractThrowableAssert<?, ? extends Throwable> assertFails(Path file) {
    return assertThatThrownBy(() -> AudioSources.of(file).readMono(16000))
        .isInstanceOf(AudioException.class)
        .hasMessageStartingWith(file.toString() + ": ");
  }

  /** Offset of the 'data' chunk's size field in a sox/espeak WAV (walks the chunks). */
  private static int dataSizeOffset(byte[] w) {
    ByteBuffer b = ByteBuffer.wrap(w).order(ByteOrder.LITTLE_ENDIAN);
    int pos = 12;
    while (pos + 8 <= w.length) {
      String id = new String(w, pos, 4, StandardCharsets.US_ASCII);
      int size = b.getInt(pos + 4);
      if (id.equals("data")) {
        return pos + 4;
      }
      pos += 8 + size + (size & 1);
    }
    throw new AssertionError("no data chunk");
  }

  private static int fmtOffset(byte[] w) {
    for (int i = 12; i + 4 <= w.length; i++) {
      if (w[i] == 'f' && w[i + 1] == 'm' && w[i + 2] == 't' && w[i + 3] == ' ') {
        return i + 8;
      }
    }
    throw new AssertionError("no fmt chunk");
  }

  @Test
  void emptyFile() throws IOException {
    assertFails(write("empty.wav", new byte[0])).hasMessageContaining("is empty (0 bytes)");
  }

  @Test
  void truncatedHeader() throws IOException {
    TestAudio.assumeTools();
    assertFails(write("head30.wav", Arrays.copyOf(wavBytes, 30)))
        .hasMessageContaining("WAV header is truncated");
    assertFails(write("head8.wav", Arrays.copyOf(wavBytes, 8)))
        .hasMessageContaining("WAV header is truncated");
  }

  @Test
  void truncatedData() throws IOException {
    TestAudio.assumeTools();
    byte[] cut = Arrays.copyOf(wavBytes, wavBytes.length * 3 / 5);
    assertFails(write("cut.wav", cut))
        .hasMessageContaining("sample data but only")
        .hasMessageContaining("truncated");
    // From a stream the size is unknown up front: the shortfall shows after decoding.
    assertThatThrownBy(() -> AudioSources.of(new ByteArrayInputStream(cut), "socket 10.0.0.7")
            .readMono(16000))
        .isInstanceOf(AudioException.class)
        .hasMessageStartingWith("socket 10.0.0.7: ")
        .hasMessageContaining("data is truncated")
        .hasMessageContaining("header declares");
  }

  @Test
  void truncatedFlacData() throws IOException {
    TestAudio.assumeTools();
    Path flac = TestAudio.sox(wav, dir.resolve("whole.flac"));
    byte[] all = Files.readAllBytes(flac);
    Path cut = write("cut.flac", Arrays.copyOf(all, all.length / 2));
    assertFails(cut).hasMessageContaining("FLAC").hasMessageContaining("truncated");
  }

  @Test
  void randomBytes() throws IOException {
    byte[] noise = new byte[50_000];
    new Random(42).nextBytes(noise);
    noise[0] = 0x12; // not an MPEG frame sync, whatever the seed gives
    assertFails(write("noise.wav", noise))
        .hasMessageContaining("not a recognised audio format");
  }

  @Test
  void randomBytesAfterAnMp3FrameSync() throws IOException {
    byte[] noise = new byte[50_000];
    new Random(7).nextBytes(noise);
    // A valid MPEG-1 layer III header (128 kbit/s, 44.1 kHz) and then noise, not a second frame.
    noise[0] = (byte) 0xFF;
    noise[1] = (byte) 0xFB;
    noise[2] = (byte) 0x90;
    noise[3] = (byte) 0x00;
    noise[417] = 0x00;
    assertFails(write("fake.mp3", noise)).hasMessageContaining("not a recognised audio format");
  }

  @Test
  void textFile() throws IOException {
    Path text = write("notes.wav", "Meeting notes\nTODO: record the call\n"
        .getBytes(StandardCharsets.UTF_8));
    assertFails(text).hasMessageContaining("is a text file").hasMessageContaining("Meeting notes");
  }

  @Test
  void headerClaimingFourGigabytes() throws IOException {
    TestAudio.assumeTools();
    byte[] w = wavBytes.clone();
    ByteBuffer b = ByteBuffer.wrap(w).order(ByteOrder.LITTLE_ENDIAN);
    b.putInt(4, 0xFFFFFFF0);
    b.putInt(dataSizeOffset(w), 0xFFFFFFF0 - 36);
    Path file = write("huge.wav", w);
    assertFails(file).hasMessageContaining("declares 4.3 GB of sample data");
    // A stream cannot be measured first: the claim exceeds the duration limit up front ...
    assertThatThrownBy(() -> AudioSources.of(new ByteArrayInputStream(w), "upload").readMono(16000))
        .isInstanceOf(AudioException.class)
        .hasMessageStartingWith("upload: is too long (its header declares 27.05 h)");
    // ... and a 2 GB claim within a raised limit: memory follows the real data, which ends early.
    byte[] w2 = wavBytes.clone();
    ByteBuffer.wrap(w2).order(ByteOrder.LITTLE_ENDIAN).putInt(dataSizeOffset(w2), 0x7FFFFFF0);
    DecodeOptions day = DecodeOptions.builder().maxDuration(Duration.ofHours(24)).build();
    assertThatThrownBy(() -> AudioSources.of(new ByteArrayInputStream(w2), "upload", day)
            .readMono(16000))
        .isInstanceOf(AudioException.class)
        .hasMessageContaining("data is truncated");
  }

  @Test
  void zeroChannels() throws IOException {
    TestAudio.assumeTools();
    byte[] w = wavBytes.clone();
    ByteBuffer.wrap(w).order(ByteOrder.LITTLE_ENDIAN).putShort(fmtOffset(w) + 2, (short) 0);
    assertFails(write("nochannels.wav", w)).hasMessageContaining("declares 0 channels");
  }

  @Test
  void zeroSampleRate() throws IOException {
    TestAudio.assumeTools();
    byte[] w = wavBytes.clone();
    ByteBuffer.wrap(w).order(ByteOrder.LITTLE_ENDIAN).putInt(fmtOffset(w) + 4, 0);
    assertFails(write("norate.wav", w)).hasMessageContaining("sample rate of 0 Hz");
  }

  @Test
  void zeroSampleRateInAu() throws IOException {
    TestAudio.assumeTools();
    Path au = TestAudio.sox(wav, dir.resolve("good.au"));
    byte[] a = Files.readAllBytes(au);
    ByteBuffer.wrap(a).putInt(16, 0); // AU: big-endian rate at byte 16
    assertFails(write("norate.au", a)).hasMessageContaining("AU header declares a sample rate of 0");
  }

  @Test
  void nanAndInfiniteFloatSamples() throws IOException {
    TestAudio.assumeTools();
    Path f32 = TestAudio.sox(wav, dir.resolve("float.wav"), "-e", "floating-point", "-b", "32");
    byte[] good = Files.readAllBytes(f32);
    int data = dataSizeOffset(good) + 4;
    int index = 1000;

    byte[] nan = good.clone();
    ByteBuffer.wrap(nan).order(ByteOrder.LITTLE_ENDIAN).putFloat(data + 4 * index, Float.NaN);
    assertFails(write("nan.wav", nan)).hasMessageContaining("sample 1000").hasMessageContaining(
        "is NaN");

    byte[] inf = good.clone();
    ByteBuffer.wrap(inf).order(ByteOrder.LITTLE_ENDIAN)
        .putFloat(data + 4 * index, Float.NEGATIVE_INFINITY);
    assertFails(write("inf.wav", inf)).hasMessageContaining("is -Infinity");
  }

  @Test
  void nanInSampleArray() {
    float[] x = new float[16000];
    x[123] = Float.NaN;
    AudioSource s = AudioSources.of(x, 16000);
    assertThatThrownBy(() -> s.readMono(16000))
        .isInstanceOf(AudioException.class)
        .hasMessageStartingWith(s.description())
        .hasMessageContaining("sample 123")
        .hasMessageContaining("NaN");
  }

  @Test
  void oggWithACodecOtherThanVorbisOrOpusIsUnsupported() throws IOException {
    // Ogg Vorbis and Ogg Opus are decoded (OggSnrTest); Ogg FLAC, Speex, Theora ... are not
    byte[] ogg = new byte[4096];
    new java.util.Random(13).nextBytes(ogg);
    System.arraycopy("OggS".getBytes(java.nio.charset.StandardCharsets.US_ASCII), 0, ogg, 0, 4);
    Path file = dir.resolve("other.ogg");
    java.nio.file.Files.write(file, ogg);
    assertFails(file).hasMessageContaining("unsupported codec: Ogg");
  }

  @Test
  void adpcmWavIsAnUnsupportedCodec() throws IOException {
    TestAudio.assumeTools();
    Path adpcm = TestAudio.sox(wav, dir.resolve("adpcm.wav"), "-e", "ima-adpcm");
    assertFails(adpcm).hasMessageContaining("unsupported codec: WAV with IMA ADPCM")
        .hasMessageContaining("0x0011");
  }

  @Test
  void bigEndianRifxWavIsAnUnsupportedCodec() throws IOException {
    TestAudio.assumeTools();
    // The header is fine, but the JDK's WAV reader reads RIFF only: say so instead of "could not
    // be decoded" with no reason.
    Path rifx = TestAudio.sox(wav, dir.resolve("rifx.wav"), "-B");
    assertThat(Files.readAllBytes(rifx)).startsWith("RIFX".getBytes(StandardCharsets.US_ASCII));
    assertFails(rifx).hasMessageContaining("unsupported codec: RIFX (big-endian WAV)");
  }

  @Test
  void longerThanTheDurationLimit() throws IOException {
    TestAudio.assumeTools();
    DecodeOptions oneSecond = DecodeOptions.builder().maxDuration(Duration.ofSeconds(1)).build();
    assertThatThrownBy(() -> AudioSources.of(wav, oneSecond).readMono(16000))
        .isInstanceOf(AudioException.class)
        .hasMessageStartingWith(wav + ": is too long (its header declares")
        .hasMessageContaining("DecodeOptions.maxDuration");

    // AU with "size unknown" (0xFFFFFFFF, as streaming encoders write): found while reading.
    Path au = TestAudio.sox(wav, dir.resolve("unknown-size.au"));
    byte[] a = Files.readAllBytes(au);
    ByteBuffer.wrap(a).putInt(8, 0xFFFFFFFF);
    assertThatThrownBy(() -> AudioSources.of(a, "stream.au", oneSecond).readMono(16000))
        .isInstanceOf(AudioException.class)
        .hasMessageStartingWith("stream.au: is too long (more than 1.000 s of audio arrived)");
    // The same bytes within the limit decode.
    assertThat(AudioSources.of(a, "stream.au").readMono(16000)).hasSizeGreaterThan(16000);
  }

  @Test
  void shorterThanPointOneSecond() throws IOException {
    TestAudio.assumeTools();
    Path tiny = dir.resolve("tiny.wav");
    TestAudio.run(TestAudio.SOX, wav.toString(), tiny.toString(), "trim", "0.3", "0.05");
    assertFails(tiny).hasMessageContaining("is too short: 0.050 s");
    // The minimum is a setting.
    DecodeOptions any = DecodeOptions.builder().minDuration(Duration.ZERO).build();
    assertThat(AudioSources.of(tiny, any).readMono(16000)).hasSizeBetween(799, 801); // 0.05 s
  }

  @Test
  void headerWithoutSamples() throws IOException {
    TestAudio.assumeTools();
    byte[] w = Arrays.copyOf(wavBytes, dataSizeOffset(wavBytes) + 4);
    ByteBuffer.wrap(w).order(ByteOrder.LITTLE_ENDIAN).putInt(dataSizeOffset(w), 0);
    assertFails(write("nodata.wav", w)).hasMessageContaining("contains no audio samples");
  }

  @Test
  void missingFileAndDirectory() {
    Path missing = dir.resolve("missing.wav");
    assertFails(missing).hasMessageContaining("file not found");
    assertFails(dir).hasMessageContaining("is a directory");
  }

  @Test
  void streamIsSingleUse() {
    TestAudio.assumeTools();
    AudioSource s = AudioSources.of(new ByteArrayInputStream(wavBytes), "socket");
    assertThat(s.readMono(16000)).isNotEmpty();
    assertThatThrownBy(() -> s.readMono(16000))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("can be read once");
  }
}

package io.mersdk.spark;

import io.mersdk.audio.AudioSources;
import io.mersdk.audio.Resampler;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import javax.sound.sampled.AudioFileFormat;
import javax.sound.sampled.AudioFormat;
import javax.sound.sampled.AudioInputStream;
import javax.sound.sampled.AudioSystem;

/**
 * The test folder, made at test time from the example recordings (examples/recordings), so no
 * binary fixture is committed: each recording in eight containers and codecs that the JDK writes
 * (WAV PCM 8/16/24-bit, float, mu-law, stereo; AIFF; AU), in FLAC and MP3 when sox is on the PATH,
 * two silent files, and six corrupt or
 * unsupported ones. At least 40 files without sox.
 */
final class TestFiles {
  static final int RATE = 16000;

  /** What a file is expected to give. */
  enum Kind { SPEECH, SILENCE, CORRUPT }

  record File(Path path, Kind kind) {}

  private TestFiles() {}

  static Path recordings() {
    return Path.of(System.getProperty("mer.recordings", "../examples/recordings"));
  }

  /** The example recordings as 16 kHz mono samples. */
  static List<float[]> speech() {
    List<float[]> out = new ArrayList<>();
    for (Path p : recordingFiles()) {
      out.add(AudioSources.of(p).readMono(RATE));
    }
    return out;
  }

  static List<Path> recordingFiles() {
    try (var s = Files.list(recordings())) {
      return s.filter(p -> p.toString().endsWith(".wav")).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static List<File> makeFolder(Path dir) throws IOException {
    Files.createDirectories(dir);
    List<File> files = new ArrayList<>();
    List<Path> recs = recordingFiles();
    for (Path rec : recs) {
      String base = rec.getFileName().toString().replace(".wav", "");
      float[] x = AudioSources.of(rec).readMono(RATE);
      files.add(speech(dir.resolve(base + "-orig.wav"), Files.readAllBytes(rec)));
      files.add(speech(write(dir.resolve(base + "-pcm16-22050.wav"), x, 22050, 16, false, false, AudioFileFormat.Type.WAVE)));
      files.add(speech(write(dir.resolve(base + "-pcm24-48000.wav"), x, 48000, 24, false, false, AudioFileFormat.Type.WAVE)));
      files.add(speech(write(dir.resolve(base + "-pcm8-11025.wav"), x, 11025, 8, false, false, AudioFileFormat.Type.WAVE)));
      files.add(speech(write(dir.resolve(base + "-float32-stereo-44100.wav"), x, 44100, 32, true, true, AudioFileFormat.Type.WAVE)));
      files.add(speech(ulaw(dir.resolve(base + "-ulaw-8000.wav"), x)));
      files.add(speech(write(dir.resolve(base + "-pcm16-stereo-44100.aiff"), x, 44100, 16, true, false, AudioFileFormat.Type.AIFF)));
      files.add(speech(write(dir.resolve(base + "-pcm16-22050.au"), x, 22050, 16, false, false, AudioFileFormat.Type.AU)));
      if (soxWorks()) {
        files.add(speech(sox(rec, dir.resolve(base + ".flac"))));
        files.add(speech(sox(rec, dir.resolve(base + ".mp3"))));
      }
    }
    files.add(new File(write(dir.resolve("silence-2s.wav"), new float[2 * RATE], RATE, 16, false, false,
        AudioFileFormat.Type.WAVE), Kind.SILENCE));
    float[] hiss = new float[3 * RATE];
    Random rnd = new Random(7);
    for (int i = 0; i < hiss.length; i++) {
      hiss[i] = (float) (rnd.nextGaussian() * 1e-4); // -80 dBFS
    }
    files.add(new File(write(dir.resolve("hiss-3s.wav"), hiss, RATE, 16, false, false,
        AudioFileFormat.Type.WAVE), Kind.SILENCE));

    byte[] wav = Files.readAllBytes(recs.get(0));
    files.add(corrupt(dir.resolve("corrupt-truncated-header.wav"), Arrays.copyOf(wav, 30)));
    byte[] random = new byte[20000];
    new Random(11).nextBytes(random);
    files.add(corrupt(dir.resolve("corrupt-random.wav"), random));
    // Not an empty file: Spark's file sources skip zero-length files, so it would give no row.
    files.add(new File(write(dir.resolve("corrupt-no-samples.wav"), new float[0], RATE, 16, false,
        false, AudioFileFormat.Type.WAVE), Kind.CORRUPT));
    files.add(corrupt(dir.resolve("corrupt-text.mp3"),
        "this is not audio\n".repeat(100).getBytes(StandardCharsets.UTF_8)));
    files.add(corrupt(dir.resolve("corrupt-too-short.wav"), Arrays.copyOf(wav, 44 + 2 * 160)));
    byte[] ogg = new byte[4096];
    new Random(13).nextBytes(ogg);
    System.arraycopy("OggS".getBytes(StandardCharsets.US_ASCII), 0, ogg, 0, 4);
    files.add(corrupt(dir.resolve("unsupported.ogg"), ogg));
    return files;
  }

  private static File speech(Path p) {
    return new File(p, Kind.SPEECH);
  }

  private static File speech(Path p, byte[] bytes) throws IOException {
    Files.write(p, bytes);
    return new File(p, Kind.SPEECH);
  }

  private static File corrupt(Path p, byte[] bytes) throws IOException {
    Files.write(p, bytes);
    return new File(p, Kind.CORRUPT);
  }

  /** Mono samples at 16 kHz written at {@code rate} (stereo: the right channel at half level). */
  static Path write(Path out, float[] x16k, int rate, int bits, boolean stereo, boolean isFloat,
      AudioFileFormat.Type type) throws IOException {
    float[] x = rate == RATE ? x16k : Resampler.resample(x16k, RATE, rate);
    int channels = stereo ? 2 : 1;
    int bytes = bits / 8;
    boolean bigEndian = type != AudioFileFormat.Type.WAVE;
    boolean signed = isFloat || bits > 8;
    ByteBuffer b = ByteBuffer.allocate(x.length * channels * bytes)
        .order(bigEndian ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN);
    for (float v : x) {
      for (int c = 0; c < channels; c++) {
        double s = c == 0 ? v : v * 0.5;
        if (isFloat) {
          b.putFloat((float) s);
        } else {
          long max = (1L << (bits - 1)) - 1;
          long q = Math.max(-max - 1, Math.min(max, Math.round(s * max)));
          if (!signed) {
            q += max + 1;
          }
          for (int k = 0; k < bytes; k++) {
            int shift = bigEndian ? 8 * (bytes - 1 - k) : 8 * k;
            b.put((byte) (q >> shift));
          }
        }
      }
    }
    AudioFormat.Encoding enc = isFloat ? AudioFormat.Encoding.PCM_FLOAT
        : signed ? AudioFormat.Encoding.PCM_SIGNED : AudioFormat.Encoding.PCM_UNSIGNED;
    AudioFormat f = new AudioFormat(enc, rate, bits, channels, bytes * channels, rate, bigEndian);
    try (AudioInputStream in = new AudioInputStream(new ByteArrayInputStream(b.array()), f, x.length)) {
      AudioSystem.write(in, type, out.toFile());
    }
    return out;
  }

  private static Path ulaw(Path out, float[] x16k) throws IOException {
    Path pcm = write(out.resolveSibling(out.getFileName() + ".pcm.wav"), x16k, 8000, 16, false, false,
        AudioFileFormat.Type.WAVE);
    try (AudioInputStream in = AudioSystem.getAudioInputStream(pcm.toFile());
        AudioInputStream u = AudioSystem.getAudioInputStream(AudioFormat.Encoding.ULAW, in)) {
      AudioSystem.write(u, AudioFileFormat.Type.WAVE, out.toFile());
    } catch (javax.sound.sampled.UnsupportedAudioFileException e) {
      throw new IOException(e);
    }
    Files.delete(pcm);
    return out;
  }

  private static Boolean sox;

  static boolean soxWorks() {
    if (sox == null) {
      try {
        Process p = new ProcessBuilder("sox", "--version").redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        sox = p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
      } catch (IOException e) {
        sox = false;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        sox = false;
      }
    }
    return sox;
  }

  private static Path sox(Path in, Path out) throws IOException {
    try {
      Process p = new ProcessBuilder("sox", in.toString(), out.toString()).redirectErrorStream(true).start();
      String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
        throw new IOException("sox " + in + " " + out + " failed: " + log);
      }
      return out;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException(e);
    }
  }

  /**
   * About a minute: the recordings one after another, {@code pause} seconds of digital silence
   * between them, four rounds. {@code speech} receives each recording's [start, end] in seconds.
   */
  static float[] minute(double pause, List<double[]> speech) {
    List<float[]> recs = speech();
    int gap = (int) Math.round(pause * RATE);
    List<float[]> parts = new ArrayList<>();
    long at = 0;
    for (int round = 0; round < 4; round++) {
      for (float[] r : recs) {
        speech.add(new double[] {at / (double) RATE, (at + r.length) / (double) RATE});
        parts.add(r);
        parts.add(new float[gap]);
        at += r.length + gap;
      }
    }
    float[] out = new float[(int) at];
    int pos = 0;
    for (float[] p : parts) {
      System.arraycopy(p, 0, out, pos, p.length);
      pos += p.length;
    }
    return out;
  }
}

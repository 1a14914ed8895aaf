package io.mersdk.audio;

import io.mersdk.testkit.audio.Tools;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Test fixtures made at test time with espeak-ng (speech) and sox (every container and codec, and
 * the reference 16 kHz conversion), so no binary audio is committed. Each test that needs them
 * calls {@link #assumeTools()} (a class whose every test needs them may call it once in its
 * {@code @BeforeAll}; a class with tests that need neither makes its fixtures only when {@link
 * #toolsAvailable()}): without the binaries those tests are skipped with a message saying what to
 * install, except under CI (the environment variable {@code CI} set, as CI services do), where
 * their absence is a failure. CI installs both (scripts/test-all.sh).
 */
final class TestAudio {
  static final String ESPEAK = Tools.ESPEAK;
  static final String SOX = Tools.SOX;

  /** Sentences for the joined recording; distinct lengths so a mix-up would show. */
  static final List<String> SENTENCES = List.of(
      "The weather is lovely today.",
      "I cannot believe you did that to me!",
      "Please send the report before Friday afternoon.",
      "Thank you.");

  /** Pauses between the sentences of the joined recording, in seconds: all above minSilence. */
  static final double[] PAUSES = {1.0, 1.5, 0.8};

  /**
   * A recording of {@link #SENTENCES} joined by {@link #PAUSES} of digital silence (22050 Hz mono
   * 16-bit WAV, as espeak-ng writes), and where each sentence's speech is.
   *
   * @param truth per sentence, {speech start, speech end} in seconds of the recording: its first
   *     and last sample above -60 dBFS
   */
  record Joined(Path file, List<double[]> truth) {}

  static Joined joinSentences(Path dir) {
    List<String> cmd = new ArrayList<>(List.of(SOX));
    List<double[]> truth = new ArrayList<>();
    double offset = 0;
    for (int i = 0; i < SENTENCES.size(); i++) {
      Path part = speak(dir, "s" + i + ".wav", SENTENCES.get(i));
      float[] x = soxMono(part, 22050); // the part as it is (no rate change)
      int[] e = extent(x, 1e-3);
      truth.add(new double[] {offset + e[0] / 22050.0, offset + e[1] / 22050.0});
      offset += x.length / 22050.0;
      cmd.add(part.toString());
      if (i < PAUSES.length) {
        Path pause = dir.resolve("pause" + i + ".wav");
        run(SOX, "-n", "-r", "22050", "-c", "1", "-b", "16", pause.toString(), "trim", "0",
            String.valueOf(PAUSES[i]));
        cmd.add(pause.toString());
        offset += PAUSES[i];
      }
    }
    Path joined = dir.resolve("joined.wav");
    cmd.add(joined.toString());
    run(cmd.toArray(String[]::new));
    return new Joined(joined, List.copyOf(truth));
  }

  /**
   * The sentences of the joined recording again and again, cut tight to their speech ({@link
   * Joined#truth()}) and read at {@code rate}, with {@code gapSeconds} of silence after each, until
   * at least {@code seconds} long. With gaps well under minSilence this is one run of speech.
   */
  static float[] continuousSpeech(Joined joined, int rate, double gapSeconds, double seconds) {
    float[] once = AudioSources.of(joined.file()).readMono(rate);
    List<float[]> sentences = new ArrayList<>();
    for (double[] t : joined.truth()) {
      int from = (int) Math.floor(t[0] * rate);
      int to = Math.min(once.length, (int) Math.ceil(t[1] * rate));
      sentences.add(Arrays.copyOfRange(once, from, to));
    }
    int gap = (int) Math.round(gapSeconds * rate);
    int target = (int) Math.ceil(seconds * rate);
    float[] x = new float[target + rate * 10];
    int n = 0;
    while (n < target) {
      for (float[] s : sentences) {
        if (n + s.length + gap > x.length) {
          x = Arrays.copyOf(x, 2 * x.length);
        }
        System.arraycopy(s, 0, x, n, s.length);
        n += s.length + gap; // the gap stays zero
      }
    }
    return Arrays.copyOf(x, n);
  }

  /** Samples of {@code x} whose magnitude exceeds {@code level}, outside every range given. */
  static int audibleOutside(float[] x, double level, List<long[]> ranges) {
    int missed = 0;
    for (int i = 0; i < x.length; i++) {
      if (Math.abs(x[i]) > level) {
        boolean inside = false;
        for (long[] r : ranges) {
          if (i >= r[0] && i < r[1]) {
            inside = true;
            break;
          }
        }
        if (!inside) {
          missed++;
        }
      }
    }
    return missed;
  }

  private TestAudio() {}

  /** Whether espeak-ng and sox run here; asked once per test JVM. */
  static boolean toolsAvailable() {
    return Tools.espeakAndSoxAvailable();
  }

  /**
   * Skips the calling test (or class, from {@code @BeforeAll}) when espeak-ng or sox is missing;
   * fails it instead under CI.
   */
  static void assumeTools() {
    Tools.assumeEspeakAndSox();
  }

  /** The environment variable {@code CI} is set to anything but {@code false} or {@code 0}. */
  static boolean onCi() {
    return Tools.onCi();
  }

  /** Runs a command; fails the test with its output if it fails. */
  static String run(String... cmd) {
    return Tools.run(cmd);
  }

  /** espeak-ng speech: a 22050 Hz mono 16-bit WAV. */
  static Path speak(Path dir, String name, String text) {
    Path out = dir.resolve(name);
    run(ESPEAK, "-w", out.toString(), text);
    return out;
  }

  /** {@code sox in [args...] out}: format options go before {@code out}. */
  /** One spoken sentence (mono) and a stereo file of it on the left and another voice on the right. */
  record Voices(Path mono, Path stereo) {}

  /**
   * The speech of the format tests: left and right differ, so a wrong down-mix (one channel, or a
   * sum) fails an SNR against the mono reference.
   */
  static Voices twoVoices(Path dir) {
    Path mono = speak(dir, "speech.wav",
        "Emotion recognition needs clean audio, whatever the format it arrives in.");
    Path other = speak(dir, "other.wav", "A second voice on the right channel.");
    Path stereo = dir.resolve("stereo.wav");
    run(SOX, "-M", mono.toString(), other.toString(), stereo.toString());
    return new Voices(mono, stereo);
  }

  static Path sox(Path in, Path out, String... outputOptions) {
    List<String> cmd = new ArrayList<>(List.of(SOX, in.toString()));
    cmd.addAll(List.of(outputOptions));
    cmd.add(out.toString());
    run(cmd.toArray(String[]::new));
    return out;
  }

  /** sox's own conversion of {@code in} to mono float samples at {@code rate}: the reference. */
  static float[] soxMono(Path in, int rate) {
    return Tools.soxMono(in, rate);
  }

  static float[] readF32(Path raw) {
    return Tools.readF32(raw);
  }

  /**
   * SNR in dB of {@code ours} against {@code reference}, over their common length, with {@code
   * ours} shifted left by {@code lag} samples.
   */
  static double snrDb(float[] reference, float[] ours, int lag) {
    int n = Math.min(reference.length, ours.length - lag);
    double signal = 0;
    double noise = 0;
    for (int i = 0; i < n; i++) {
      double r = reference[i];
      double d = r - ours[i + lag];
      signal += r * r;
      noise += d * d;
    }
    return noise == 0 ? Double.POSITIVE_INFINITY : 10 * Math.log10(signal / noise);
  }

  /**
   * The shift of {@code ours} against {@code reference} in [-maxLag, maxLag] with the best SNR
   * (positive: ours is late). MP3 decoders differ in how much encoder delay they remove.
   */
  static int bestLag(float[] reference, float[] ours, int maxLag) {
    int best = 0;
    double bestSnr = Double.NEGATIVE_INFINITY;
    for (int lag = -maxLag; lag <= maxLag; lag++) {
      double s = lag >= 0 ? snrDb(reference, ours, lag) : snrDb(shift(reference, -lag), ours, 0);
      if (s > bestSnr) {
        bestSnr = s;
        best = lag;
      }
    }
    return best;
  }

  static double snrAtLag(float[] reference, float[] ours, int lag) {
    return lag >= 0 ? snrDb(reference, ours, lag) : snrDb(shift(reference, -lag), ours, 0);
  }

  private static float[] shift(float[] x, int by) {
    float[] out = new float[Math.max(0, x.length - by)];
    System.arraycopy(x, by, out, 0, out.length);
    return out;
  }

  /** First and last sample whose magnitude exceeds {@code level}, as {start, end) indices. */
  static int[] extent(float[] x, double level) {
    int first = -1;
    int last = -1;
    for (int i = 0; i < x.length; i++) {
      if (Math.abs(x[i]) > level) {
        if (first < 0) {
          first = i;
        }
        last = i;
      }
    }
    return new int[] {first, last + 1};
  }
}

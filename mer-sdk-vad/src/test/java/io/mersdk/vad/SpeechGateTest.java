package io.mersdk.vad;

import static org.assertj.core.api.Assertions.assertThat;

import io.mersdk.spi.SpeechActivity;
import io.mersdk.spi.SpeechDetectorProvider;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.ServiceLoader;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The acoustic gate's promises, measured: no speech in any of the non-speech clips (silence,
 * room tone, noise up to -6 dBFS, hum, tones, chords, clicks, melodies, fades), speech in at least
 * 98 % of espeak-ng sentences clean, in white, pink and brown noise at 5, 10 and 20 dB SNR, and
 * quiet (-30 and -40 dBFS). Writes every clip's frame counts to target/speech-gate-report.txt
 * (the figures in docs/audio.md).
 */
class SpeechGateTest {
  static final SpectralSpeechDetector GATE = new SpectralSpeechDetector();
  static final StringBuilder report = new StringBuilder();

  @TempDir static Path dir;

  @AfterAll
  static void writeReport() throws IOException {
    Path out = Path.of("target", "speech-gate-report.txt");
    Files.createDirectories(out.getParent());
    Files.writeString(out, report);
  }

  private static void line(String what, SpeechEvidence e) {
    String s = String.format(Locale.ROOT,
        "%-46s %-9s voiced %3d steady %4d moving %4d share %.2f%n", what,
        e.isSpeech() ? "SPEECH" : "no speech", e.voicedFrames(), e.steadyFrames(),
        e.movingFrames(), e.movingShare());
    synchronized (report) {
      report.append(s);
    }
  }

  @Test
  void noNonSpeechClipIsSpeech() {
    List<Clips.Clip> clips = Clips.nonSpeech();
    assertThat(clips).hasSizeGreaterThanOrEqualTo(40);
    List<String> wrong = new ArrayList<>();
    synchronized (report) {
      report.append("non-speech clips (16 kHz)\n");
    }
    for (Clips.Clip c : clips) {
      assertThat(c.samples().length).as(c.name()).isBetween(Clips.RATE, 4 * Clips.RATE);
      SpeechEvidence e = GATE.evidence(c.samples(), Clips.RATE);
      line(c.name(), e);
      if (e.isSpeech()) {
        wrong.add(c.name() + ": " + e);
      }
    }
    synchronized (report) {
      report.append(String.format(Locale.ROOT, "non-speech: %d of %d called speech%n%n",
          wrong.size(), clips.size()));
    }
    assertThat(wrong).as("non-speech clips the gate called speech").isEmpty();
  }

  @Test
  void noiseIsNeverSpeechOverManySeeds() {
    // Brown noise is the hard case (narrowband low energy: chance periodicity); 200 clips of 4 s,
    // white, pink, brown and brown under pink, from -10 to -58 dBFS.
    Random r = new Random(99);
    long most = 0;
    List<String> wrong = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      float[] x = switch (i % 4) {
        case 0 -> Clips.brown(r, 4);
        case 1 -> Clips.pink(r, 4);
        case 2 -> Clips.white(r, 4);
        default -> Clips.mix(Clips.level(Clips.brown(r, 4), -20),
            Clips.level(Clips.pink(r, 4), -30));
      };
      SpeechEvidence e = GATE.evidence(Clips.level(x, -10 - (i % 7) * 8), Clips.RATE);
      most = Math.max(most, e.movingFrames());
      if (e.isSpeech()) {
        wrong.add("noise clip " + i + ": " + e);
      }
    }
    synchronized (report) {
      report.append(String.format(Locale.ROOT, "200 noise clips of 4 s (seeded): %d called speech,"
          + " most moving frames %d%n%n", wrong.size(), most));
    }
    assertThat(wrong).isEmpty();
  }

  @Test
  void speechIsSpeechCleanInNoiseAndQuiet() {
    Clips.assumeTools();
    Random r = new Random(7);
    int index = 0;
    int total = 0;
    List<String> missed = new ArrayList<>();
    StringBuilder sb = new StringBuilder("speech clips (espeak-ng, 16 kHz)\n");
    for (Map.Entry<String, List<String>> v : Clips.VOICES.entrySet()) {
      for (String sentence : v.getValue()) {
        float[] clean = Clips.speak(dir, v.getKey(), sentence, index++);
        List<Clips.Clip> variants = new ArrayList<>();
        variants.add(new Clips.Clip("clean", clean));
        for (String noise : List.of("white", "pink", "brown")) {
          for (double snr : new double[] {5, 10, 20}) {
            float[] n = switch (noise) {
              case "white" -> Clips.white(r, 4);
              case "pink" -> Clips.pink(r, 4);
              default -> Clips.brown(r, 4);
            };
            variants.add(new Clips.Clip(noise + " " + (int) snr + " dB SNR",
                Clips.withNoise(clean, n, snr)));
          }
        }
        variants.add(new Clips.Clip("-30 dBFS", Clips.quiet(clean, -30)));
        variants.add(new Clips.Clip("-40 dBFS", Clips.quiet(clean, -40)));
        for (Clips.Clip c : variants) {
          String name = v.getKey() + " #" + (index - 1) + " " + c.name();
          SpeechEvidence e = GATE.evidence(c.samples(), Clips.RATE);
          synchronized (report) {
            line(name, e);
          }
          total++;
          if (!e.isSpeech()) {
            missed.add(name + ": " + e);
          }
        }
      }
    }
    synchronized (report) {
      report.append(String.format(Locale.ROOT, "speech: %d of %d called no speech (%.1f %%)%n%n",
          missed.size(), total, 100.0 * missed.size() / total));
    }
    assertThat(total).isGreaterThanOrEqualTo(150);
    assertThat(missed.size()).as("speech clips called no speech: %s", missed)
        .isLessThanOrEqualTo((int) Math.floor(total * 0.02));
  }

  @Test
  void otherVoicesAndShortWordsAreReported() {
    // Outside the brief's set, reported and not asserted (docs/audio.md, "Known limits"): single
    // words, more languages, espeak-ng's creaky and whispering variants, its lowest and highest
    // pitch and its slowest and fastest rate.
    Clips.assumeTools();
    String[][] clips = {
      {"en", "Yes."}, {"en", "No."}, {"en", "Okay."}, {"en+f3", "Hi."},
      {"en+m1", "Hello, how are you doing today?"}, {"en+m7", "I would like to cancel my order."},
      {"en+f4", "Where is the nearest train station?"}, {"en+klatt", "No, thank you."},
      {"it", "Buongiorno, come sta?"}, {"pt", "Bom dia, tudo bem?"},
      {"nl", "Goedemorgen, hoe gaat het?"}, {"pl", "Dzien dobry, jak sie masz?"},
      {"ru", "Privet, kak dela?"}, {"cmn", "ni hao"}, {"hi", "namaste"}, {"sv", "God morgon"},
      {"tr", "Merhaba"}, {"en+croak", "Yes."}, {"en+whisper", "I am whispering now."}};
    StringBuilder sb = new StringBuilder("other voices and short words (reported, not asserted)\n");
    int index = 1000;
    for (String[] c : clips) {
      SpeechEvidence e = GATE.evidence(Clips.speak(dir, c[0], c[1], index++), Clips.RATE);
      sb.append(String.format(Locale.ROOT, "  %-10s %-36s %s%n", c[0], c[1], e));
    }
    String sentence = "Please send the report before Friday afternoon.";
    String[][] options = {{"-p", "0"}, {"-p", "99"}, {"-s", "80"}, {"-s", "400"}};
    for (String[] option : options) {
      Path wav = dir.resolve("option" + index + ".wav");
      Clips.run(Clips.ESPEAK, option[0], option[1], "-w", wav.toString(), sentence);
      Path raw = dir.resolve("option" + index++ + ".f32");
      Clips.run(Clips.SOX, wav.toString(), "-t", "raw", "-e", "floating-point", "-b", "32", "-L",
          "-c", "1", "-r", String.valueOf(Clips.RATE), raw.toString());
      sb.append(String.format(Locale.ROOT, "  en %s %-3s    %-36s %s%n", option[0], option[1],
          sentence, GATE.evidence(readF32(raw), Clips.RATE)));
    }
    synchronized (report) {
      report.append(sb).append('\n');
    }
    assertThat(sb).isNotEmpty();
  }

  @Test
  void speechIsSpeechAtOtherSampleRates() {
    Clips.assumeTools();
    Path wav = dir.resolve("rates.wav");
    Clips.run(Clips.ESPEAK, "-v", "en", "-w", wav.toString(), "Thank you very much for calling.");
    for (int rate : new int[] {8000, 11025, 22050, 44100, 48000}) {
      Path raw = dir.resolve("rates" + rate + ".f32");
      Clips.run(Clips.SOX, wav.toString(), "-t", "raw", "-e", "floating-point", "-b", "32", "-L",
          "-c", "1", "-r", String.valueOf(rate), raw.toString());
      float[] x = readF32(raw);
      SpeechEvidence e = GATE.evidence(x, rate);
      line("en at " + rate + " Hz", e);
      assertThat(e.isSpeech()).as("%d Hz: %s", rate, e).isTrue();
      // and a tone at that rate is not
      float[] tone = new float[rate * 2];
      for (int i = 0; i < tone.length; i++) {
        tone[i] = (float) (0.3 * Math.sin(2 * Math.PI * 440 * i / rate));
      }
      assertThat(GATE.detect(tone, rate).isSpeech()).as("440 Hz tone at %d Hz", rate).isFalse();
    }
  }

  @Test
  void costPerSecondOfAudio() {
    // Reported, not asserted (tests never assert wall-clock limits): docs/audio.md quotes it.
    float[] x = Clips.level(Clips.pink(new Random(3), 10.0), -20);
    for (int i = 0; i < 3; i++) {
      GATE.detect(x, Clips.RATE); // warm-up (JIT)
    }
    int runs = 5;
    long t = System.nanoTime();
    for (int i = 0; i < runs; i++) {
      GATE.detect(x, Clips.RATE);
    }
    double usPerSecond = (System.nanoTime() - t) / 1e3 / runs / 10.0;
    synchronized (report) {
      report.append(String.format(Locale.ROOT, "cost: %.0f us per second of 16 kHz audio "
          + "(one thread, FFT size %d)%n%n", usPerSecond, new FrameClassifier(16000).fftSize()));
    }
    assertThat(usPerSecond).isPositive();
  }

  @Test
  void anyFiniteInputGivesAResult() {
    Random r = new Random(11);
    List<float[]> inputs = new ArrayList<>();
    inputs.add(new float[0]);
    inputs.add(new float[] {0.5f});
    inputs.add(new float[] {1, -1, 1});
    float[] clipped = new float[16000];
    for (int i = 0; i < clipped.length; i++) {
      clipped[i] = (float) Math.max(-1, Math.min(1, r.nextGaussian() * 1e6)); // clipped huge
    }
    inputs.add(clipped);
    float[] full = new float[16000];
    java.util.Arrays.fill(full, 1f); // DC at full scale
    inputs.add(full);
    float[] dc = Clips.offset(Clips.level(Clips.tone(200, 1.0), -20), -0.7f);
    inputs.add(dc);
    float[] tiny = new float[4000];
    for (int i = 0; i < tiny.length; i++) {
      tiny[i] = Float.MIN_VALUE * (i % 3 - 1); // subnormal
    }
    inputs.add(tiny);
    float[] big = new float[8000];
    for (int i = 0; i < big.length; i++) {
      big[i] = (float) (r.nextGaussian() * 1e30); // finite, far outside [-1, 1]
    }
    inputs.add(big);
    for (int n = 0; n < 40; n++) {
      float[] x = new float[r.nextInt(3000)];
      for (int i = 0; i < x.length; i++) {
        x[i] = (float) (r.nextBoolean() ? r.nextGaussian() : r.nextInt(3) - 1);
      }
      inputs.add(x);
    }
    for (int rate : new int[] {1, 2, 100, 1000, 8000, 16000, 192000}) {
      for (float[] x : inputs) {
        SpeechActivity a = GATE.detect(x, rate);
        assertThat(a).as("%d samples at %d Hz", x.length, rate).isNotNull();
        assertThat(a.speechDuration().isNegative()).isFalse();
      }
    }
    assertThat(GATE.detect(new float[0], 16000).isSpeech()).isFalse();
    assertThat(GATE.detect(full, 16000).isSpeech()).isFalse();
  }

  @Test
  void theRecognizerFindsTheGateThroughServiceLoader() {
    List<SpeechDetectorProvider> found = new ArrayList<>();
    ServiceLoader.load(SpeechDetectorProvider.class).forEach(found::add);
    assertThat(found).anySatisfy(p -> {
      assertThat(p).isInstanceOf(SpectralSpeechDetectorProvider.class); // registered, priority 0
      assertThat(p.create()).isInstanceOf(SpectralSpeechDetector.class);
    });
  }

  static float[] readF32(Path raw) {
    try {
      java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(Files.readAllBytes(raw))
          .order(java.nio.ByteOrder.LITTLE_ENDIAN);
      float[] out = new float[b.remaining() / 4];
      b.asFloatBuffer().get(out);
      return out;
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}

package io.mersdk.vad;

import io.mersdk.testkit.audio.Tools;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The clips the gate is measured on, made at test time: non-speech synthesised here from seeded
 * random generators, speech by espeak-ng (converted to 16 kHz float by sox), mixed into noise here.
 * Nothing binary is committed; the tools are run by the testkit's Tools.
 */
final class Clips {
  static final int RATE = 16000;
  static final String ESPEAK = Tools.ESPEAK;
  static final String SOX = Tools.SOX;

  private Clips() {}

  /** A named clip. */
  record Clip(String name, float[] samples) {}

  // ---- non-speech ------------------------------------------------------------------------------

  /** At least 40 clips of 1-4 s that hold no speech. */
  static List<Clip> nonSpeech() {
    List<Clip> out = new ArrayList<>();
    Random r = new Random(20261201);
    out.add(new Clip("digital silence 2 s", new float[2 * RATE]));
    out.add(new Clip("room tone white -70 dBFS", level(white(r, 3.0), -70)));
    out.add(new Clip("room tone pink -60 dBFS", level(pink(r, 3.0), -60)));
    out.add(new Clip("room tone brown -55 dBFS", level(brown(r, 2.0), -55)));
    for (double db : new double[] {-40, -20, -6}) {
      out.add(new Clip("white noise " + (int) db + " dBFS", level(white(r, 2.0), db)));
      out.add(new Clip("pink noise " + (int) db + " dBFS", level(pink(r, 2.0), db)));
      out.add(new Clip("brown noise " + (int) db + " dBFS", level(brown(r, 2.0), db)));
    }
    out.add(new Clip("hum 50 Hz + harmonics -20 dBFS", level(harmonics(50, 3.0, 8, 0.7), -20)));
    out.add(new Clip("hum 60 Hz + harmonics -20 dBFS", level(harmonics(60, 3.0, 8, 0.7), -20)));
    out.add(new Clip("hum 50 Hz + harmonics -45 dBFS", level(harmonics(50, 2.0, 6, 0.5), -45)));
    out.add(new Clip("hum 60 Hz, odd harmonics -10 dBFS", level(oddHarmonics(60, 2.0), -10)));
    for (double f : new double[] {100, 250, 440, 1000, 2000, 4000}) {
      out.add(new Clip("tone " + (int) f + " Hz -12 dBFS", level(tone(f, 2.0), -12)));
    }
    out.add(new Clip("tone 440 Hz -6 dBFS 4 s", level(tone(440, 4.0), -6)));
    out.add(new Clip("chord C major (pure)", level(chord(2.0, 1, 261.63, 329.63, 392.00), -15)));
    out.add(new Clip("chord A minor (harmonics)",
        level(chord(2.0, 6, 220.00, 261.63, 329.63), -15)));
    out.add(new Clip("chord G7 (harmonics)",
        level(chord(3.0, 4, 196.00, 246.94, 293.66, 349.23), -10)));
    out.add(new Clip("ringback 440+480 Hz", level(chord(2.0, 1, 440, 480), -15)));
    out.add(new Clip("busy tone 480+620 Hz on/off", level(gated(chord(3.0, 1, 480, 620), 0.5),
        -15)));
    out.add(new Clip("DTMF digits", level(dtmf(r, 12), -15)));
    out.add(new Clip("square wave 200 Hz", level(square(200, 2.0), -20)));
    out.add(new Clip("sawtooth 150 Hz", level(harmonics(150, 2.0, 30, 1.0), -20)));
    out.add(new Clip("clicks 2 per s", level(clicks(r, 3.0, 2, false), -30)));
    out.add(new Clip("clicks 8 per s", level(clicks(r, 2.0, 8, false), -30)));
    out.add(new Clip("clicks at random", level(clicks(r, 3.0, 5, true), -30)));
    out.add(new Clip("impulse train 100 Hz", level(clicks(r, 2.0, 100, false), -20)));
    out.add(new Clip("melody pure, 250 ms notes", level(melody(r, 2.0, 0.25, 1, 0), -15)));
    out.add(new Clip("melody harmonics, 250 ms notes", level(melody(r, 2.0, 0.25, 6, 0), -15)));
    out.add(new Clip("melody harmonics, 125 ms notes", level(melody(r, 2.0, 0.125, 6, 0), -15)));
    out.add(new Clip("melody pure, 500 ms notes", level(melody(r, 4.0, 0.5, 1, 0), -15)));
    out.add(new Clip("melody harmonics, 180 ms notes, gaps", level(melody(r, 3.0, 0.18, 5, 0.4),
        -12)));
    out.add(new Clip("melody plucked, 300 ms notes", level(melody(r, 3.0, 0.3, 8, 1.0), -12)));
    out.add(new Clip("melody low, harmonics, 200 ms notes",
        level(melody(r, 2.0, 0.2, 10, 0.2, 98), -12)));
    out.add(new Clip("white noise fading in -60..-10 dBFS", fade(white(r, 4.0), -60, -10)));
    out.add(new Clip("pink noise fading out -6..-50 dBFS", fade(pink(r, 4.0), -6, -50)));
    out.add(new Clip("brown noise swelling -40..-6 dBFS", fade(brown(r, 3.0), -40, -6)));
    out.add(new Clip("hum 50 Hz under room tone", mix(level(harmonics(50, 2.0, 8, 0.7), -30),
        level(pink(r, 2.0), -50))));
    out.add(new Clip("DC offset 0.3 with room tone", offset(level(white(r, 1.0), -70), 0.3f)));
    return out;
  }

  // ---- speech ----------------------------------------------------------------------------------

  /** espeak-ng voice and a sentence in its language. */
  static final Map<String, List<String>> VOICES = new LinkedHashMap<>();

  static {
    List<String> en = List.of("The weather is lovely today, isn't it?",
        "Please send the report before Friday afternoon.");
    VOICES.put("en", en);
    VOICES.put("en-us", List.of("I cannot believe you did that to me!",
        "We will meet at the station at seven."));
    VOICES.put("en+f3", en);
    VOICES.put("en+m3", List.of("Thank you very much for calling.",
        "My account number is four two seven."));
    VOICES.put("en-us+f2", List.of("Could you repeat that, please?", "That sounds great to me."));
    VOICES.put("de", List.of("Guten Morgen, wie geht es Ihnen heute?",
        "Der Zug kommt um acht Uhr an."));
    VOICES.put("fr", List.of("Bonjour, je voudrais parler au directeur.",
        "Il fait tres beau aujourd'hui."));
    VOICES.put("es", List.of("Buenos dias, necesito ayuda con mi cuenta.",
        "La reunion empieza a las tres."));
  }

  /** Clean espeak-ng speech at 16 kHz, with 0.3 s of silence on each side. */
  static float[] speak(Path dir, String voice, String text, int index) {
    Path wav = dir.resolve("speech" + index + ".wav");
    run(ESPEAK, "-v", voice, "-w", wav.toString(), text);
    return Tools.soxMono(wav, RATE, "pad", "0.3", "0.3");
  }

  /** {@code speech} with {@code noise} under it at {@code snrDb} (of the speech's active part). */
  static float[] withNoise(float[] speech, float[] noise, double snrDb) {
    double speechPower = activePower(speech);
    double noisePower = power(noise, 0, noise.length);
    double gain = Math.sqrt(speechPower / noisePower / Math.pow(10, snrDb / 10));
    float[] out = new float[speech.length];
    double peak = 0;
    for (int i = 0; i < out.length; i++) {
      out[i] = (float) (speech[i] + gain * noise[i % noise.length]);
      peak = Math.max(peak, Math.abs(out[i]));
    }
    if (peak > 1) {
      for (int i = 0; i < out.length; i++) {
        out[i] /= (float) peak;
      }
    }
    return out;
  }

  /** {@code speech} scaled so its active part has RMS {@code db} dBFS. */
  static float[] quiet(float[] speech, double db) {
    double g = Math.sqrt(Math.pow(10, db / 10) / activePower(speech));
    float[] out = new float[speech.length];
    for (int i = 0; i < out.length; i++) {
      out[i] = (float) (speech[i] * g);
    }
    return out;
  }

  /** Mean power over the samples between the first and last above 1e-3 of full scale. */
  static double activePower(float[] x) {
    int first = 0;
    while (first < x.length && Math.abs(x[first]) <= 1e-3) {
      first++;
    }
    int last = x.length;
    while (last > first && Math.abs(x[last - 1]) <= 1e-3) {
      last--;
    }
    return power(x, first, last);
  }

  static double power(float[] x, int from, int to) {
    double s = 0;
    for (int i = from; i < to; i++) {
      s += (double) x[i] * x[i];
    }
    return to > from ? s / (to - from) : 0;
  }

  // ---- generators ------------------------------------------------------------------------------

  static float[] white(Random r, double seconds) {
    float[] x = new float[(int) (seconds * RATE)];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) r.nextGaussian();
    }
    return x;
  }

  /** Pink (1/f) noise: Paul Kellet's refined filter over white noise. */
  static float[] pink(Random r, double seconds) {
    float[] x = new float[(int) (seconds * RATE)];
    double b0 = 0, b1 = 0, b2 = 0, b3 = 0, b4 = 0, b5 = 0, b6 = 0;
    for (int i = 0; i < x.length; i++) {
      double w = r.nextGaussian();
      b0 = 0.99886 * b0 + w * 0.0555179;
      b1 = 0.99332 * b1 + w * 0.0750759;
      b2 = 0.96900 * b2 + w * 0.1538520;
      b3 = 0.86650 * b3 + w * 0.3104856;
      b4 = 0.55000 * b4 + w * 0.5329522;
      b5 = -0.7616 * b5 - w * 0.0168980;
      x[i] = (float) (b0 + b1 + b2 + b3 + b4 + b5 + b6 + w * 0.5362);
      b6 = w * 0.115926;
    }
    return x;
  }

  /** Brown (1/f^2) noise: leaky integration of white noise. */
  static float[] brown(Random r, double seconds) {
    float[] x = new float[(int) (seconds * RATE)];
    double s = 0;
    for (int i = 0; i < x.length; i++) {
      s = 0.998 * s + r.nextGaussian();
      x[i] = (float) s;
    }
    return x;
  }

  static float[] tone(double hz, double seconds) {
    float[] x = new float[(int) (seconds * RATE)];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) Math.sin(2 * Math.PI * hz * i / RATE);
    }
    return x;
  }

  /** A fundamental and {@code count - 1} harmonics, the k-th at {@code decay^(k-1)}. */
  static float[] harmonics(double hz, double seconds, int count, double decay) {
    float[] x = new float[(int) (seconds * RATE)];
    for (int k = 1; k <= count && k * hz < RATE / 2.0; k++) {
      double a = Math.pow(decay, k - 1);
      for (int i = 0; i < x.length; i++) {
        x[i] += (float) (a * Math.sin(2 * Math.PI * k * hz * i / RATE));
      }
    }
    return x;
  }

  static float[] oddHarmonics(double hz, double seconds) {
    float[] x = new float[(int) (seconds * RATE)];
    for (int k = 1; k <= 9; k += 2) {
      for (int i = 0; i < x.length; i++) {
        x[i] += (float) (Math.sin(2 * Math.PI * k * hz * i / RATE) / k);
      }
    }
    return x;
  }

  static float[] chord(double seconds, int harmonics, double... hz) {
    float[] x = new float[(int) (seconds * RATE)];
    for (double f : hz) {
      float[] n = harmonics(f, seconds, harmonics, 0.6);
      for (int i = 0; i < x.length; i++) {
        x[i] += n[i];
      }
    }
    return x;
  }

  static float[] square(double hz, double seconds) {
    float[] x = new float[(int) (seconds * RATE)];
    for (int i = 0; i < x.length; i++) {
      x[i] = Math.sin(2 * Math.PI * hz * i / RATE) >= 0 ? 1 : -1;
    }
    return x;
  }

  /** {@code x} switched on and off every {@code period} seconds. */
  static float[] gated(float[] x, double period) {
    int p = (int) (period * RATE);
    for (int i = 0; i < x.length; i++) {
      if ((i / p) % 2 == 1) {
        x[i] = 0;
      }
    }
    return x;
  }

  /** {@code digits} DTMF key presses of 100 ms with 60 ms between them. */
  static float[] dtmf(Random r, int digits) {
    double[] low = {697, 770, 852, 941};
    double[] high = {1209, 1336, 1477};
    int on = RATE / 10;
    int off = (int) (0.06 * RATE);
    float[] x = new float[digits * (on + off)];
    for (int d = 0; d < digits; d++) {
      double a = low[r.nextInt(4)];
      double b = high[r.nextInt(3)];
      for (int i = 0; i < on; i++) {
        x[d * (on + off) + i] = (float) (Math.sin(2 * Math.PI * a * i / RATE)
            + Math.sin(2 * Math.PI * b * i / RATE));
      }
    }
    return x;
  }

  /** Clicks (1 ms decaying bursts) {@code perSecond}, evenly or at random times. */
  static float[] clicks(Random r, double seconds, double perSecond, boolean random) {
    float[] x = new float[(int) (seconds * RATE)];
    int count = (int) (seconds * perSecond);
    for (int c = 0; c < count; c++) {
      int at = random ? r.nextInt(x.length) : (int) (c * RATE / perSecond);
      for (int i = 0; i < RATE / 1000 && at + i < x.length; i++) {
        x[at + i] += (float) ((i == 0 ? 1 : r.nextGaussian() * 0.3) * Math.exp(-i / 4.0));
      }
    }
    return x;
  }

  static float[] melody(Random r, double seconds, double note, int harmonics, double pluck) {
    return melody(r, seconds, note, harmonics, pluck, 262);
  }

  /**
   * Notes of a major scale around {@code baseHz}, each {@code note} s, with {@code harmonics}
   * partials; {@code pluck} 0 holds each note, 1 lets it decay (and 0 < pluck < 1 leaves a gap
   * of that share of the note).
   */
  static float[] melody(Random r, double seconds, double note, int harmonics, double pluck,
      double baseHz) {
    int[] scale = {0, 2, 4, 5, 7, 9, 11, 12};
    int len = (int) (note * RATE);
    float[] x = new float[(int) (seconds * RATE)];
    for (int start = 0; start < x.length; start += len) {
      double hz = baseHz * Math.pow(2, scale[r.nextInt(scale.length)] / 12.0);
      for (int i = 0; i < len && start + i < x.length; i++) {
        double env = Math.min(1, i / (0.01 * RATE)) * Math.min(1, (len - i) / (0.01 * RATE));
        if (pluck >= 1) {
          env *= Math.exp(-3.0 * i / len);
        } else if (pluck > 0 && i > len * (1 - pluck)) {
          env = 0;
        }
        double v = 0;
        for (int k = 1; k <= harmonics && k * hz < RATE / 2.0; k++) {
          v += Math.pow(0.6, k - 1) * Math.sin(2 * Math.PI * k * hz * i / RATE);
        }
        x[start + i] = (float) (env * v);
      }
    }
    return x;
  }

  /** {@code x} scaled to RMS {@code db} dBFS. */
  static float[] level(float[] x, double db) {
    double p = power(x, 0, x.length);
    double g = p > 0 ? Math.sqrt(Math.pow(10, db / 10) / p) : 0;
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) Math.max(-1, Math.min(1, x[i] * g));
    }
    return x;
  }

  /** {@code x} at a level moving linearly (in dB) from {@code fromDb} to {@code toDb}. */
  static float[] fade(float[] x, double fromDb, double toDb) {
    level(x, 0);
    for (int i = 0; i < x.length; i++) {
      double db = fromDb + (toDb - fromDb) * i / x.length;
      x[i] = (float) Math.max(-1, Math.min(1, x[i] * Math.pow(10, db / 20)));
    }
    return x;
  }

  static float[] mix(float[] a, float[] b) {
    for (int i = 0; i < a.length; i++) {
      a[i] += b[i % b.length];
    }
    return a;
  }

  static float[] offset(float[] x, float dc) {
    for (int i = 0; i < x.length; i++) {
      x[i] += dc;
    }
    return x;
  }

  // ---- tools -----------------------------------------------------------------------------------

  static void assumeTools() {
    Tools.assumeEspeakAndSox();
  }

  static String run(String... cmd) {
    return Tools.run(cmd);
  }
}

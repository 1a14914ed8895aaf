package io.mersdk.audio;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Two-party calls made for tests: espeak-ng speech with a different voice per party (the agent a
 * calm male voice, the customer a higher, faster, louder female voice), placed on a known script
 * with pauses and an overlap, each channel written by sox and the two merged by {@code sox -M}
 * into one stereo WAV, 16-bit, at the rate asked for (8 kHz as phone recordings are).
 */
final class TestCalls {
  /** One line of the script: who says what, and how long after the previous line starts. */
  record Line(int channel, String text, double afterPrevious) {}

  /** Where a line's speech is in the call: first and last sample above -60 dBFS, in seconds. */
  record Spoken(int channel, double start, double end) {}

  /** The call file and where each line's speech is. */
  record Call(Path file, int rate, List<Spoken> truth) {}

  static final String[] VOICES = {"en+m3", "en+f3"};
  static final String[][] VOICE_OPTIONS = {{"-p", "40", "-s", "160"},
      {"-p", "80", "-s", "200", "-a", "140"}};

  /**
   * The script: the agent greets; the customer complains; the agent starts apologising while the
   * customer is still speaking (an overlap); a long pause (over 3 s); the customer thanks.
   * {@code afterPrevious} is negative when a line starts before the previous one ends; it counts
   * from the previous line's end.
   */
  static final List<Line> SCRIPT = List.of(
      new Line(0, "Good morning, thank you for calling. How can I help you today?", 0.5),
      new Line(1, "My internet has been down for three days and nobody called me back!", 0.7),
      new Line(0, "I am so sorry to hear that.", -1.2),
      new Line(1, "Fine. Thank you very much.", 3.5));

  private TestCalls() {}

  /** Makes the scripted call at {@code rate} Hz into {@code dir}. */
  static Call make(Path dir, int rate) {
    float[][] channels = new float[2][rate * 60];
    List<Spoken> truth = new ArrayList<>();
    double previousEnd = 0;
    int length = 0;
    for (int i = 0; i < SCRIPT.size(); i++) {
      Line line = SCRIPT.get(i);
      Path wav = dir.resolve("line" + i + ".wav");
      List<String> cmd = new ArrayList<>(List.of(TestAudio.ESPEAK, "-v", VOICES[line.channel()]));
      cmd.addAll(List.of(VOICE_OPTIONS[line.channel()]));
      cmd.addAll(List.of("-w", wav.toString(), line.text()));
      TestAudio.run(cmd.toArray(String[]::new));
      float[] x = TestAudio.soxMono(wav, rate);
      int[] e = TestAudio.extent(x, 1e-3);
      // place the line so that its speech starts afterPrevious after the previous speech's end
      double speechStart = previousEnd + line.afterPrevious();
      int at = Math.max(0, (int) Math.round(speechStart * rate) - e[0]);
      System.arraycopy(x, 0, channels[line.channel()], at, x.length);
      truth.add(new Spoken(line.channel(), (at + e[0]) / (double) rate,
          (at + e[1]) / (double) rate));
      previousEnd = (at + e[1]) / (double) rate;
      length = Math.max(length, at + x.length);
    }
    length += rate; // a second of silence at the end
    Path[] sides = new Path[2];
    for (int c = 0; c < 2; c++) {
      sides[c] = writeChannel(dir, "side" + c, channels[c], length, rate);
    }
    Path call = dir.resolve("call-stereo-" + rate + ".wav");
    TestAudio.run(TestAudio.SOX, "-M", sides[0].toString(), sides[1].toString(), "-b", "16",
        call.toString());
    return new Call(call, rate, List.copyOf(truth));
  }

  /** A mono 16-bit WAV of {@code x[0, length)}, written by sox from raw floats. */
  static Path writeChannel(Path dir, String name, float[] x, int length, int rate) {
    Path raw = dir.resolve(name + ".f32");
    ByteBuffer b = ByteBuffer.allocate(length * 4).order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < length; i++) {
      b.putFloat(x[i]);
    }
    try {
      Files.write(raw, b.array());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Path wav = dir.resolve(name + ".wav");
    TestAudio.run(TestAudio.SOX, "-t", "raw", "-e", "floating-point", "-b", "32", "-L", "-c", "1",
        "-r", String.valueOf(rate), raw.toString(), "-b", "16", wav.toString());
    return wav;
  }
}

package io.mersdk.audio;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.sound.sampled.AudioFormat;
import javax.sound.sampled.Control;
import javax.sound.sampled.DataLine;
import javax.sound.sampled.Line;
import javax.sound.sampled.LineListener;
import javax.sound.sampled.TargetDataLine;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The microphone finds utterances with the streaming segmenter as the audio arrives: a fake
 * capture line plays two espeak-ng sentences at 48 kHz stereo with a loud tone and loud noise
 * between them; the utterances are the two sentences, resampled to 16 kHz, and nothing else.
 */
class MicrophoneSourceTest {
  static final int CAPTURE = 48000;

  @TempDir static Path dir;
  static float[] capture;
  /** Per sentence: {start, end} in seconds of the capture. */
  static final List<double[]> sentences = new ArrayList<>();

  @BeforeAll
  static void makeCapture() {
    TestAudio.assumeTools();
    float[] a = AudioSources.of(TestAudio.speak(dir, "a.wav", "The weather is lovely today."))
        .readMono(CAPTURE);
    float[] b = AudioSources.of(TestAudio.speak(dir, "b.wav",
        "Please send the report before Friday afternoon.")).readMono(CAPTURE);
    float[] gap = new float[CAPTURE];
    float[] tone = new float[CAPTURE * 3 / 2];
    for (int i = 0; i < tone.length; i++) {
      tone[i] = (float) (0.1 * Math.sin(2 * Math.PI * 440 * i / CAPTURE));
    }
    float[] noise = new float[CAPTURE * 3 / 2];
    Random r = new Random(1);
    for (int i = 0; i < noise.length; i++) {
      noise[i] = (float) (0.1 * r.nextGaussian());
    }
    float[] x = new float[0];
    for (float[] p : List.of(gap, a, gap, tone, gap, noise, gap, b, gap)) {
      if (p == a || p == b) {
        sentences.add(new double[] {x.length / (double) CAPTURE,
            (x.length + p.length) / (double) CAPTURE});
      }
      x = SegmenterTest.concat(x, p);
    }
    capture = x;
  }

  @Test
  void utterancesAreTheSentencesOnly() throws Exception {
    FakeLine line = new FakeLine(capture);
    List<SpeechSegment> heard = new CopyOnWriteArrayList<>();
    try (MicrophoneSource mic = MicrophoneSource.builder().line(line).sampleRate(16000)
        .onUtterance(heard::add).build()) {
      mic.start();
      // the line ends its data 1 s after the last sentence: both are complete by then
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (heard.size() < 2 && System.nanoTime() < deadline && !line.drained()) {
        Thread.sleep(20);
      }
      mic.stop();
      List<SpeechSegment> queued = mic.drainUtterances();
      assertThat(queued).hasSize(2);
      assertThat(heard).hasSize(2);
      for (int i = 0; i < 2; i++) {
        SpeechSegment s = queued.get(i);
        assertThat(s.sampleRate()).isEqualTo(16000);
        double mid = (sentences.get(i)[0] + sentences.get(i)[1]) / 2;
        assertThat(s.start().toNanos() / 1e9).as("start of sentence %d", i).isLessThan(mid)
            .isGreaterThan(sentences.get(i)[0] - 0.3);
        assertThat(s.end().toNanos() / 1e9).as("end of sentence %d", i).isGreaterThan(mid)
            .isLessThan(sentences.get(i)[1] + 0.3);
      }
    }
  }

  /** A capture line serving 16-bit stereo PCM from memory, in reads of at most 10 ms. */
  static final class FakeLine implements TargetDataLine {
    private final AudioFormat format = new AudioFormat(CAPTURE, 16, 2, true, false);
    private final byte[] data;
    private volatile int pos;
    private volatile boolean open;
    private volatile boolean running;

    FakeLine(float[] mono) {
      data = new byte[mono.length * 4];
      for (int i = 0; i < mono.length; i++) {
        int v = Math.max(-32768, Math.min(32767, Math.round(mono[i] * 32767)));
        for (int c = 0; c < 2; c++) {
          data[4 * i + 2 * c] = (byte) v;
          data[4 * i + 2 * c + 1] = (byte) (v >> 8);
        }
      }
    }

    boolean drained() {
      return pos >= data.length;
    }

    @Override
    public int read(byte[] b, int off, int len) {
      if (!open) {
        return 0;
      }
      int n = Math.min(Math.min(len, CAPTURE / 100 * 4), data.length - pos);
      if (n <= 0) {
        try {
          Thread.sleep(5); // like a real line: nothing yet
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        return 0;
      }
      n -= n % 4;
      System.arraycopy(data, pos, b, off, n);
      pos += n;
      return n;
    }

    @Override
    public void open(AudioFormat f, int bufferSize) {
      open = true;
    }

    @Override
    public void open(AudioFormat f) {
      open = true;
    }

    @Override
    public void open() {
      open = true;
    }

    @Override
    public void close() {
      open = false;
    }

    @Override
    public boolean isOpen() {
      return open;
    }

    @Override
    public void start() {
      running = true;
    }

    @Override
    public void stop() {
      running = false;
    }

    @Override
    public boolean isRunning() {
      return running;
    }

    @Override
    public boolean isActive() {
      return running;
    }

    @Override
    public AudioFormat getFormat() {
      return format;
    }

    @Override
    public int getBufferSize() {
      return CAPTURE * 4;
    }

    @Override
    public int available() {
      return data.length - pos;
    }

    @Override
    public void drain() {}

    @Override
    public void flush() {}

    @Override
    public int getFramePosition() {
      return pos / 4;
    }

    @Override
    public long getLongFramePosition() {
      return pos / 4;
    }

    @Override
    public long getMicrosecondPosition() {
      return pos / 4 * 1_000_000L / CAPTURE;
    }

    @Override
    public float getLevel() {
      return javax.sound.sampled.AudioSystem.NOT_SPECIFIED;
    }

    @Override
    public Line.Info getLineInfo() {
      return new DataLine.Info(TargetDataLine.class, format);
    }

    @Override
    public Control[] getControls() {
      return new Control[0];
    }

    @Override
    public boolean isControlSupported(Control.Type control) {
      return false;
    }

    @Override
    public Control getControl(Control.Type control) {
      throw new IllegalArgumentException("no controls");
    }

    @Override
    public void addLineListener(LineListener listener) {}

    @Override
    public void removeLineListener(LineListener listener) {}
  }


}

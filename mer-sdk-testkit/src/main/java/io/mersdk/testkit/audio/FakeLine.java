package io.mersdk.testkit.audio;

import java.util.concurrent.CountDownLatch;
import javax.sound.sampled.AudioFormat;
import javax.sound.sampled.AudioSystem;
import javax.sound.sampled.Control;
import javax.sound.sampled.DataLine;
import javax.sound.sampled.Line;
import javax.sound.sampled.LineListener;
import javax.sound.sampled.TargetDataLine;

/**
 * A microphone that plays back fixed samples as 16-bit little-endian PCM (the same samples on
 * every channel), in reads of at most {@code maxFramesPerRead} frames, then blocks like a real
 * line in a quiet room until it is closed (closing makes a blocked read return 0).
 */
public final class FakeLine implements TargetDataLine {
  private final AudioFormat format;
  private final int frameSize;
  private final int maxBytesPerRead;
  private final byte[] data;
  private final CountDownLatch drained = new CountDownLatch(1);
  private int at;
  private boolean open;
  private boolean running;
  private boolean everClosed;

  /** 16 kHz mono, served as fast as it is read. */
  public FakeLine(float[] mono) {
    this(mono, 16000, 1, Integer.MAX_VALUE);
  }

  /** {@code mono} on each of {@code channels} at {@code rate}, {@code maxFramesPerRead} at a time. */
  public FakeLine(float[] mono, int rate, int channels, int maxFramesPerRead) {
    this.format = new AudioFormat(rate, 16, channels, true, false);
    this.frameSize = 2 * channels;
    this.maxBytesPerRead = (int) Math.min(Integer.MAX_VALUE, (long) maxFramesPerRead * frameSize);
    this.data = new byte[mono.length * frameSize];
    for (int i = 0; i < mono.length; i++) {
      int v = Math.round(Math.max(-1f, Math.min(1f, mono[i])) * 32767);
      for (int c = 0; c < channels; c++) {
        data[frameSize * i + 2 * c] = (byte) v;
        data[frameSize * i + 2 * c + 1] = (byte) (v >> 8);
      }
    }
  }

  /** Counts down when a read finds every sample read (the reader is done with the last one). */
  public CountDownLatch drained() {
    return drained;
  }

  /** Whether {@link #drained()} has counted down. */
  public boolean isDrained() {
    return drained.getCount() == 0;
  }

  public synchronized boolean wasClosed() {
    return everClosed;
  }

  @Override
  public synchronized int read(byte[] b, int off, int len) {
    int n = Math.min(Math.min(len, maxBytesPerRead), data.length - at);
    n -= n % frameSize;
    if (n > 0) {
      System.arraycopy(data, at, b, off, n);
      at += n;
      return n;
    }
    drained.countDown();
    while (open) {
      try {
        wait();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return 0;
      }
    }
    return 0;
  }

  @Override
  public synchronized void open(AudioFormat wanted, int bufferSize) {
    open(wanted);
  }

  @Override
  public synchronized void open(AudioFormat wanted) {
    if (!wanted.matches(format)) {
      throw new IllegalArgumentException("fake line only does " + format);
    }
    open = true;
  }

  @Override
  public synchronized void open() {
    open = true;
  }

  @Override
  public synchronized void close() {
    open = false;
    running = false;
    everClosed = true;
    notifyAll();
  }

  @Override
  public synchronized boolean isOpen() {
    return open;
  }

  @Override
  public synchronized void start() {
    running = true;
  }

  @Override
  public synchronized void stop() {
    running = false;
  }

  @Override
  public synchronized boolean isRunning() {
    return running;
  }

  @Override
  public synchronized boolean isActive() {
    return running;
  }

  @Override
  public AudioFormat getFormat() {
    return format;
  }

  @Override
  public void drain() {}

  @Override
  public void flush() {}

  /** 100 ms of audio. */
  @Override
  public int getBufferSize() {
    return (int) format.getSampleRate() / 10 * frameSize;
  }

  @Override
  public synchronized int available() {
    return data.length - at;
  }

  @Override
  public synchronized int getFramePosition() {
    return at / frameSize;
  }

  @Override
  public synchronized long getLongFramePosition() {
    return at / frameSize;
  }

  @Override
  public synchronized long getMicrosecondPosition() {
    return at / frameSize * 1_000_000L / (long) format.getSampleRate();
  }

  @Override
  public float getLevel() {
    return AudioSystem.NOT_SPECIFIED;
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
    throw new IllegalArgumentException("no controls on a fake line");
  }

  @Override
  public void addLineListener(LineListener listener) {}

  @Override
  public void removeLineListener(LineListener listener) {}
}

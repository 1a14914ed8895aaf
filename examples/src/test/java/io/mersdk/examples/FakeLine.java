package io.mersdk.examples;

import java.util.concurrent.CountDownLatch;
import javax.sound.sampled.AudioFormat;
import javax.sound.sampled.Control;
import javax.sound.sampled.DataLine;
import javax.sound.sampled.LineListener;
import javax.sound.sampled.TargetDataLine;

/**
 * A microphone that plays back fixed samples (16 kHz, 16-bit mono) as fast as it is read, then
 * blocks like a real line in a quiet room until it is closed.
 */
final class FakeLine implements TargetDataLine {
  private static final AudioFormat FORMAT = new AudioFormat(TestAudio.RATE, 16, 1, true, false);

  private final byte[] data;
  private final CountDownLatch drained = new CountDownLatch(1);
  private int at;
  private boolean open;
  private boolean running;
  private boolean everClosed;

  FakeLine(float[] samples) {
    this.data = TestAudio.pcm16(samples);
  }

  /** Counts down once every sample has been read. */
  CountDownLatch drained() {
    return drained;
  }

  synchronized boolean wasClosed() {
    return everClosed;
  }

  @Override
  public synchronized int read(byte[] b, int off, int len) {
    int n = Math.min(len - len % 2, data.length - at);
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
  public synchronized void open(AudioFormat format, int bufferSize) {
    open(format);
  }

  @Override
  public synchronized void open(AudioFormat format) {
    if (!format.matches(FORMAT)) {
      throw new IllegalArgumentException("fake line only does " + FORMAT);
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
    return FORMAT;
  }

  @Override
  public void drain() {}

  @Override
  public void flush() {}

  @Override
  public int getBufferSize() {
    return 3200;
  }

  @Override
  public synchronized int available() {
    return data.length - at;
  }

  @Override
  public synchronized int getFramePosition() {
    return at / 2;
  }

  @Override
  public synchronized long getLongFramePosition() {
    return at / 2;
  }

  @Override
  public synchronized long getMicrosecondPosition() {
    return at / 2 * 1_000_000L / TestAudio.RATE;
  }

  @Override
  public float getLevel() {
    return javax.sound.sampled.AudioSystem.NOT_SPECIFIED;
  }

  @Override
  public javax.sound.sampled.Line.Info getLineInfo() {
    return new DataLine.Info(TargetDataLine.class, FORMAT);
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

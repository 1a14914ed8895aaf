package io.mersdk.audio.internal;

import java.util.Arrays;

/**
 * A float array that grows as samples arrive, doubling up to a hard cap. Memory follows the data
 * actually read, never a length a header claims.
 */
public final class FloatBuffer {
  private static final int INITIAL = 16 * 1024;
  private float[] data;
  private int size;
  private final int cap;

  /** @param cap the most samples this buffer will ever hold */
  public FloatBuffer(int cap) {
    this.cap = cap;
    this.data = new float[Math.min(INITIAL, Math.max(cap, 1))];
  }

  /** Appends one sample; returns false (and appends nothing) if the cap is reached. */
  public boolean add(float v) {
    if (size == data.length) {
      if (size >= cap) {
        return false;
      }
      data = Arrays.copyOf(data, (int) Math.min(cap, Math.max(INITIAL, 2L * size)));
    }
    data[size++] = v;
    return true;
  }

  public int size() {
    return size;
  }

  public int cap() {
    return cap;
  }

  /** The samples in an array of exactly {@link #size()}. */
  public float[] toArray() {
    return size == data.length ? data : Arrays.copyOf(data, size);
  }

  /** A copy of samples {@code [from, to)}. */
  public float[] copy(int from, int to) {
    return Arrays.copyOfRange(data, from, to);
  }

  /** Keeps only the first {@code n} samples ({@code n <= size()}). */
  public void truncate(int n) {
    size = Math.min(size, n);
  }

  /** Drops the first {@code n} samples (used by streaming consumers to bound memory). */
  public void dropFirst(int n) {
    System.arraycopy(data, n, data, 0, size - n);
    size -= n;
  }
}

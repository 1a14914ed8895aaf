package io.mersdk.onnx.internal.pipeline;

/** Cutting one item out of a row-major batch array. */
final class Slices {
  private Slices() {}

  /**
   * Item {@code item} of {@code data} with batch shape {@code shape} (axis 0 = batch), keeping only
   * the first {@code keep} entries of axis {@code axis}.
   *
   * @return the item's data; its shape is {@link #itemShape}
   */
  static float[] item(float[] data, long[] shape, int item, int axis, int keep) {
    long itemSize = 1;
    for (int k = 1; k < shape.length; k++) {
      itemSize *= shape[k];
    }
    long outer = 1;
    for (int k = 1; k < axis; k++) {
      outer *= shape[k];
    }
    long inner = 1;
    for (int k = axis + 1; k < shape.length; k++) {
      inner *= shape[k];
    }
    float[] out = new float[(int) (outer * keep * inner)];
    for (int o = 0; o < outer; o++) {
      long from = item * itemSize + o * shape[axis] * inner;
      System.arraycopy(data, (int) from, out, (int) (o * keep * inner), (int) (keep * inner));
    }
    return out;
  }

  static long[] itemShape(long[] shape, int axis, int keep) {
    long[] s = java.util.Arrays.copyOfRange(shape, 1, shape.length);
    s[axis - 1] = keep;
    return s;
  }
}

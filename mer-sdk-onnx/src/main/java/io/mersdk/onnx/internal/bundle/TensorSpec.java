package io.mersdk.onnx.internal.bundle;

import java.util.Arrays;

/**
 * What the manifest says one graph input or output must look like.
 *
 * @param shape expected dimensions; {@link #ANY} where the axis is dynamic (batch, time)
 * @param because the manifest fields the static dimensions come from, for messages
 */
public record TensorSpec(String name, boolean input, Element element, long[] shape, String because) {
  /** A dynamic axis (batch, time, tokens). */
  public static final long ANY = -1;

  /** The element types the bundle format uses. */
  public enum Element {
    FLOAT32,
    INT64
  }

  public String shapeText() {
    StringBuilder sb = new StringBuilder("[");
    for (int i = 0; i < shape.length; i++) {
      sb.append(i == 0 ? "" : ", ").append(shape[i] == ANY ? "?" : Long.toString(shape[i]));
    }
    return sb.append(']').toString();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TensorSpec t && t.name.equals(name) && t.input == input
        && t.element == element && Arrays.equals(t.shape, shape);
  }

  @Override
  public int hashCode() {
    return name.hashCode() * 31 + Arrays.hashCode(shape);
  }

  @Override
  public String toString() {
    return (input ? "input " : "output ") + name + " " + element + shapeText();
  }
}

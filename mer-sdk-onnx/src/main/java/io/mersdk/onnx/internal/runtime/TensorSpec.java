package io.mersdk.onnx.internal.runtime;

import java.util.Arrays;

/**
 * What one graph input or output must look like: the contract a stage declares for the graph it
 * feeds (from the manifest's sizes), checked by {@link Graph#check} against what the ONNX file
 * declares.
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

  /** An input of {@code shape}, its static sizes explained by {@code because}. */
  public static TensorSpec in(String name, Element e, String because, long... shape) {
    return new TensorSpec(name, true, e, shape, because);
  }

  /** An output of {@code shape}, its static sizes explained by {@code because}. */
  public static TensorSpec out(String name, Element e, String because, long... shape) {
    return new TensorSpec(name, false, e, shape, because);
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

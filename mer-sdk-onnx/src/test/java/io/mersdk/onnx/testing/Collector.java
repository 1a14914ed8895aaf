package io.mersdk.onnx.testing;

import io.mersdk.onnx.internal.pipeline.Probe;
import java.util.concurrent.ConcurrentHashMap;
import java.util.Map;

/** A probe that keeps every intermediate array, keyed by name and item (thread-safe). */
public final class Collector implements Probe {
  private final Map<String, TestData.Array> arrays = new ConcurrentHashMap<>();

  @Override
  public boolean wants(String array) {
    return true;
  }

  @Override
  public void accept(String array, int item, long[] shape, float[] data) {
    arrays.put(array + "#" + item, new TestData.Array(shape, data));
  }

  public TestData.Array get(String array, int item) {
    TestData.Array a = arrays.get(array + "#" + item);
    if (a == null) {
      throw new AssertionError("the pipeline produced no " + array + " for item " + item);
    }
    return a;
  }

  public boolean has(String array, int item) {
    return arrays.containsKey(array + "#" + item);
  }
}

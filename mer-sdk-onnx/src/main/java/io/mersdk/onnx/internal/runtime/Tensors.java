package io.mersdk.onnx.internal.runtime;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import io.mersdk.InferenceException;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;

/** Creating and reading tensors; every failure is an {@link InferenceException} naming the stage. */
public final class Tensors {
  private Tensors() {}

  public static OnnxTensor floats(String stage, float[] data, long... shape) {
    try {
      return OnnxTensor.createTensor(Ort.env(), FloatBuffer.wrap(data), shape);
    } catch (OrtException e) {
      throw new InferenceException(stage + ": cannot create a float tensor " + shapeText(shape) + ": "
          + e.getMessage(), e);
    }
  }

  public static OnnxTensor longs(String stage, long[] data, long... shape) {
    try {
      return OnnxTensor.createTensor(Ort.env(), LongBuffer.wrap(data), shape);
    } catch (OrtException e) {
      throw new InferenceException(stage + ": cannot create an int64 tensor " + shapeText(shape) + ": "
          + e.getMessage(), e);
    }
  }

  /** The named output of a result, which must be a tensor. */
  public static OnnxTensor output(OrtSession.Result result, String name, String stage) {
    OnnxValue v = result.get(name).orElseThrow(() ->
        new InferenceException(stage + ": the graph returned no output '" + name + "'"));
    if (!(v instanceof OnnxTensor t)) {
      throw new InferenceException(stage + ": output '" + name + "' is not a tensor");
    }
    return t;
  }

  public static long[] shape(OnnxTensor t) {
    return ((TensorInfo) t.getInfo()).getShape();
  }

  /** A copy of a float tensor's data, row-major. */
  public static float[] readFloats(OnnxTensor t) {
    FloatBuffer b = t.getFloatBuffer();
    float[] out = new float[b.remaining()];
    b.get(out);
    return out;
  }

  /** A copy of an int64 tensor's data, row-major. */
  public static long[] readLongs(OnnxTensor t) {
    LongBuffer b = t.getLongBuffer();
    long[] out = new long[b.remaining()];
    b.get(out);
    return out;
  }

  public static String shapeText(long[] shape) {
    return java.util.Arrays.toString(shape);
  }
}

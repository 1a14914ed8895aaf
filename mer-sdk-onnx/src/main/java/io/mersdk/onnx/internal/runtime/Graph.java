package io.mersdk.onnx.internal.runtime;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensorLike;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import io.mersdk.BundleException;
import io.mersdk.InferenceException;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * One ONNX graph of the bundle with its session. The session lives as long as the backend and is
 * shared by all threads ({@link OrtSession#run} is thread-safe).
 */
public final class Graph implements AutoCloseable {
  private final String file;
  private final OrtSession session;
  /** Null: the session's default run options. Owned by the session factory. */
  private final OrtSession.RunOptions runOptions;

  public Graph(String file, OrtSession session) {
    this(file, session, null);
  }

  /** A graph whose every run uses {@code runOptions} (owned by the caller; null for the defaults). */
  public Graph(String file, OrtSession session, OrtSession.RunOptions runOptions) {
    this.file = file;
    this.session = session;
    this.runOptions = runOptions;
  }

  public String file() {
    return file;
  }

  /** The graph's input names. */
  public Set<String> inputNames() {
    return session.getInputNames();
  }

  /**
   * Checks the graph against the bundle contract: exactly the inputs of {@code specs}, at least
   * its outputs, each of the element type and (where both sides are static) the sizes given.
   */
  public void check(String bundle, List<TensorSpec> specs) {
    Set<String> inputs = new TreeSet<>();
    specs.stream().filter(TensorSpec::input).forEach(t -> inputs.add(t.name()));
    Set<String> have = new TreeSet<>(session.getInputNames());
    if (!have.equals(inputs)) {
      throw new BundleException("bundle " + bundle + ": graph " + file + " has inputs " + have
          + " but the bundle format (docs/model-bundle.md) expects " + inputs);
    }
    Map<String, NodeInfo> in;
    Map<String, NodeInfo> out;
    try {
      in = session.getInputInfo();
      out = session.getOutputInfo();
    } catch (OrtException e) {
      throw new BundleException("bundle " + bundle + ": graph " + file
          + ": cannot read its inputs and outputs: " + e.getMessage(), e);
    }
    for (TensorSpec spec : specs) {
      NodeInfo node = (spec.input() ? in : out).get(spec.name());
      String what = "graph " + file + " " + (spec.input() ? "input " : "output ") + spec.name();
      if (node == null) {
        throw new BundleException("bundle " + bundle + ": " + what + " is missing (it has outputs "
            + new TreeSet<>(out.keySet()) + ")");
      }
      if (!(node.getInfo() instanceof TensorInfo info)) {
        throw new BundleException("bundle " + bundle + ": " + what + " is not a tensor");
      }
      OnnxJavaType type = spec.element() == TensorSpec.Element.INT64 ? OnnxJavaType.INT64 : OnnxJavaType.FLOAT;
      if (info.type != type) {
        throw new BundleException("bundle " + bundle + ": " + what + " is " + info.type + " but "
            + type + " was expected");
      }
      long[] declared = info.getShape();
      boolean ok = declared.length == spec.shape().length;
      for (int i = 0; ok && i < declared.length; i++) {
        ok = spec.shape()[i] == TensorSpec.ANY || declared[i] < 0 || declared[i] == spec.shape()[i];
      }
      if (!ok) {
        throw new BundleException("bundle " + bundle + ": " + what + " has shape "
            + new TensorSpec(spec.name(), spec.input(), spec.element(), declared, "").shapeText()
            + " but the manifest says " + spec.shapeText()
            + (spec.because().isEmpty() ? "" : " (" + spec.because() + ")")
            + "; the manifest and the graph do not belong together");
      }
    }
  }

  /** Runs the graph; the caller closes the result. */
  public OrtSession.Result run(
      String stage, Map<String, ? extends OnnxTensorLike> inputs, Set<String> outputs) {
    try {
      return runOptions == null ? session.run(inputs, outputs) : session.run(inputs, outputs, runOptions);
    } catch (OrtException | RuntimeException e) {
      throw new InferenceException(stage + ": ONNX Runtime failed running " + file + ": "
          + e.getMessage(), e);
    }
  }

  @Override
  public void close() {
    try {
      session.close();
    } catch (OrtException e) {
      throw new IllegalStateException("closing session of " + file + ": " + e.getMessage(), e);
    }
  }
}

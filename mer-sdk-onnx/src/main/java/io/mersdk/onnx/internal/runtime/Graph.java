package io.mersdk.onnx.internal.runtime;

import ai.onnxruntime.NodeInfo;
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

  public Graph(String file, OrtSession session) {
    this.file = file;
    this.session = session;
  }

  public String file() {
    return file;
  }

  /**
   * Checks the graph takes exactly {@code inputs} and produces at least {@code outputs}, as the
   * bundle contract says.
   */
  public void checkContract(String bundle, List<String> inputs, List<String> outputs) {
    Set<String> have = new TreeSet<>(session.getInputNames());
    if (!have.equals(new TreeSet<>(inputs))) {
      throw new BundleException("bundle " + bundle + ": graph " + file + " has inputs " + have
          + " but the bundle format (docs/model-bundle.md) expects " + new TreeSet<>(inputs));
    }
    Set<String> outs = session.getOutputNames();
    for (String o : outputs) {
      if (!outs.contains(o)) {
        throw new BundleException("bundle " + bundle + ": graph " + file + " has no output '" + o
            + "' (it has " + new TreeSet<>(outs) + ")");
      }
    }
  }

  /** The declared shape of an output; -1 for a dynamic axis. */
  public long[] outputShape(String name) {
    try {
      NodeInfo info = session.getOutputInfo().get(name);
      if (info != null && info.getInfo() instanceof TensorInfo t) {
        return t.getShape();
      }
      return new long[0];
    } catch (OrtException e) {
      throw new BundleException("graph " + file + ": cannot read output metadata: " + e.getMessage(), e);
    }
  }

  /** Runs the graph; the caller closes the result. */
  public OrtSession.Result run(
      String stage, Map<String, ? extends OnnxTensorLike> inputs, Set<String> outputs) {
    try {
      return session.run(inputs, outputs);
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

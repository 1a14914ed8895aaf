package io.mersdk.onnx.internal.runtime;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Owns the native objects (tensors, results) of one call and closes them in reverse order, on
 * every path. Not thread-safe: one scope per thread of work.
 */
public final class Scope implements AutoCloseable {
  private final Deque<AutoCloseable> owned = new ArrayDeque<>();

  public <T extends AutoCloseable> T add(T resource) {
    owned.push(resource);
    return resource;
  }

  @Override
  public void close() {
    RuntimeException first = null;
    while (!owned.isEmpty()) {
      try {
        owned.pop().close();
      } catch (Exception e) {
        if (first == null) {
          first = e instanceof RuntimeException re ? re : new IllegalStateException(e);
        } else {
          first.addSuppressed(e);
        }
      }
    }
    if (first != null) {
      throw first;
    }
  }
}

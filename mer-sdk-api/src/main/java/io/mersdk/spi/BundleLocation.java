package io.mersdk.spi;

import java.nio.file.Path;

/** Where a model bundle lives: a folder, or a folder on the class path (for example in a jar). */
public sealed interface BundleLocation permits BundleLocation.Directory, BundleLocation.Resource {

  /** A human-readable form for messages. */
  String describe();

  /** A bundle folder on disk: it holds {@code bundle.json} and the files it lists. */
  record Directory(Path path) implements BundleLocation {
    public Directory {
      if (path == null) {
        throw new IllegalArgumentException("bundle path must not be null");
      }
    }

    @Override
    public String describe() {
      return path.toString();
    }
  }

  /**
   * A bundle folder on the class path, e.g. {@code "mer/demo-bundle"}: {@code
   * <name>/bundle.json} and the files it lists are read through {@code loader}.
   */
  record Resource(ClassLoader loader, String name) implements BundleLocation {
    public Resource {
      if (loader == null) {
        throw new IllegalArgumentException("class loader must not be null");
      }
      if (name == null || name.isBlank()) {
        throw new IllegalArgumentException("bundle resource name must not be blank");
      }
      name = name.startsWith("/") ? name.substring(1) : name;
      name = name.endsWith("/") ? name.substring(0, name.length() - 1) : name;
    }

    @Override
    public String describe() {
      return "classpath:" + name;
    }
  }
}

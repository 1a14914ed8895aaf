package io.mersdk.onnx.internal.bundle;

import io.mersdk.BundleException;
import io.mersdk.onnx.internal.runtime.Files2;
import io.mersdk.spi.BundleLocation;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds a bundle, validates its manifest and checks every listed file: present, of the listed size
 * and SHA-256 (for a folder: hashed in parallel, or trusted from the {@link ChecksumCache} when
 * unchanged since a full check), and (for a folder) no unlisted files beside them. Class-path bundles are copied once
 * to a temporary folder, checksummed on the way, because ONNX Runtime and the tokenizer library
 * load from files.
 */
public final class BundleLoader {
  private static final Logger LOG = LoggerFactory.getLogger(BundleLoader.class);
  static final String MANIFEST = "bundle.json";

  private BundleLoader() {}

  public static LoadedBundle load(BundleLocation location) {
    return load(location, ChecksumCache.configuredDir());
  }

  /** As {@link #load(BundleLocation)} with the checksum cache in {@code cacheDir} (empty: none). */
  static LoadedBundle load(BundleLocation location, Optional<Path> cacheDir) {
    if (location instanceof BundleLocation.Directory d) {
      return loadFolder(d.path(), location.describe(), cacheDir);
    }
    return loadResource((BundleLocation.Resource) location);
  }

  private static LoadedBundle loadFolder(Path folder, String description, Optional<Path> cacheDir) {
    if (!Files.isDirectory(folder)) {
      throw new BundleException("bundle " + description + ": folder does not exist or is not a folder");
    }
    Path manifestFile = folder.resolve(MANIFEST);
    byte[] json;
    try {
      json = Files.readAllBytes(manifestFile);
    } catch (NoSuchFileException e) {
      throw new BundleException("bundle " + description + ": no " + MANIFEST + " in the folder; "
          + "is this a bundle written by mer-train export?", e);
    } catch (IOException e) {
      throw new BundleException("bundle " + description + ": cannot read " + manifestFile + ": " + e, e);
    }
    Manifest manifest = ManifestParser.parse(json, description);
    for (String name : manifest.files().keySet()) {
      if (!Files.isRegularFile(folder.resolve(name))) {
        throw new BundleException("bundle " + description + ": file " + name
            + " is listed in bundle.json files but missing from the folder");
      }
    }
    int hashed = verifyFolder(folder, description, manifest.files(), cacheDir);
    List<String> extra = unlisted(folder, manifest);
    if (!extra.isEmpty()) {
      throw new BundleException("bundle " + description + ": file(s) " + extra
          + " are in the bundle folder but not listed in bundle.json files (no checksum); "
          + "remove them or re-export the bundle");
    }
    LOG.debug("bundle {} ({}): {} files verified, {} of them hashed ({} trusted from the checksum cache)",
        manifest.bundleId(), description, manifest.files().size(), hashed, manifest.files().size() - hashed);
    return new LoadedBundle(description, folder, manifest, Optional.empty());
  }

  /**
   * Checks every listed file's size and SHA-256, except files the checksum cache trusts (its
   * trust rule: {@link ChecksumCache}); the others are hashed in parallel, largest first, on up to
   * one thread per core. Returns how many files were hashed.
   */
  private static int verifyFolder(Path folder, String description, Map<String, Manifest.FileEntry> files,
      Optional<Path> cacheDir) {
    Optional<ChecksumCache> cache = cacheDir.flatMap(dir -> ChecksumCache.forFolder(folder, dir));
    List<Map.Entry<String, Manifest.FileEntry>> todo = new ArrayList<>();
    Map<String, Optional<String>> stamps = new HashMap<>();
    for (Map.Entry<String, Manifest.FileEntry> f : files.entrySet()) {
      Optional<String> stamp = cache.isEmpty() ? Optional.empty()
          : ChecksumCache.stamp(folder.resolve(f.getKey()), f.getValue());
      stamps.put(f.getKey(), stamp);
      if (cache.isEmpty() || !cache.get().trusted(f.getKey(), stamp)) {
        todo.add(f);
      }
    }
    todo.sort(Comparator.comparingLong((Map.Entry<String, Manifest.FileEntry> f) -> f.getValue().bytes()).reversed());
    int threads = Math.max(1, Math.min(todo.size(), Runtime.getRuntime().availableProcessors()));
    if (threads <= 1) {
      todo.forEach(f -> verifyFile(folder, description, f));
    } else {
      ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
        Thread t = new Thread(r, "mer-sdk-checksum");
        t.setDaemon(true);
        return t;
      });
      try {
        List<Future<?>> jobs = new ArrayList<>();
        for (Map.Entry<String, Manifest.FileEntry> f : todo) {
          jobs.add(pool.submit(() -> verifyFile(folder, description, f)));
        }
        for (Future<?> job : jobs) {
          job.get();
        }
      } catch (ExecutionException e) {
        if (e.getCause() instanceof RuntimeException re) {
          throw re;
        }
        throw new IllegalStateException("checking bundle " + description + ": " + e.getCause(), e.getCause());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new BundleException("bundle " + description + ": interrupted while checking its files", e);
      } finally {
        pool.shutdownNow();
      }
    }
    cache.ifPresent(c -> {
      todo.forEach(f -> c.verified(f.getKey(), stamps.get(f.getKey())));
      c.save(files);
    });
    return todo.size();
  }

  private static void verifyFile(Path folder, String description, Map.Entry<String, Manifest.FileEntry> f) {
    try (InputStream in = Files.newInputStream(folder.resolve(f.getKey()))) {
      verify(description, f.getKey(), f.getValue(), in, OutputStream.nullOutputStream());
    } catch (IOException e) {
      throw new BundleException("bundle " + description + ": cannot read file " + f.getKey() + ": " + e, e);
    }
  }

  private static List<String> unlisted(Path folder, Manifest manifest) {
    TreeSet<String> extra = new TreeSet<>();
    try (Stream<Path> entries = Files.list(folder)) {
      entries.forEach(p -> {
        String name = p.getFileName().toString();
        // Dot files are the OS's or the VCS's (.DS_Store, .gitattributes), not the bundle's.
        if (!name.equals(MANIFEST) && !name.startsWith(".") && !manifest.files().containsKey(name)) {
          extra.add(name);
        }
      });
    } catch (IOException e) {
      throw new BundleException("bundle " + folder + ": cannot list the folder: " + e, e);
    }
    return List.copyOf(extra);
  }

  private static LoadedBundle loadResource(BundleLocation.Resource r) {
    String description = r.describe();
    byte[] json;
    try (InputStream in = r.loader().getResourceAsStream(r.name() + "/" + MANIFEST)) {
      if (in == null) {
        throw new BundleException("bundle " + description + ": no class-path resource "
            + r.name() + "/" + MANIFEST + "; is the bundle's jar or folder on the class path?");
      }
      json = in.readAllBytes();
    } catch (IOException e) {
      throw new BundleException("bundle " + description + ": cannot read " + MANIFEST + ": " + e, e);
    }
    Manifest manifest = ManifestParser.parse(json, description);
    Path temp;
    try {
      temp = Files.createTempDirectory("mer-bundle-");
    } catch (IOException e) {
      throw new BundleException("bundle " + description + ": cannot create a temporary folder to "
          + "extract it to (java.io.tmpdir=" + System.getProperty("java.io.tmpdir") + "): " + e, e);
    }
    try {
      for (Map.Entry<String, Manifest.FileEntry> f : manifest.files().entrySet()) {
        String resource = r.name() + "/" + f.getKey();
        try (InputStream in = r.loader().getResourceAsStream(resource)) {
          if (in == null) {
            throw new BundleException("bundle " + description + ": file " + f.getKey()
                + " is listed in bundle.json files but there is no class-path resource " + resource);
          }
          try (OutputStream out = Files.newOutputStream(temp.resolve(f.getKey()))) {
            verify(description, f.getKey(), f.getValue(), in, out);
          }
        } catch (IOException e) {
          throw new BundleException("bundle " + description + ": cannot extract " + resource
              + " to " + temp + ": " + e, e);
        }
      }
    } catch (RuntimeException e) {
      Files2.deleteRecursively(temp);
      throw e;
    }
    LOG.debug("bundle {} ({}): {} files verified and extracted to {}", manifest.bundleId(),
        description, manifest.files().size(), temp);
    return new LoadedBundle(description, temp, manifest, Optional.of(temp));
  }

  /** Copies {@code in} to {@code out}, then checks the size and SHA-256 against the manifest. */
  private static void verify(String bundle, String name, Manifest.FileEntry expected, InputStream in,
      OutputStream out) throws IOException {
    MessageDigest sha;
    try {
      sha = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime has SHA-256", e);
    }
    long size;
    try (DigestInputStream digest = new DigestInputStream(in, sha)) {
      size = digest.transferTo(out);
    }
    if (size != expected.bytes()) {
      throw new BundleException("bundle " + bundle + ": file " + name + " has " + size
          + " bytes but bundle.json files." + name + ".bytes says " + expected.bytes()
          + "; the file is truncated or was changed after export: re-export or re-download the bundle");
    }
    String actual = HexFormat.of().formatHex(sha.digest());
    if (!actual.equals(expected.sha256())) {
      throw new BundleException("bundle " + bundle + ": file " + name + " has SHA-256 " + actual
          + " but bundle.json files." + name + ".sha256 says " + expected.sha256()
          + "; the file is corrupt or was changed after export: re-export or re-download the bundle");
    }
  }
}

package io.mersdk.onnx.internal.bundle;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Remembers which files of a bundle folder passed the full SHA-256 check, so that the next load
 * of the same, unchanged files does not hash 1.9 GB again. The trust rule (docs/model-bundle.md):
 * a file is taken as verified without hashing when a record written after its full check names
 * the same manifest SHA-256 and the file still has the same size, modification time and file key
 * (inode on Linux). A change that keeps size and modification time (a byte flipped and the mtime
 * set back) is trusted by design; {@code -Dmer.bundle.verify=always} turns the cache off.
 *
 * <p>Records live in a per-user folder, one small properties file per bundle folder: {@code
 * mer.bundle.checksum-cache} if set, else {@code $XDG_CACHE_HOME/mer-sdk/verified}, else {@code
 * ~/.cache/mer-sdk/verified}. A bundle folder may be read-only or on the class path, so nothing is
 * written beside it. A cache that cannot be read or written only costs the hashing: it is never an
 * error.
 */
final class ChecksumCache {
  private static final Logger LOG = LoggerFactory.getLogger(ChecksumCache.class);
  /** {@code always}: hash every file at every load (no cache read or written). */
  static final String VERIFY_PROPERTY = "mer.bundle.verify";
  /** The cache folder; {@code none} disables the cache. */
  static final String DIR_PROPERTY = "mer.bundle.checksum-cache";

  /** Records older than this are deleted when another record is written. */
  static final Duration MAX_AGE = Duration.ofDays(30);

  private final Path record;
  private final Path folder;
  private final Properties entries = new Properties();
  private boolean changed;

  private ChecksumCache(Path record, Path folder) {
    this.record = record;
    this.folder = folder;
  }

  /**
   * The cache folder the system properties and the environment give; empty when verification is
   * forced ({@code -Dmer.bundle.verify=always}) or the cache is off or has no home.
   */
  static Optional<Path> configuredDir() {
    if ("always".equalsIgnoreCase(System.getProperty(VERIFY_PROPERTY, "").trim())) {
      return Optional.empty();
    }
    return cacheDir();
  }

  /** The record for {@code folder} in the cache folder {@code dir}; empty if the folder has no real path. */
  static Optional<ChecksumCache> forFolder(Path folder, Path dir) {
    Path real;
    try {
      real = folder.toRealPath();
    } catch (IOException e) {
      return Optional.empty();
    }
    ChecksumCache cache = new ChecksumCache(dir.resolve(sha256(real.toString()) + ".properties"), real);
    try (InputStream in = Files.newInputStream(cache.record)) {
      cache.entries.load(in);
    } catch (IOException | IllegalArgumentException e) {
      // no record yet, or an unreadable one: every file is hashed and the record rewritten
      cache.entries.clear();
    }
    return Optional.of(cache);
  }

  private static Optional<Path> cacheDir() {
    String set = System.getProperty(DIR_PROPERTY);
    if (set != null && !set.isBlank()) {
      return "none".equalsIgnoreCase(set) ? Optional.empty() : Optional.of(Path.of(set));
    }
    String xdg = System.getenv("XDG_CACHE_HOME");
    if (xdg != null && !xdg.isBlank() && Path.of(xdg).isAbsolute()) {
      return Optional.of(Path.of(xdg, "mer-sdk", "verified"));
    }
    String home = System.getProperty("user.home");
    return home == null || home.isBlank() || home.equals("?")
        ? Optional.empty() : Optional.of(Path.of(home, ".cache", "mer-sdk", "verified"));
  }

  /** True if a file of this stamp ({@link #stamp}) passed a full check under {@code name}. */
  boolean trusted(String name, Optional<String> stamp) {
    return stamp.isPresent() && stamp.get().equals(entries.getProperty(name));
  }

  /**
   * Records that the file {@code name} passed the full check; {@code stamp} must be taken before
   * hashing began, so that a change during the hashing leaves a stamp that no longer matches.
   */
  void verified(String name, Optional<String> stamp) {
    if (stamp.isPresent() && !stamp.get().equals(entries.getProperty(name))) {
      entries.setProperty(name, stamp.get());
      changed = true;
    }
  }

  /** Drops the records of files no longer in the manifest and writes the record if it changed. */
  void save(Map<String, Manifest.FileEntry> files) {
    changed |= entries.keySet().removeIf(k -> !files.containsKey(k));
    if (!changed) {
      return;
    }
    try {
      Files.createDirectories(record.getParent());
      Path tmp = Files.createTempFile(record.getParent(), ".verified-", ".tmp");
      try {
        try (OutputStream out = Files.newOutputStream(tmp)) {
          entries.store(out, "mer-sdk: files of " + folder + " that passed the SHA-256 check (docs/model-bundle.md)");
        }
        try {
          Files.move(tmp, record, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
          Files.move(tmp, record, StandardCopyOption.REPLACE_EXISTING);
        }
      } finally {
        Files.deleteIfExists(tmp);
      }
      pruneOldRecords();
    } catch (IOException | RuntimeException e) {
      LOG.debug("checksum cache {} not written (the next load hashes the files again): {}", record, e.toString());
    }
  }

  /**
   * Deletes records not written for {@link #MAX_AGE} (bundles of temporary folders, removed
   * bundles): a live bundle's record that ages out only costs one full check.
   */
  private void pruneOldRecords() {
    FileTime oldest = FileTime.from(Instant.now().minus(MAX_AGE));
    try (DirectoryStream<Path> records = Files.newDirectoryStream(record.getParent(), "*.properties")) {
      for (Path r : records) {
        if (Files.getLastModifiedTime(r).compareTo(oldest) < 0) {
          Files.deleteIfExists(r);
        }
      }
    } catch (IOException | RuntimeException e) {
      LOG.debug("checksum cache {}: old records not pruned: {}", record.getParent(), e.toString());
    }
  }

  /** What must not change for a verified file to stay trusted; empty if the file cannot be read. */
  static Optional<String> stamp(Path file, Manifest.FileEntry expected) {
    try {
      BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
      if (!a.isRegularFile()) {
        return Optional.empty();
      }
      long mtime = a.lastModifiedTime().to(java.util.concurrent.TimeUnit.NANOSECONDS);
      return Optional.of(expected.sha256() + " " + a.size() + " " + mtime + " " + Objects.toString(a.fileKey(), "-"));
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  private static String sha256(String s) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime has SHA-256", e);
    }
  }
}

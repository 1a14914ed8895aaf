package io.mersdk.onnx.internal.runtime;

import com.sun.jna.Function;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Platform;
import com.sun.jna.ptr.IntByReference;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Asks the operating system, through JNA, whether the NVIDIA driver (libcuda / nvcuda.dll) is
 * installed and how many devices it sees, so that a missing driver is reported plainly instead of
 * as an ONNX Runtime session failure.
 */
public final class NvidiaDriver {
  private NvidiaDriver() {}

  /** Driver library names: the plain name first, then the versioned soname Linux installs. */
  private static List<String> libraryNames() {
    if (Platform.isWindows()) {
      return List.of("nvcuda");
    }
    if (Platform.isMac()) {
      return List.of();
    }
    return List.of("cuda", "libcuda.so.1");
  }

  /** The driver library, or empty with nothing logged when there is none. */
  static Optional<NativeLibrary> load() {
    for (String name : libraryNames()) {
      try {
        return Optional.of(NativeLibrary.getInstance(name));
      } catch (UnsatisfiedLinkError | NoClassDefFoundError e) {
        // try the next name
      }
    }
    return Optional.empty();
  }

  /** Empty when a driver is present; otherwise why not, for messages. */
  public static Optional<String> absenceReason() {
    if (load().isPresent()) {
      return Optional.empty();
    }
    return Optional.of("no NVIDIA driver found (could not load "
        + String.join(" or ", libraryNames().isEmpty() ? List.of("a CUDA driver on macOS") : libraryNames())
        + ")");
  }

  /** The number of CUDA devices the driver reports, if it can be asked (cuInit + cuDeviceGetCount). */
  public static OptionalInt deviceCount() {
    Optional<NativeLibrary> lib = load();
    if (lib.isEmpty()) {
      return OptionalInt.empty();
    }
    try {
      Function init = lib.get().getFunction("cuInit");
      if (init.invokeInt(new Object[] {0}) != 0) {
        return OptionalInt.empty();
      }
      IntByReference count = new IntByReference();
      Function getCount = lib.get().getFunction("cuDeviceGetCount");
      if (getCount.invokeInt(new Object[] {count}) != 0) {
        return OptionalInt.empty();
      }
      return OptionalInt.of(count.getValue());
    } catch (UnsatisfiedLinkError | RuntimeException e) {
      return OptionalInt.empty();
    }
  }
}

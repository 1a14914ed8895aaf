package io.mersdk.spark;

import io.mersdk.Device;
import io.mersdk.EmotionRecognizer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The recognisers of this JVM (a Spark executor, or the driver in local mode): one per {@link Key},
 * built by the first task that needs it and shared by every task thread after it. Never one per
 * task or per row: a bundle is loaded (and its native sessions opened) once per executor.
 *
 * <p>Tasks hold a {@link Lease} while they run (reference counting). A recogniser whose count is
 * back at zero stays open for the next task, since Spark starts a task per partition and reloading
 * the bundle per task is what this registry exists to avoid; it is closed by {@link #closeIdle()},
 * or by the JVM shutdown hook that the first lease installs (executors exit through it).
 */
public final class RecognizerRegistry {
  private static final Logger LOG = LoggerFactory.getLogger(RecognizerRegistry.class);

  private static final Map<Key, Entry> ENTRIES = new ConcurrentHashMap<>();
  private static final AtomicLong BUILT = new AtomicLong();
  private static final AtomicBoolean HOOK = new AtomicBoolean();

  private RecognizerRegistry() {}

  /**
   * What makes two recognisers the same.
   *
   * @param bundle the resolved bundle: an absolute folder path or {@code classpath:NAME}
   * @param device the device asked for (after the task's GPU resource was applied)
   * @param threads intra-op threads per model session
   * @param speechGate whether the acoustic speech gate runs
   * @param speechThreshold the gate's threshold (Silero VAD's probability; default 0.5)
   */
  public record Key(String bundle, Device device, int threads, boolean speechGate,
      double speechThreshold) {
    public Key {
      Objects.requireNonNull(bundle, "bundle");
      Objects.requireNonNull(device, "device");
    }

    /** With the gate's default threshold. */
    public Key(String bundle, Device device, int threads, boolean speechGate) {
      this(bundle, device, threads, speechGate, io.mersdk.SpeechGateSettings.defaults().threshold());
    }
  }

  /** A task's hold on a shared recogniser; {@link #close()} releases it (once). */
  public static final class Lease implements AutoCloseable {
    private final Entry entry;
    private final AtomicBoolean released = new AtomicBoolean();

    private Lease(Entry entry) {
      this.entry = entry;
    }

    public EmotionRecognizer recognizer() {
      return entry.recognizer;
    }

    @Override
    public void close() {
      if (released.compareAndSet(false, true)) {
        synchronized (entry) {
          entry.refs--;
        }
      }
    }
  }

  private static final class Entry {
    final Key key;
    EmotionRecognizer recognizer;
    int refs;
    boolean closed;

    Entry(Key key) {
      this.key = key;
    }
  }

  /**
   * The recogniser for {@code key}, built with {@code factory} if this JVM has none yet. A build
   * that throws is not remembered: the next task tries again (and fails the same way, with the
   * bundle's message, so a bad bundle fails the job rather than every row).
   */
  static Lease acquire(Key key, Function<Key, EmotionRecognizer> factory) {
    installHook();
    while (true) {
      Entry e = ENTRIES.computeIfAbsent(key, Entry::new);
      synchronized (e) {
        if (e.closed) {
          continue; // closed by closeIdle() between the lookup and the lock
        }
        if (e.recognizer == null) {
          e.recognizer = Objects.requireNonNull(factory.apply(key), "factory result");
          BUILT.incrementAndGet();
          LOG.debug("recogniser built for {}", key);
        }
        e.refs++;
        return new Lease(e);
      }
    }
  }

  /** How many recognisers this JVM has built since it started (each bundle load counts one). */
  public static long recognizersBuilt() {
    return BUILT.get();
  }

  /** How many recognisers are open now. */
  public static int openRecognizers() {
    int n = 0;
    for (Entry e : ENTRIES.values()) {
      synchronized (e) {
        n += e.recognizer != null && !e.closed ? 1 : 0;
      }
    }
    return n;
  }

  /** How many leases on {@code key}'s recogniser are held now (0 when there is none). */
  public static int leases(Key key) {
    Entry e = ENTRIES.get(key);
    if (e == null) {
      return 0;
    }
    synchronized (e) {
      return e.refs;
    }
  }

  /**
   * Closes the recognisers no task holds and forgets them; the next task builds again. For
   * long-lived drivers and notebooks that are done scoring and want the memory back.
   *
   * @return how many were closed
   */
  public static int closeIdle() {
    return close(false);
  }

  private static int close(boolean all) {
    List<EmotionRecognizer> toClose = new ArrayList<>();
    for (Entry e : ENTRIES.values()) {
      synchronized (e) {
        if (!e.closed && (all || e.refs == 0)) {
          e.closed = true;
          ENTRIES.remove(e.key, e);
          if (e.recognizer != null) {
            toClose.add(e.recognizer);
          }
        }
      }
    }
    for (EmotionRecognizer r : toClose) {
      try {
        r.close(); // waits for calls in flight
      } catch (RuntimeException ex) {
        LOG.warn("closing a recogniser failed: {}", ex.toString());
      }
    }
    return toClose.size();
  }

  private static void installHook() {
    if (HOOK.compareAndSet(false, true)) {
      Thread t = new Thread(() -> close(true), "mer-sdk-spark-shutdown");
      Runtime.getRuntime().addShutdownHook(t);
    }
  }
}

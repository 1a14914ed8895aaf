package io.mersdk.server.internal;

import io.mersdk.EmotionRecognizer;
import io.mersdk.EmotionResult;
import io.mersdk.Utterance;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Utterances from every connection and POST, recognised in batches: a worker takes the first
 * waiting utterance, waits up to {@code maxWait} for more (at most {@code maxBatch} in all) and
 * calls {@link EmotionRecognizer#recognizeBatch} once. Bounded: {@link #offer} refuses when
 * {@code capacity} utterances wait, so overload is refused at once, never queued without end
 * (the design of sherpa-onnx's streaming server: max batch 50, 10 ms wait).
 */
public final class BatchQueue implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(BatchQueue.class);

  /** One utterance and whom to tell; {@code done} is called exactly once, on a worker thread. */
  public record Job(Utterance utterance, Consumer<EmotionResult> done,
      Consumer<RuntimeException> failed, BooleanSupplier wanted) {}

  private final EmotionRecognizer recognizer;
  private final int maxBatch;
  private final long maxWaitNanos;
  private final BlockingQueue<Job> queue;
  private final List<Thread> workers = new ArrayList<>();
  private final AtomicLong batches = new AtomicLong();
  private final AtomicLong items = new AtomicLong();
  private final AtomicLong largest = new AtomicLong();
  private volatile boolean closed;

  public BatchQueue(EmotionRecognizer recognizer, int maxBatch, Duration maxWait, int capacity,
      int threads) {
    this.recognizer = recognizer;
    this.maxBatch = maxBatch;
    this.maxWaitNanos = maxWait.toNanos();
    this.queue = new ArrayBlockingQueue<>(capacity);
    for (int i = 0; i < threads; i++) {
      Thread t = new Thread(this::work, "mer-batch-" + (i + 1));
      t.setDaemon(true);
      workers.add(t);
      t.start();
    }
  }

  /** Queues a job; false (and nothing queued) when the queue is full or closed. */
  public boolean offer(Job job) {
    return !closed && queue.offer(job);
  }

  /** Utterances waiting for a worker. */
  public int waiting() {
    return queue.size();
  }

  /** Batches run so far. */
  public long batches() {
    return batches.get();
  }

  /** Utterances recognised so far. */
  public long items() {
    return items.get();
  }

  /** The largest batch run so far. */
  public long largestBatch() {
    return largest.get();
  }

  private void work() {
    List<Job> batch = new ArrayList<>(maxBatch);
    while (true) {
      try {
        Job first = queue.poll(100, TimeUnit.MILLISECONDS);
        if (first == null) {
          if (closed) {
            return;
          }
          continue;
        }
        batch.add(first);
        long deadline = System.nanoTime() + maxWaitNanos;
        while (batch.size() < maxBatch) {
          long left = deadline - System.nanoTime();
          Job next = left > 0 ? queue.poll(left, TimeUnit.NANOSECONDS) : queue.poll();
          if (next == null) {
            break;
          }
          batch.add(next);
        }
      } catch (InterruptedException e) {
        failAll(batch, new IllegalStateException("server is shutting down"));
        return;
      }
      run(batch);
      batch.clear();
    }
  }

  private void run(List<Job> batch) {
    // a connection that went away no longer wants its utterances: do not spend the model on them
    batch.removeIf(j -> !j.wanted().getAsBoolean());
    if (batch.isEmpty()) {
      return;
    }
    List<Utterance> us = new ArrayList<>(batch.size());
    for (Job j : batch) {
      us.add(j.utterance());
    }
    List<EmotionResult> results;
    try {
      results = recognizer.recognizeBatch(us);
    } catch (RuntimeException e) {
      // per-item failures come back as FAILED results; this is the recogniser closed or a bug
      LOG.debug("batch of {} failed: {}", batch.size(), e.toString());
      failAll(batch, e);
      return;
    }
    batches.incrementAndGet();
    items.addAndGet(batch.size());
    largest.accumulateAndGet(batch.size(), Math::max);
    LOG.debug("batch of {} recognised", batch.size());
    for (int i = 0; i < batch.size(); i++) {
      try {
        batch.get(i).done().accept(results.get(i));
      } catch (RuntimeException e) {
        LOG.warn("a result consumer failed", e);
      }
    }
  }

  private static void failAll(List<Job> batch, RuntimeException e) {
    for (Job j : batch) {
      try {
        j.failed().accept(e);
      } catch (RuntimeException ignored) {
        // the consumer's connection is gone; nothing more to tell
      }
    }
  }

  /**
   * Stops taking jobs, lets the workers finish what is queued (at most {@code grace}), then fails
   * whatever is left.
   */
  public void close(Duration grace) {
    closed = true;
    long deadline = System.nanoTime() + grace.toNanos();
    for (Thread t : workers) {
      try {
        t.join(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    for (Thread t : workers) {
      t.interrupt();
    }
    List<Job> left = new ArrayList<>();
    queue.drainTo(left);
    failAll(left, new IllegalStateException("server is shutting down"));
  }

  @Override
  public void close() {
    close(Duration.ZERO);
  }
}

package io.mersdk.spark.clusterjob;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mersdk.Device;
import io.mersdk.EmotionRecognizer;
import io.mersdk.EmotionResult;
import io.mersdk.MerException;
import io.mersdk.audio.AudioSources;
import io.mersdk.spark.EmotionScorer;
import io.mersdk.spark.RecognizerRegistry;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.spark.SparkEnv;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerExecutorAdded;
import org.apache.spark.scheduler.SparkListenerExecutorRemoved;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * The application that StandaloneClusterTest submits with spark-submit (it travels as the job's
 * primary jar; the SDK's jars travel with --jars, the bundle with --archives): scores every file
 * under INPUT with {@link EmotionScorer} on {@code sparkfiles:bundle}, tags each row with the
 * executor that scored it (id, pid, and how many recognisers that JVM had built), writes Parquet,
 * and then, outside Spark, calls the SDK directly on every file. Writes into OUT:
 * {@code rows.jsonl} (the Parquet read back), {@code direct.jsonl} (the direct calls) and
 * {@code summary.json} (executors added and removed, failed task attempts).
 *
 * <p>Args: {@code INPUT OUT BUNDLE_DIR MARKER_DIR PARTITIONS BLOCK_PARTITION}. When
 * BLOCK_PARTITION >= 0, that partition's first attempt, after scoring its first row, writes
 * {@code MARKER_DIR/blocked} (its executor's pid) and waits for {@code MARKER_DIR/release} (at
 * most two minutes): the test kills that executor meanwhile.
 */
public final class ClusterJob {
  private ClusterJob() {}

  public static void main(String[] args) throws Exception {
    String input = args[0];
    Path out = Path.of(args[1]);
    Path bundleDir = Path.of(args[2]);
    String markers = args[3];
    int partitions = Integer.parseInt(args[4]);
    int blockPartition = Integer.parseInt(args[5]);
    Files.createDirectories(out);
    ObjectMapper json = new ObjectMapper();

    SparkSession spark = SparkSession.builder().appName("mer-sdk-spark cluster test").getOrCreate();
    Events events = new Events();
    spark.sparkContext().addSparkListener(events);
    List<Row> back;
    try {
      Dataset<Row> files = spark.read().format("binaryFile").load(input).repartition(partitions);
      Dataset<Row> scored = new EmotionScorer().setBundle("sparkfiles:bundle").setDevice("cpu")
          .transform(files).drop("content");
      StructType tagged = scored.schema()
          .add("executor_id", DataTypes.StringType, false)
          .add("executor_pid", DataTypes.LongType, false)
          .add("recognizers_built", DataTypes.LongType, false);
      scored.mapPartitions(new Tag(markers, blockPartition), Encoders.row(tagged))
          .write().parquet(out.resolve("parquet").toString());
      back = spark.read().parquet(out.resolve("parquet").toString())
          .select("path", "emotion", "executor_id", "executor_pid", "recognizers_built")
          .collectAsList();
    } finally {
      spark.stop();
    }
    ObjectNode summary = json.createObjectNode();
    summary.put("executors_added", events.added.get());
    summary.put("executors_removed", events.removed.get());
    summary.put("failed_task_attempts", events.failed.get());
    Files.writeString(out.resolve("summary.json"), json.writeValueAsString(summary));

    try (BufferedWriter w = Files.newBufferedWriter(out.resolve("rows.jsonl"), StandardCharsets.UTF_8)) {
      for (Row r : back) {
        ObjectNode n = result(json, r.getString(0), r.getStruct(1));
        n.put("executor_id", r.getString(2));
        n.put("executor_pid", r.getLong(3));
        n.put("recognizers_built", r.getLong(4));
        w.write(json.writeValueAsString(n));
        w.newLine();
      }
    }
    // The oracle: the plain SDK on the same bytes, one call per file, in this JVM (it has the
    // executors' class path: the same backend and speech gate), one thread as each executor has.
    try (EmotionRecognizer direct = EmotionRecognizer.builder().bundle(bundleDir).device(Device.CPU)
            .threads(1).build();
        BufferedWriter w = Files.newBufferedWriter(out.resolve("direct.jsonl"), StandardCharsets.UTF_8)) {
      for (Row r : back) {
        String path = r.getString(0);
        ObjectNode n = json.createObjectNode();
        n.put("path", path);
        try {
          byte[] bytes = Files.readAllBytes(Path.of(URI.create(path)));
          EmotionResult e = direct.recognize(
              AudioSources.of(bytes, path).readMono(direct.bundle().sampleRate()));
          n.put("outcome", e.outcome().name().toLowerCase(Locale.ROOT));
          n.put("bundle_id", e.bundleId());
          if (e.isEmotion()) {
            n.put("label", e.label());
            n.put("transcript", e.transcript());
            ObjectNode p = n.putObject("probabilities");
            e.probabilities().forEach(p::put);
          }
          if (e.isFailed()) {
            n.put("error", e.error().getMessage());
          }
        } catch (MerException ex) {
          n.put("outcome", "failed");
          n.put("error", ex.getMessage());
        }
        w.write(json.writeValueAsString(n));
        w.newLine();
      }
    }
  }

  private static ObjectNode result(ObjectMapper json, String path, Row e) {
    ObjectNode n = json.createObjectNode();
    n.put("path", path);
    n.put("outcome", e.<String>getAs("outcome"));
    n.put("bundle_id", e.<String>getAs("bundle_id"));
    n.put("device", e.<String>getAs("device"));
    if ("emotion".equals(e.getAs("outcome"))) {
      n.put("label", e.<String>getAs("label"));
      n.put("transcript", e.<String>getAs("transcript"));
      ObjectNode p = n.putObject("probabilities");
      Map<String, Double> probs = e.getJavaMap(e.fieldIndex("probabilities"));
      probs.forEach(p::put);
    }
    Row error = e.getStruct(e.fieldIndex("error"));
    if (error != null) {
      n.put("error", error.<String>getAs("message"));
    }
    return n;
  }

  /** Counts what the scheduler saw: the test checks that an executor was really lost. */
  static final class Events extends SparkListener {
    final AtomicInteger added = new AtomicInteger();
    final AtomicInteger removed = new AtomicInteger();
    final AtomicInteger failed = new AtomicInteger();

    @Override
    public void onExecutorAdded(SparkListenerExecutorAdded e) {
      added.incrementAndGet();
    }

    @Override
    public void onExecutorRemoved(SparkListenerExecutorRemoved e) {
      removed.incrementAndGet();
    }

    @Override
    public void onTaskEnd(SparkListenerTaskEnd e) {
      if (e.taskInfo().failed()) {
        failed.incrementAndGet();
      }
    }
  }

  /** Appends the executor's id, pid and build count to each scored row; blocks one partition once. */
  static final class Tag implements MapPartitionsFunction<Row, Row> {
    private static final long serialVersionUID = 1L;
    private final String markers;
    private final int blockPartition;

    Tag(String markers, int blockPartition) {
      this.markers = markers;
      this.blockPartition = blockPartition;
    }

    @Override
    public Iterator<Row> call(Iterator<Row> rows) {
      TaskContext t = TaskContext.get();
      boolean block = t.partitionId() == blockPartition && t.attemptNumber() == 0
          && t.stageAttemptNumber() == 0;
      String executor = SparkEnv.get().executorId();
      long pid = ProcessHandle.current().pid();
      return new Iterator<>() {
        boolean first = true;

        @Override
        public boolean hasNext() {
          return rows.hasNext();
        }

        @Override
        public Row next() {
          Row r = rows.next(); // scored: this JVM's recogniser exists now
          if (first && block) {
            awaitKill(pid);
          }
          first = false;
          Object[] v = new Object[r.size() + 3];
          for (int i = 0; i < r.size(); i++) {
            v[i] = r.get(i);
          }
          v[r.size()] = executor;
          v[r.size() + 1] = pid;
          v[r.size() + 2] = RecognizerRegistry.recognizersBuilt();
          return RowFactory.create(v);
        }
      };
    }

    /** Says "blocked in pid N" (atomically) and waits for the release file that never comes in time. */
    private void awaitKill(long pid) {
      try {
        Path dir = Path.of(markers);
        Path tmp = dir.resolve("blocked.tmp");
        Files.writeString(tmp, Long.toString(pid));
        Files.move(tmp, dir.resolve("blocked"), StandardCopyOption.ATOMIC_MOVE);
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
        while (!Files.exists(dir.resolve("release")) && System.nanoTime() < deadline) {
          TimeUnit.MILLISECONDS.sleep(20); // polls the release file; the kill ends the wait
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}

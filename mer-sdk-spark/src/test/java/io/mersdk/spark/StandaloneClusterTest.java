package io.mersdk.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The scorer on a real Spark standalone cluster ({@link StandaloneCluster}: a master and two
 * workers of one core each, separate JVMs on 127.0.0.1, executors started by the workers), the job
 * submitted through spark-submit's entry point as users submit it: the SDK's jars with --jars, the
 * demo bundle zipped and shipped with --archives (no folder shared with the executors), the job
 * itself ({@code io.mersdk.spark.clusterjob.ClusterJob}) as the application jar.
 *
 * <p>Checks that every row equals a direct SDK call on the same file (outcome, label, transcript
 * exactly; probabilities within 1e-5, the bound RealBundleSparkTest states for the scorer's padded
 * batches of 4 against single calls: float32 softmax outputs in [0, 1]), corrupt files are failed
 * rows with the decoder's message, each executor JVM built exactly one recogniser; and, with one
 * executor killed mid-partition, that the job still completes with every file exactly once.
 */
@Timeout(value = 12, unit = TimeUnit.MINUTES)
class StandaloneClusterTest {
  static final Duration START = Duration.ofMinutes(2);
  static final long JOB_SECONDS = 480; // generous: the machine may be shared
  static final int PARTITIONS = 8;

  static StandaloneCluster cluster;
  static Path root;
  static List<TestFiles.File> files;
  static Path bundleDir;
  static Path bundleZip;
  static Path jobJar;
  static List<Path> appJars;

  @BeforeAll
  static void startCluster() throws Exception {
    root = Path.of("target", "standalone-cluster").toAbsolutePath();
    StandaloneCluster.deleteTree(root);
    Files.createDirectories(root);
    files = subset(TestFiles.makeFolder(root.resolve("audio")));
    bundleDir = StandaloneCluster.copyResourceFolder("io/mersdk/demo/bundle", root.resolve("bundle"));
    bundleZip = StandaloneCluster.zip(bundleDir, root.resolve("demo-bundle.zip"));

    StandaloneCluster.Layout layout = StandaloneCluster.Layout.ofThisModule(root.resolve("app"));
    appJars = layout.appJars();
    jobJar = layout.jobJar();
    cluster = StandaloneCluster.start(root.resolve("cluster"), layout.clusterJars(), 2, 1, "1g", START);
  }

  /**
   * The codec matrix is local mode's test (EmotionScorerTest); across processes a few kinds of each
   * suffice and keep the test short: every original recording, one recording in the other
   * containers and codecs, the silent files and every corrupt one (18 files with sox, 16 without).
   */
  static List<TestFiles.File> subset(List<TestFiles.File> all) throws IOException {
    String first = TestFiles.recordingFiles().get(0).getFileName().toString().replace(".wav", "");
    List<TestFiles.File> keep = new ArrayList<>();
    for (TestFiles.File f : all) {
      String n = f.path().getFileName().toString();
      boolean other = n.startsWith(first + "-") && (n.contains("ulaw") || n.endsWith(".aiff")
          || n.endsWith(".au") || n.contains("stereo-44100.wav"));
      if (f.kind() != TestFiles.Kind.SPEECH || n.endsWith("-orig.wav") || other
          || n.equals(first + ".flac") || n.equals(first + ".mp3")) {
        keep.add(f);
      } else {
        Files.delete(f.path());
      }
    }
    return keep;
  }

  @AfterAll
  static void stopCluster() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void everyRowEqualsTheDirectCallAndEachExecutorBuildsOneRecogniser() throws Exception {
    Job job = submit("plain", -1);
    assertThat(job.exitCode).as(job.log()).isZero();
    checkRows(job);
    Set<Long> pids = job.rows.stream().map(r -> r.get("executor_pid").asLong()).collect(Collectors.toSet());
    assertThat(pids).as("executor JVMs that scored rows").hasSize(2);
  }

  @Test
  void aLostExecutorLosesNoRowAndDuplicatesNone() throws Exception {
    Path markers = Files.createDirectories(root.resolve("markers-kill"));
    Job job = new Job("kill");
    Process p = job.start(markers, 3);
    long killed;
    try {
      Path blocked = markers.resolve("blocked");
      cluster.await(() -> {
        if (!p.isAlive()) {
          throw new IllegalStateException("the job ended before its task blocked:\n" + job.log());
        }
        return Files.exists(blocked);
      }, System.nanoTime() + TimeUnit.SECONDS.toNanos(JOB_SECONDS), "a task to block");
      killed = Long.parseLong(Files.readString(blocked).trim());
      assertThat(cluster.executors()).extracting(ProcessHandle::pid).as("executor pids").contains(killed);
      ProcessHandle victim = ProcessHandle.of(killed).orElseThrow();
      victim.destroyForcibly();
      victim.onExit().get(30, TimeUnit.SECONDS);
    } finally {
      Files.writeString(markers.resolve("release"), "");
    }
    job.finish(p);
    assertThat(job.exitCode).as(job.log()).isZero();
    assertThat(job.summary.get("executors_removed").asInt()).as("executors lost").isGreaterThanOrEqualTo(1);
    assertThat(job.summary.get("failed_task_attempts").asInt()).as("task attempts lost with it")
        .isGreaterThanOrEqualTo(1);
    checkRows(job);
  }

  /** Every file once; every row as the direct call; one recogniser per executor JVM. */
  private static void checkRows(Job job) {
    Map<String, TestFiles.Kind> kinds = new HashMap<>();
    files.forEach(f -> kinds.put(f.path().toUri().toString().replace("file:///", "file:/"), f.kind()));
    List<String> paths = job.rows.stream().map(r -> r.get("path").asText()).toList();
    assertThat(paths).as("one row per file, none twice").doesNotHaveDuplicates()
        .containsExactlyInAnyOrderElementsOf(kinds.keySet());
    Map<String, JsonNode> direct = new HashMap<>();
    job.direct.forEach(d -> direct.put(d.get("path").asText(), d));
    int emotions = 0;
    for (JsonNode row : job.rows) {
      String path = row.get("path").asText();
      JsonNode d = direct.get(path);
      assertThat(row.get("recognizers_built").asLong()).as("recognisers built in the JVM that scored %s", path)
          .isEqualTo(1);
      assertThat(row.get("outcome").asText()).as(path).isEqualTo(d.get("outcome").asText());
      assertThat(row.get("device").asText()).isEqualTo("cpu");
      if (kinds.get(path) == TestFiles.Kind.CORRUPT) {
        assertThat(row.get("outcome").asText()).as(path).isEqualTo("failed");
        assertThat(row.get("error").asText()).as(path).isEqualTo(d.get("error").asText()).contains(path);
        continue;
      }
      assertThat(row.get("bundle_id").asText()).isEqualTo(d.get("bundle_id").asText());
      if (d.get("outcome").asText().equals("emotion")) {
        emotions++;
        assertThat(row.get("label").asText()).as(path).isEqualTo(d.get("label").asText());
        assertThat(row.get("transcript").asText()).as(path).isEqualTo(d.get("transcript").asText());
        List<String> labels = new ArrayList<>();
        row.get("probabilities").fieldNames().forEachRemaining(labels::add);
        List<String> directLabels = new ArrayList<>();
        d.get("probabilities").fieldNames().forEachRemaining(directLabels::add);
        assertThat(labels).as("labels in the bundle's order").isEqualTo(directLabels);
        for (String label : labels) {
          assertThat(row.get("probabilities").get(label).asDouble()).as("%s %s", path, label)
              .isCloseTo(d.get("probabilities").get(label).asDouble(), within(1e-5));
        }
      }
    }
    assertThat(emotions).as("rows with an emotion").isPositive();
  }

  private static Job submit(String name, int blockPartition) throws Exception {
    Job job = new Job(name);
    Path markers = Files.createDirectories(root.resolve("markers-" + name));
    job.finish(job.start(markers, blockPartition));
    return job;
  }

  /** One spark-submit of ClusterJob and what it wrote. */
  static final class Job {
    final String name;
    final Path out;
    int exitCode = -1;
    List<JsonNode> rows = List.of();
    List<JsonNode> direct = List.of();
    JsonNode summary;

    Job(String name) {
      this.name = name;
      this.out = root.resolve("out-" + name);
    }

    Process start(Path markers, int blockPartition) throws IOException {
      StandaloneCluster.deleteTree(out);
      List<String> args = new ArrayList<>(List.of(
          "--master", cluster.masterUrl(), "--deploy-mode", "client",
          "--name", "mer-sdk-spark " + name,
          "--class", "io.mersdk.spark.clusterjob.ClusterJob",
          "--jars", appJars.stream().map(Path::toString).collect(Collectors.joining(",")),
          "--archives", bundleZip + "#bundle"));
      Map<String, String> conf = new LinkedHashMap<>();
      conf.put("spark.driver.host", StandaloneCluster.HOST);
      conf.put("spark.driver.bindAddress", StandaloneCluster.HOST);
      conf.put("spark.ui.enabled", "false");
      conf.put("spark.executor.cores", "1");
      conf.put("spark.cores.max", "2");
      conf.put("spark.executor.memory", "512m");
      // start scoring only when both executors are there, so that both take part
      conf.put("spark.scheduler.minRegisteredResourcesRatio", "1.0");
      conf.put("spark.scheduler.maxRegisteredResourcesWaitingTime", "120s");
      conf.put("spark.sql.shuffle.partitions", "2");
      conf.forEach((k, v) -> {
        args.add("--conf");
        args.add(k + "=" + v);
      });
      args.add(jobJar.toString());
      args.addAll(List.of(root.resolve("audio").toString(), out.toString(), bundleDir.toString(),
          markers.toString(), String.valueOf(PARTITIONS), String.valueOf(blockPartition)));
      return cluster.submit("submit-" + name, args);
    }

    void finish(Process p) throws Exception {
      if (!p.waitFor(JOB_SECONDS, TimeUnit.SECONDS)) {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
        throw new AssertionError("spark-submit " + name + " did not finish in " + JOB_SECONDS + " s:\n" + log());
      }
      exitCode = p.exitValue();
      if (exitCode != 0) {
        return;
      }
      ObjectMapper json = new ObjectMapper();
      rows = lines(json, out.resolve("rows.jsonl"));
      direct = lines(json, out.resolve("direct.jsonl"));
      summary = json.readTree(out.resolve("summary.json").toFile());
    }

    String log() {
      String s = StandaloneCluster.read(cluster.log("submit-" + name));
      return s.length() > 6000 ? s.substring(s.length() - 6000) : s;
    }

    private static List<JsonNode> lines(ObjectMapper json, Path f) throws IOException {
      List<JsonNode> out = new ArrayList<>();
      for (String l : Files.readAllLines(f, StandardCharsets.UTF_8)) {
        if (!l.isBlank()) {
          out.add(json.readTree(l));
        }
      }
      return out;
    }
  }
}

package io.mersdk.spark;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code mer spark-score} on a real standalone cluster, submitted with docs/spark.md's spark-submit
 * example as written: the block is read from the page (so the page cannot drift from what runs) and
 * run with bash in a folder that has the repository's {@code examples/} and {@code my-bundle.zip}
 * (the demo bundle), with {@code spark-submit} on the PATH being Spark's own entry point on the
 * cluster's jars, and MASTER, INPUT, OUTPUT set. The job's jars are examples/target's, shipped by
 * the example's --jars; the cluster (this module's test class path) has Spark and nothing of ours.
 *
 * <p>Input: the example recordings, a text file named .wav and a truncated WAV, and a file the
 * example's {@code --glob '*.wav'} leaves out. Checks the command's summary line, its exit code 1
 * (some files failed) and that it names both failed files.
 */
@Timeout(value = 12, unit = TimeUnit.MINUTES)
class SparkSubmitExampleTest {
  static final Path REPO = Path.of(System.getProperty("mer.repo", "..")).toAbsolutePath().normalize();
  static final long JOB_SECONDS = 480; // generous: the machine may be shared

  @Test
  void theDocsSparkSubmitExampleScoresOnTheCluster() throws Exception {
    Path examplesJar = REPO.resolve("examples/target/mer-examples.jar");
    assertThat(examplesJar).as("build the examples first (./mvnw package, or verify from the root)").exists();
    Path root = Path.of("target", "spark-submit-example").toAbsolutePath();
    StandaloneCluster.deleteTree(root);

    Path input = Files.createDirectories(root.resolve("calls"));
    List<Path> recordings;
    try (Stream<Path> s = Files.list(REPO.resolve("examples/recordings"))) {
      recordings = s.filter(p -> p.toString().endsWith(".wav")).sorted().toList();
    }
    for (Path r : recordings) {
      Files.copy(r, input.resolve(r.getFileName()));
    }
    Files.writeString(input.resolve("not-audio.wav"), "this is not audio\n".repeat(50));
    Files.write(input.resolve("truncated.wav"), Arrays.copyOf(Files.readAllBytes(recordings.get(0)), 30));
    Files.writeString(input.resolve("notes.txt"), "left out by --glob '*.wav'\n");
    Path output = root.resolve("scores");

    Path cwd = Files.createDirectories(root.resolve("cwd"));
    Files.createSymbolicLink(cwd.resolve("examples"), REPO.resolve("examples"));
    Path bundle = StandaloneCluster.copyResourceFolder("io/mersdk/demo/bundle", root.resolve("bundle"));
    StandaloneCluster.zip(bundle, cwd.resolve("my-bundle.zip"));

    List<Path> clusterJars = new ArrayList<>();
    for (String e : System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"))
        .split(File.pathSeparator)) {
      Path p = Path.of(e);
      String n = p.getFileName().toString();
      // the cluster has Spark's tree; nothing this repository builds (mer-examples.jar, the demo
      // bundle, the cluster helper) is installed there
      if (n.endsWith(".jar") && Files.isRegularFile(p) && !p.toAbsolutePath().normalize().startsWith(REPO)) {
        clusterJars.add(p);
      }
    }
    try (StandaloneCluster cluster = StandaloneCluster.start(root.resolve("cluster"), clusterJars, 2, 1,
        "1g", Duration.ofMinutes(2))) {
      // The client machine's Spark configuration, as conf/spark-defaults.conf holds it.
      Path conf = Files.createDirectories(root.resolve("client-conf"));
      Files.writeString(conf.resolve("spark-defaults.conf"), String.join("\n",
          "spark.driver.host " + StandaloneCluster.HOST,
          "spark.driver.bindAddress " + StandaloneCluster.HOST,
          "spark.ui.enabled false",
          "spark.executor.memory 512m",
          "spark.cores.max 2",
          "spark.scheduler.minRegisteredResourcesRatio 1.0",
          "spark.scheduler.maxRegisteredResourcesWaitingTime 120s",
          "spark.sql.shuffle.partitions 2", ""));
      // bin/spark-submit is `spark-class org.apache.spark.deploy.SparkSubmit "$@"`: the same here.
      Path bin = Files.createDirectories(root.resolve("bin"));
      Path submit = bin.resolve("spark-submit");
      Files.writeString(submit, "#!/usr/bin/env bash\nexec " + cluster.javaCommand("768m",
          "org.apache.spark.deploy.SparkSubmit").stream().map(SparkSubmitExampleTest::quote)
          .collect(Collectors.joining(" ")) + " \"$@\"\n");
      Files.setPosixFilePermissions(submit, PosixFilePermissions.fromString("rwxr-xr-x"));

      String block = exampleBlock(Files.readString(REPO.resolve("docs/spark.md")));
      ProcessBuilder pb = new ProcessBuilder("bash", "-euo", "pipefail", "-c", block).directory(cwd.toFile());
      Map<String, String> env = pb.environment();
      env.putAll(cluster.environment());
      env.put("SPARK_CONF_DIR", conf.toString());
      env.put("PATH", bin + File.pathSeparator + System.getenv("PATH"));
      env.put("MASTER", cluster.masterUrl());
      env.put("INPUT", input.toString());
      env.put("OUTPUT", output.toString());
      Path stdout = root.resolve("stdout.log");
      Path stderr = root.resolve("stderr.log");
      pb.redirectOutput(stdout.toFile()).redirectError(stderr.toFile());
      Process p = pb.start();
      try {
        if (!p.waitFor(JOB_SECONDS, TimeUnit.SECONDS)) {
          throw new AssertionError("the example did not finish in " + JOB_SECONDS + " s:\n" + tail(stderr));
        }
      } finally {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
      }
      String out = Files.readString(stdout, StandardCharsets.UTF_8);
      String err = Files.readString(stderr, StandardCharsets.UTF_8);
      assertThat(p.exitValue()).as("exit code (1: some files failed)\n%s", tail(stderr)).isEqualTo(1);
      Matcher m = Pattern.compile(Pattern.quote(output.toString())
          + ": (\\d+) rows \\(emotion (\\d+), no_speech (\\d+), failed (\\d+)\\)").matcher(out);
      assertThat(m.find()).as("summary line in:\n%s", out).isTrue();
      int files = recordings.size() + 2;
      assertThat(Integer.parseInt(m.group(1))).as("rows: one per *.wav file").isEqualTo(files);
      assertThat(Integer.parseInt(m.group(2)) + Integer.parseInt(m.group(3))).as("recordings scored")
          .isEqualTo(recordings.size());
      assertThat(Integer.parseInt(m.group(4))).as("failed").isEqualTo(2);
      assertThat(err).contains("mer: file:" + input.resolve("not-audio.wav"))
          .contains("mer: file:" + input.resolve("truncated.wav"));
      assertThat(output.resolve("_SUCCESS")).exists();
    }
  }

  /**
   * The spark-submit example of docs/spark.md: the bash block that calls spark-submit with
   * io.mersdk.examples.Mer, less its ./mvnw line (the build has run).
   */
  static String exampleBlock(String markdown) {
    Matcher m = Pattern.compile("```bash\\n(.*?)```", Pattern.DOTALL).matcher(markdown);
    List<String> found = new ArrayList<>();
    while (m.find()) {
      String b = m.group(1);
      if (b.contains("spark-submit") && b.contains("--class io.mersdk.examples.Mer")) {
        found.add(b);
      }
    }
    assertThat(found).as("spark-submit examples of mer spark-score in docs/spark.md").hasSize(1);
    return found.get(0).lines().filter(l -> !l.startsWith("./mvnw")).collect(Collectors.joining("\n"));
  }

  private static String quote(String s) {
    return "'" + s.replace("'", "'\\''") + "'";
  }

  private static String tail(Path log) throws IOException {
    String s = Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
    return s.length() > 6000 ? s.substring(s.length() - 6000) : s;
  }
}

package io.mersdk.examples;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code mer spark-score INPUT OUTPUT}: scores every audio file under INPUT on Apache Spark
 * (io.mersdk:mer-sdk-spark) and writes Parquet to OUTPUT. Under {@code spark-submit} it runs on the
 * cluster; from {@code java -jar mer-examples.jar} (examples built with {@code -Pspark}) in local
 * mode. This class names no Spark type, so the other commands work without Spark; {@link
 * SparkScoreRun} does the work. See docs/spark.md.
 */
@Command(
    name = "spark-score",
    mixinStandardHelpOptions = true,
    versionProvider = Mer.Version.class,
    sortOptions = false,
    description = {
      "Scores every audio file under INPUT (a folder on any file system Spark reads: local, HDFS,"
          + " S3, ...) on Apache Spark and writes Parquet to OUTPUT: path, modificationTime, length"
          + " and the emotion struct (outcome, label, confidence, probabilities, transcript, speech"
          + " decision, timings, device, error). A file that cannot be decoded gets its error in"
          + " its own row.",
      "Cluster: spark-submit --class io.mersdk.examples.Mer ... mer-examples.jar spark-score ...;"
          + " local: java -jar mer-examples.jar spark-score ... (examples built with -Pspark)."
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:every file was scored (emotion or no speech)",
      "1:some files failed (counted; up to 20 named on stderr)",
      "2:bad usage, or Spark is not on the class path",
      "3:the model bundle or the device cannot be used",
      "4:unexpected error"
    })
final class SparkScoreCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Parameters(index = "0", paramLabel = "INPUT", description = "Folder (or glob) of audio files.")
  String input;

  @Parameters(index = "1", paramLabel = "OUTPUT", description = "Parquet output folder.")
  String output;

  @Option(names = "--bundle", paramLabel = "BUNDLE", defaultValue = "classpath:io/mersdk/demo/bundle",
      description = "A bundle folder present on every executor, sparkfiles:NAME (shipped with"
          + " --archives or --files), or classpath:NAME. Default: ${DEFAULT-VALUE}.")
  String bundle;

  @Option(names = "--device", paramLabel = "DEVICE", defaultValue = "auto",
      description = "auto, cpu, cuda or cuda:N; auto and cuda take the GPU Spark assigns to the"
          + " task (spark.task.resource.gpu.amount). Default: ${DEFAULT-VALUE}.")
  String device;

  @Option(names = "--threads", paramLabel = "N", defaultValue = "0",
      description = "Intra-op threads per model session; 0: spark.task.cpus, at least 1."
          + " Default: ${DEFAULT-VALUE}.")
  int threads;

  @Option(names = "--batch", paramLabel = "N", defaultValue = "4",
      description = "Files (or segments) per model call. Default: ${DEFAULT-VALUE}.")
  int batch;

  @Option(names = "--timeline",
      description = "One row per speech segment (segment, start_seconds, end_seconds) instead of"
          + " one per file: for recordings longer than the bundle's ASR window.")
  boolean timeline;

  @Option(names = "--no-speech-gate", negatable = false,
      description = "Do not run the acoustic speech gate before the models.")
  boolean noSpeechGate;

  @Option(names = "--glob", paramLabel = "PATTERN", defaultValue = "*",
      description = "Only files whose name matches, e.g. *.wav. Default: ${DEFAULT-VALUE}.")
  String glob;

  @Option(names = "--partitions", paramLabel = "N", defaultValue = "0",
      description = "Repartition the files into N partitions before scoring (0: as Spark reads"
          + " them). A few per task slot keep every core busy. Default: ${DEFAULT-VALUE}.")
  int partitions;

  @Option(names = "--overwrite", description = "Replace OUTPUT if it exists.")
  boolean overwrite;

  @Option(names = "--master", paramLabel = "URL",
      description = "Spark master. Default: spark-submit's, else local[*].")
  String master;

  @Override
  public Integer call() {
    try {
      Class.forName("org.apache.spark.sql.SparkSession", false, getClass().getClassLoader());
    } catch (ClassNotFoundException e) {
      throw new CliException(Mer.USAGE, "Spark is not on the class path: run this command with"
          + " spark-submit, or build the examples with `./mvnw -Pspark package` for local mode"
          + " (docs/spark.md)");
    }
    if (batch < 1) {
      throw new CliException(Mer.USAGE, "--batch must be >= 1, got " + batch);
    }
    return SparkScoreRun.run(this, spec.commandLine().getOut(), spec.commandLine().getErr());
  }
}

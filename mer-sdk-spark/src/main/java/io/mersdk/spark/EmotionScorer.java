package io.mersdk.spark;

import io.mersdk.Device;
import java.util.Arrays;
import org.apache.spark.ml.Transformer;
import org.apache.spark.ml.param.BooleanParam;
import org.apache.spark.ml.param.DoubleParam;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.DefaultParamsReadable;
import org.apache.spark.ml.util.DefaultParamsWritable;
import org.apache.spark.ml.util.Identifiable;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * A Spark ML {@link Transformer} that appends the emotion of each row's audio as one struct column.
 *
 * <pre>{@code
 * Dataset<Row> files = spark.read().format("binaryFile").option("pathGlobFilter", "*.wav")
 *     .load("hdfs:///calls/2026-11");
 * Dataset<Row> scored = new EmotionScorer()
 *     .setBundle("sparkfiles:bundle")          // or a path on every executor, or classpath:NAME
 *     .transform(files)
 *     .select("path", "emotion.outcome", "emotion.label", "emotion.probabilities");
 * }</pre>
 *
 * <p><b>Input.</b> Either encoded file bytes ({@code binary}, the {@code content} column of
 * Spark's {@code binaryFile} source; every format {@code io.mersdk.audio.AudioSources} reads), or
 * decoded mono samples ({@code array<float>} or {@code array<double>}) with their rate in {@link
 * #sampleRateCol()}. The {@link #pathCol()} names the row in error messages when present.
 *
 * <p><b>Output.</b> {@link #outputCol()} (default {@code emotion}) is a struct: {@code outcome}
 * ({@code emotion}, {@code no_speech}, {@code failed}), {@code label}, {@code confidence}, {@code
 * probabilities} (label to probability, in the bundle's order), {@code transcript}, {@code
 * transcript_supplied}, {@code speech} (the decision and its evidence), {@code timings_ms} (one
 * field per stage), {@code device}, {@code bundle_id}, {@code error} ({@code type}, {@code
 * message}), and {@code segment}, {@code start_seconds}, {@code end_seconds}. A file that cannot be
 * decoded gives its {@code AudioException} in its own row; it never fails the job. See
 * docs/spark.md.
 *
 * <p><b>Timeline mode</b> ({@link #timeline()}): one row per speech segment of each recording
 * (io.mersdk.audio.Timeline), with the segment's index, start and end; for calls longer than the
 * bundle's ASR window. A recording without speech gives one {@code no_speech} row.
 *
 * <p><b>Executors.</b> Each executor JVM builds one recogniser per (bundle, device, threads) and
 * shares it between its task threads ({@link RecognizerRegistry}); the bundle is read from a path,
 * never shipped in a broadcast.
 */
public final class EmotionScorer extends Transformer implements DefaultParamsWritable {
  private static final long serialVersionUID = 1L;

  private final String uid;
  private final Param<String> inputCol;
  private final Param<String> sampleRateCol;
  private final Param<String> pathCol;
  private final Param<String> outputCol;
  private final Param<String> bundle;
  private final Param<String> device;
  private final IntParam batchSize;
  private final IntParam threads;
  private final BooleanParam timeline;
  private final BooleanParam speechGate;
  private final Param<String> channels;
  private final Param<String> parties;
  private final DoubleParam speechThreshold;

  public EmotionScorer() {
    this(Identifiable.randomUID("emotionScorer"));
  }

  /** For Spark's reader (a stage is re-made with its uid, then its params are set). */
  public EmotionScorer(String uid) {
    this.uid = uid;
    inputCol = new Param<>(this, "inputCol",
        "audio column: binary (encoded file bytes, as binaryFile's content) or array<float|double> of"
            + " mono samples at sampleRateCol");
    sampleRateCol = new Param<>(this, "sampleRateCol",
        "integer column with the sample rate of array input, in Hz");
    pathCol = new Param<>(this, "pathCol",
        "string column naming the row in error messages, when the input has it");
    outputCol = new Param<>(this, "outputCol", "output struct column");
    bundle = new Param<>(this, "bundle",
        "model bundle: a folder present on every executor (path or file: URI), sparkfiles:NAME (shipped"
            + " with --files or --archives), or classpath:NAME (e.g. classpath:io/mersdk/demo/bundle)");
    device = new Param<>(this, "device",
        "auto, cpu, cuda or cuda:N; auto and cuda take the task's gpu resource when Spark assigns one");
    batchSize = new IntParam(this, "batchSize", "rows per recogniser call (padded batch), >= 1");
    threads = new IntParam(this, "threads",
        "intra-op threads per model session; 0: spark.task.cpus, at least 1");
    timeline = new BooleanParam(this, "timeline",
        "one row per speech segment (with start and end) instead of one per recording");
    speechGate = new BooleanParam(this, "speechGate",
        "run the acoustic speech gate before the models (needs a SpeechDetector on the class path)");
    channels = new Param<>(this, "channels",
        "mix (down-mix to mono) or split (each channel a party of a call: one row per segment per"
            + " party, with party and channel; binary input only)");
    parties = new Param<>(this, "parties",
        "with channels split: the parties' names in channel order, comma-separated; empty for"
            + " agent,customer (stereo), speaker (mono), channel-N otherwise");
    setDefault(channels, "mix");
    setDefault(parties, "");
    speechThreshold = new DoubleParam(this, "speechThreshold",
        "the speech gate's threshold: Silero VAD's probability at or above which a 32 ms window is"
            + " speech (speech ends below it less 0.15), in (0, 1); default 0.5");
    setDefault(inputCol, "content");
    setDefault(sampleRateCol, "sample_rate");
    setDefault(pathCol, "path");
    setDefault(outputCol, "emotion");
    setDefault(device, "auto");
    setDefault(batchSize, 4);
    setDefault(threads, 0);
    setDefault(timeline, false);
    setDefault(speechGate, true);
    setDefault(speechThreshold, io.mersdk.SpeechGateSettings.defaults().threshold());
  }

  @Override
  public String uid() {
    return uid;
  }

  public Param<String> inputCol() {
    return inputCol;
  }

  public Param<String> sampleRateCol() {
    return sampleRateCol;
  }

  public Param<String> pathCol() {
    return pathCol;
  }

  public Param<String> outputCol() {
    return outputCol;
  }

  public Param<String> bundle() {
    return bundle;
  }

  public Param<String> device() {
    return device;
  }

  public IntParam batchSize() {
    return batchSize;
  }

  public IntParam threads() {
    return threads;
  }

  public BooleanParam timeline() {
    return timeline;
  }

  public Param<String> channels() {
    return channels;
  }

  public Param<String> parties() {
    return parties;
  }

  /** {@code mix} (default) or {@code split}: each channel a party (docs/calls.md). */
  public EmotionScorer setChannels(String value) {
    set(channels, value);
    return this;
  }

  public String getChannels() {
    return getOrDefault(channels);
  }

  /** The parties' names in channel order, comma-separated; empty for the defaults. */
  public EmotionScorer setParties(String value) {
    set(parties, value);
    return this;
  }

  public String getParties() {
    return getOrDefault(parties);
  }

  public BooleanParam speechGate() {
    return speechGate;
  }

  public EmotionScorer setInputCol(String value) {
    set(inputCol, value);
    return this;
  }

  public EmotionScorer setSampleRateCol(String value) {
    set(sampleRateCol, value);
    return this;
  }

  public EmotionScorer setPathCol(String value) {
    set(pathCol, value);
    return this;
  }

  public EmotionScorer setOutputCol(String value) {
    set(outputCol, value);
    return this;
  }

  public EmotionScorer setBundle(String value) {
    set(bundle, value);
    return this;
  }

  public EmotionScorer setDevice(String value) {
    set(device, value);
    return this;
  }

  public EmotionScorer setBatchSize(int value) {
    set(batchSize, value);
    return this;
  }

  public EmotionScorer setThreads(int value) {
    set(threads, value);
    return this;
  }

  public EmotionScorer setTimeline(boolean value) {
    set(timeline, value);
    return this;
  }

  public EmotionScorer setSpeechGate(boolean value) {
    set(speechGate, value);
    return this;
  }

  /** The speech gate's threshold (see the param's doc); checked here. */
  public EmotionScorer setSpeechThreshold(double value) {
    if (!(value > 0 && value < 1)) {
      throw new IllegalArgumentException("speechThreshold: must be within (0, 1), got " + value);
    }
    set(speechThreshold, value);
    return this;
  }

  public DoubleParam speechThreshold() {
    return speechThreshold;
  }

  public double getSpeechThreshold() {
    return (Double) getOrDefault(speechThreshold);
  }

  public String getInputCol() {
    return getOrDefault(inputCol);
  }

  public String getSampleRateCol() {
    return getOrDefault(sampleRateCol);
  }

  public String getPathCol() {
    return getOrDefault(pathCol);
  }

  public String getOutputCol() {
    return getOrDefault(outputCol);
  }

  /** The bundle setting; throws naming the parameter when it was never set. */
  public String getBundle() {
    if (!isDefined(bundle)) {
      throw new IllegalArgumentException("EmotionScorer.bundle: not set; setBundle(\"/path/to/bundle\")"
          + ", setBundle(\"sparkfiles:NAME\") or setBundle(\"classpath:io/mersdk/demo/bundle\")");
    }
    return getOrDefault(bundle);
  }

  public String getDevice() {
    return getOrDefault(device);
  }

  public int getBatchSize() {
    return (Integer) getOrDefault(batchSize);
  }

  public int getThreads() {
    return (Integer) getOrDefault(threads);
  }

  public boolean getTimeline() {
    return (Boolean) getOrDefault(timeline);
  }

  public boolean getSpeechGate() {
    return (Boolean) getOrDefault(speechGate);
  }

  /** The struct type of {@link #outputCol()}. */
  public static StructType resultType() {
    return ResultRows.RESULT;
  }

  @Override
  public StructType transformSchema(StructType schema) {
    config(schema);
    return schema.add(getOutputCol(), ResultRows.RESULT, false);
  }

  @Override
  public Dataset<Row> transform(Dataset<?> dataset) {
    StructType out = transformSchema(dataset.schema());
    ScorerConfig config = config(dataset.schema());
    return dataset.toDF().mapPartitions(new ScorePartition(config), Encoders.row(out));
  }

  /** Checks every setting against the input schema, naming the bad one. */
  private ScorerConfig config(StructType schema) {
    String bundleSetting = getBundle();
    if (bundleSetting.isBlank()) {
      throw new IllegalArgumentException("EmotionScorer.bundle: must not be blank");
    }
    try {
      Device.parse(getDevice());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("EmotionScorer.device: " + e.getMessage(), e);
    }
    if (getBatchSize() < 1) {
      throw new IllegalArgumentException("EmotionScorer.batchSize: must be >= 1, got " + getBatchSize());
    }
    if (getThreads() < 0) {
      throw new IllegalArgumentException(
          "EmotionScorer.threads: must be >= 0 (0: from spark.task.cpus), got " + getThreads());
    }
    String out = getOutputCol();
    if (Arrays.asList(schema.fieldNames()).contains(out)) {
      throw new IllegalArgumentException("EmotionScorer.outputCol: the input already has a column '"
          + out + "'; choose another with setOutputCol");
    }
    StructField in = field(schema, getInputCol(), "inputCol");
    ScorerConfig.InputKind kind;
    int rateIndex = -1;
    if (in.dataType() instanceof org.apache.spark.sql.types.BinaryType) {
      kind = ScorerConfig.InputKind.BYTES;
    } else if (in.dataType() instanceof ArrayType a
        && (a.elementType() instanceof org.apache.spark.sql.types.FloatType
            || a.elementType() instanceof org.apache.spark.sql.types.DoubleType)) {
      kind = ScorerConfig.InputKind.SAMPLES;
      StructField rate = field(schema, getSampleRateCol(), "sampleRateCol");
      DataType t = rate.dataType();
      if (!(t.equals(DataTypes.IntegerType) || t.equals(DataTypes.LongType)
          || t.equals(DataTypes.ShortType))) {
        throw new IllegalArgumentException("EmotionScorer.sampleRateCol: column '" + rate.name()
            + "' is " + t.simpleString() + "; it must be an integer type (Hz)");
      }
      rateIndex = schema.fieldIndex(rate.name());
    } else {
      throw new IllegalArgumentException("EmotionScorer.inputCol: column '" + in.name() + "' is "
          + in.dataType().simpleString() + "; it must be binary (encoded audio, e.g. binaryFile's"
          + " content) or array<float>/array<double> (mono samples, with sampleRateCol)");
    }
    int pathIndex = -1;
    if (Arrays.asList(schema.fieldNames()).contains(getPathCol())) {
      StructField p = schema.apply(getPathCol());
      if (p.dataType().equals(DataTypes.StringType)) {
        pathIndex = schema.fieldIndex(getPathCol());
      }
    }
    boolean split = switch (getChannels()) {
      case "mix" -> false;
      case "split" -> true;
      default -> throw new IllegalArgumentException("EmotionScorer.channels: must be mix or split,"
          + " got '" + getChannels() + "'");
    };
    if (split && kind != ScorerConfig.InputKind.BYTES) {
      throw new IllegalArgumentException("EmotionScorer.channels: split needs binary input (an"
          + " encoded multi-channel file); inputCol '" + in.name() + "' holds mono samples");
    }
    java.util.List<String> names = null;
    if (!getParties().isBlank()) {
      if (!split) {
        throw new IllegalArgumentException("EmotionScorer.parties: needs channels split");
      }
      names = Arrays.stream(getParties().split(",", -1)).map(String::strip).toList();
      try {
        checkNames(names);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("EmotionScorer." + e.getMessage(), e);
      }
    }
    return new ScorerConfig(bundleSetting, getDevice(), getThreads(), getBatchSize(), getTimeline(),
        getSpeechGate(), getSpeechThreshold(), kind, schema.fieldIndex(in.name()), rateIndex,
        pathIndex, split, names);
  }

  /** The checks of CallTimeline.Builder#parties, on the driver. */
  private static void checkNames(java.util.List<String> names) {
    java.util.Set<String> seen = new java.util.HashSet<>();
    for (int i = 0; i < names.size(); i++) {
      if (names.get(i).isEmpty() || !seen.add(names.get(i))) {
        throw new IllegalArgumentException("parties[" + i + "]: '" + names.get(i)
            + "' is blank or given twice");
      }
    }
  }

  private static StructField field(StructType schema, String name, String param) {
    if (!Arrays.asList(schema.fieldNames()).contains(name)) {
      throw new IllegalArgumentException("EmotionScorer." + param + ": no column '" + name
          + "' in the input; columns: " + Arrays.toString(schema.fieldNames()));
    }
    return schema.apply(name);
  }

  @Override
  public EmotionScorer copy(ParamMap extra) {
    return defaultCopy(extra);
  }

  /** Reads a scorer saved with {@code write().save(path)} (PipelineModel.load finds it too). */
  public static MLReader<EmotionScorer> read() {
    return new DefaultParamsReadable<EmotionScorer>() {}.read();
  }

  public static EmotionScorer load(String path) {
    return read().load(path);
  }

  @Override
  public String toString() {
    return "EmotionScorer[" + uid + "]";
  }
}

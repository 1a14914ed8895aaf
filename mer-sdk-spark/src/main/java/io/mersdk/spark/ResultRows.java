package io.mersdk.spark;

import io.mersdk.EmotionResult;
import io.mersdk.MerException;
import io.mersdk.SpeechDecision;
import io.mersdk.StageTimings;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalDouble;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import scala.jdk.javaapi.CollectionConverters;

/**
 * The output struct: the fields and names of the JSON result (docs/architecture.md), as typed
 * columns, plus where the row's audio lies in its recording. Emotion fields are null unless
 * {@code outcome} is {@code emotion}; {@code error} is null unless it is {@code failed}.
 */
final class ResultRows {
  private ResultRows() {}

  static final StructType SPEECH = new StructType(new StructField[] {
      field("speech", DataTypes.BooleanType, false),
      field("basis", DataTypes.StringType, false),
      field("speech_seconds", DataTypes.DoubleType, true),
      field("no_speech_prob", DataTypes.DoubleType, true),
      field("avg_logprob", DataTypes.DoubleType, true),
      field("compression_ratio", DataTypes.DoubleType, true)});

  /** One field per {@link StageTimings.Stage}, by its key, in milliseconds. */
  static final StructType TIMINGS = timings();

  static final StructType ERROR = new StructType(new StructField[] {
      field("type", DataTypes.StringType, false),
      field("message", DataTypes.StringType, false)});

  static final StructType RESULT = new StructType(new StructField[] {
      field("outcome", DataTypes.StringType, false),
      field("label", DataTypes.StringType, true),
      field("confidence", DataTypes.DoubleType, true),
      field("probabilities", DataTypes.createMapType(DataTypes.StringType, DataTypes.DoubleType, false), true),
      field("transcript", DataTypes.StringType, true),
      field("transcript_supplied", DataTypes.BooleanType, true),
      field("speech", SPEECH, true),
      field("timings_ms", TIMINGS, true),
      field("device", DataTypes.StringType, true),
      field("bundle_id", DataTypes.StringType, true),
      field("error", ERROR, true),
      field("segment", DataTypes.IntegerType, true),
      field("start_seconds", DataTypes.DoubleType, true),
      field("end_seconds", DataTypes.DoubleType, true),
      // with channels "split": the segment's party (docs/calls.md); null otherwise
      field("party", DataTypes.StringType, true),
      field("channel", DataTypes.IntegerType, true)});

  private static StructType timings() {
    StageTimings.Stage[] stages = StageTimings.Stage.values();
    StructField[] f = new StructField[stages.length];
    for (int i = 0; i < stages.length; i++) {
      f[i] = field(stages[i].key(), DataTypes.DoubleType, false);
    }
    return new StructType(f);
  }

  private static StructField field(String name, org.apache.spark.sql.types.DataType type,
      boolean nullable) {
    return DataTypes.createStructField(name, type, nullable);
  }

  /**
   * A result as the struct's row.
   *
   * @param segment the segment's index in timeline mode, else null
   * @param start where the audio starts in its recording, seconds
   * @param end where it ends, seconds
   */
  static Row of(EmotionResult r, Integer segment, Double start, Double end) {
    return of(r, segment, start, end, null);
  }

  /** {@link #of(EmotionResult, Integer, Double, Double)} of one party's segment. */
  static Row of(EmotionResult r, Integer segment, Double start, Double end,
      io.mersdk.audio.Party party) {
    boolean emotion = r.isEmotion();
    Object probabilities = null;
    if (emotion) {
      // Bundle label order, kept by the insertion-ordered map Spark iterates when it encodes.
      Map<String, Double> p = new LinkedHashMap<>(r.probabilities());
      probabilities = CollectionConverters.asScala(p);
    }
    Row error = r.failure().map(ResultRows::error).orElse(null);
    return RowFactory.create(
        r.outcome().name().toLowerCase(Locale.ROOT),
        emotion ? r.label() : null,
        emotion ? r.confidence() : null,
        probabilities,
        emotion ? r.transcript() : null,
        emotion ? r.transcriptSupplied() : null,
        speech(r.speech()),
        timings(r.timings()),
        r.device().toString(),
        r.bundleId(),
        error,
        segment,
        start,
        end,
        party == null ? null : party.name(),
        party == null ? null : party.channel());
  }

  /** A failure that happened before the recogniser saw the item (decoding, a null cell). */
  static Row failed(MerException e, String device, String bundleId) {
    Object[] v = new Object[RESULT.size()];
    v[0] = "failed";
    v[6] = speech(SpeechDecision.builder(true, SpeechDecision.Basis.NOT_CHECKED).build());
    v[7] = timings(StageTimings.zero());
    v[8] = device;
    v[9] = bundleId;
    v[10] = error(e);
    return RowFactory.create(v);
  }

  private static Row error(MerException e) {
    return RowFactory.create(e.getClass().getSimpleName(), String.valueOf(e.getMessage()));
  }

  private static Row speech(SpeechDecision d) {
    return RowFactory.create(d.isSpeech(), d.basis().name().toLowerCase(Locale.ROOT),
        d.speechDuration().map(x -> x.toNanos() / 1e9).orElse(null),
        boxed(d.noSpeechProbability()), boxed(d.avgLogProbability()), boxed(d.compressionRatio()));
  }

  private static Row timings(StageTimings t) {
    StageTimings.Stage[] stages = StageTimings.Stage.values();
    Object[] v = new Object[stages.length];
    for (int i = 0; i < stages.length; i++) {
      v[i] = millis(t.get(stages[i]));
    }
    return RowFactory.create(v);
  }

  private static double millis(Duration d) {
    return d.toNanos() / 1e6;
  }

  private static Double boxed(OptionalDouble v) {
    return v.isPresent() ? v.getAsDouble() : null;
  }
}

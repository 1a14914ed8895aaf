package io.mersdk.spark;

import io.mersdk.AudioException;
import io.mersdk.EmotionRecognizer;
import io.mersdk.EmotionResult;
import io.mersdk.MerException;
import io.mersdk.Segment;
import io.mersdk.SpeechDecision;
import io.mersdk.Utterance;
import io.mersdk.audio.AudioSources;
import io.mersdk.audio.CallResult;
import io.mersdk.audio.CallTimeline;
import io.mersdk.audio.Party;
import io.mersdk.audio.Timeline;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.util.TaskCompletionListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Scores one partition on an executor: takes the JVM's shared recogniser for the task's slot
 * ({@link RecognizerRegistry}), decodes each row's audio, recognises {@code batchSize} rows per
 * call and appends the result struct to each row. Lazy: rows are read and scored as Spark pulls
 * them, so a partition never sits in memory whole.
 */
final class ScorePartition implements MapPartitionsFunction<Row, Row> {
  private static final long serialVersionUID = 1L;
  private static final Logger LOG = LoggerFactory.getLogger(ScorePartition.class);

  private final ScorerConfig config;

  ScorePartition(ScorerConfig config) {
    this.config = config;
  }

  @Override
  public Iterator<Row> call(Iterator<Row> rows) {
    if (!rows.hasNext()) {
      return Collections.emptyIterator(); // an empty partition loads nothing
    }
    TaskContext task = TaskContext.get();
    RecognizerRegistry.Lease lease =
        RecognizerRegistry.acquire(config.key(task), ScorerConfig::build);
    if (task != null) {
      task.addTaskCompletionListener((TaskCompletionListener) ctx -> lease.close());
    }
    return new Scoring(rows, lease, config, task == null ? -1 : task.partitionId());
  }

  private static final class Scoring implements Iterator<Row> {
    private final Iterator<Row> in;
    private final RecognizerRegistry.Lease lease;
    private final ScorerConfig config;
    private final EmotionRecognizer recognizer;
    private final Timeline timeline;
    private final CallTimeline calls;
    private final int rate;
    private final int partition;
    private final ArrayDeque<Row> out = new ArrayDeque<>();
    private long rowIndex;

    Scoring(Iterator<Row> in, RecognizerRegistry.Lease lease, ScorerConfig config, int partition) {
      this.in = in;
      this.lease = lease;
      this.config = config;
      this.recognizer = lease.recognizer();
      this.rate = recognizer.bundle().sampleRate();
      this.partition = partition;
      this.timeline = config.timeline
          ? Timeline.builder(recognizer).batchSize(config.batchSize).build() : null;
      CallTimeline.Builder calls = CallTimeline.builder(recognizer).batchSize(config.batchSize);
      if (config.parties != null) {
        calls.parties(config.parties);
      }
      this.calls = config.splitChannels ? calls.build() : null;
    }

    @Override
    public boolean hasNext() {
      while (out.isEmpty() && in.hasNext()) {
        if (calls != null) {
          scoreCall(in.next());
        } else if (timeline != null) {
          scoreTimeline(in.next());
        } else {
          scoreBatch();
        }
      }
      if (out.isEmpty()) {
        lease.close(); // also released by the task listener; closing twice is harmless
        return false;
      }
      return true;
    }

    @Override
    public Row next() {
      if (!hasNext()) {
        throw new NoSuchElementException();
      }
      return out.poll();
    }

    private void scoreBatch() {
      List<Row> rows = new ArrayList<>(config.batchSize);
      while (rows.size() < config.batchSize && in.hasNext()) {
        rows.add(in.next());
      }
      Row[] results = new Row[rows.size()];
      List<Utterance> utterances = new ArrayList<>(rows.size());
      List<Integer> decoded = new ArrayList<>(rows.size());
      List<Double> seconds = new ArrayList<>(rows.size());
      for (int i = 0; i < rows.size(); i++) {
        try {
          float[] samples = decode(rows.get(i));
          utterances.add(Utterance.of(samples));
          decoded.add(i);
          seconds.add(samples.length / (double) rate);
        } catch (MerException e) {
          results[i] = failed(e);
        }
      }
      if (!utterances.isEmpty()) {
        List<EmotionResult> r = recognizer.recognizeBatch(utterances);
        for (int k = 0; k < r.size(); k++) {
          results[decoded.get(k)] = ResultRows.of(r.get(k), null, 0.0, seconds.get(k));
        }
      }
      for (int i = 0; i < rows.size(); i++) {
        out.add(append(rows.get(i), results[i]));
      }
    }

    private void scoreTimeline(Row row) {
      float[] samples;
      try {
        samples = decode(row);
      } catch (MerException e) {
        out.add(append(row, failed(e)));
        return;
      }
      List<Segment> segments = timeline.run(samples);
      if (segments.isEmpty()) {
        // The segmenter found no speech anywhere: one row says so, so that no file goes missing.
        out.add(append(row, ResultRows.of(noSpeech(), null, 0.0, samples.length / (double) rate)));
        return;
      }
      for (int i = 0; i < segments.size(); i++) {
        Segment s = segments.get(i);
        out.add(append(row, ResultRows.of(s.result(), i, s.start().toNanos() / 1e9,
            s.end().toNanos() / 1e9)));
      }
    }

    /** One row per segment per party; a party without speech gets one no-speech row. */
    private void scoreCall(Row row) {
      CallResult call;
      try {
        Object cell = row.get(config.inputIndex);
        String name = describe(row);
        if (cell == null) {
          throw new AudioException(name + ": the audio column is null");
        }
        call = calls.run(AudioSources.channels((byte[]) cell, name));
      } catch (MerException e) {
        out.add(append(row, failed(e)));
        return;
      }
      double seconds = call.duration().toNanos() / 1e9;
      for (Party p : call.parties()) {
        List<Segment> segments = call.segmentsOf(p);
        if (segments.isEmpty()) {
          out.add(append(row, ResultRows.of(noSpeech(), null, 0.0, seconds, p)));
        }
        for (int i = 0; i < segments.size(); i++) {
          Segment s = segments.get(i);
          out.add(append(row, ResultRows.of(s.result(), i, s.start().toNanos() / 1e9,
              s.end().toNanos() / 1e9, p)));
        }
      }
    }

    private EmotionResult noSpeech() {
      return EmotionResult.noSpeech(SpeechDecision.builder(false,
          SpeechDecision.Basis.ACOUSTIC_GATE).speechDuration(Duration.ZERO).build())
          .device(recognizer.device()).bundleId(recognizer.bundle().bundleId()).build();
    }

    private Row failed(MerException e) {
      LOG.debug("row failed: {}", e.getMessage());
      return ResultRows.failed(e, recognizer.device().toString(), recognizer.bundle().bundleId());
    }

    /** Mono samples at the bundle's rate, or the row's typed error. */
    private float[] decode(Row row) {
      String name = describe(row);
      try {
        Object cell = row.get(config.inputIndex);
        if (cell == null) {
          throw new AudioException(name + ": the audio column is null");
        }
        if (config.kind == ScorerConfig.InputKind.BYTES) {
          return AudioSources.of((byte[]) cell, name).readMono(rate);
        }
        return AudioSources.of(samples(row, name), sampleRate(row, name)).readMono(rate);
      } catch (MerException e) {
        throw e;
      } catch (RuntimeException e) {
        throw new AudioException(name + ": cannot be read: " + e, e);
      }
    }

    private float[] samples(Row row, String name) {
      List<Object> list = row.getList(config.inputIndex);
      float[] x = new float[list.size()];
      for (int i = 0; i < x.length; i++) {
        Object v = list.get(i);
        if (v == null) {
          throw new AudioException(name + ": sample " + i + " is null");
        }
        x[i] = ((Number) v).floatValue();
      }
      return x;
    }

    private int sampleRate(Row row, String name) {
      Object v = row.get(config.rateIndex);
      if (v == null) {
        throw new AudioException(name + ": the sample-rate column is null");
      }
      long r = ((Number) v).longValue();
      if (r <= 0 || r > Integer.MAX_VALUE) {
        throw new AudioException(name + ": sample rate " + r + " Hz is not a positive rate");
      }
      return (int) r;
    }

    /** The row's path when the input has one, else its place in the partition. */
    private String describe(Row row) {
      long index = rowIndex++;
      if (config.pathIndex >= 0 && !row.isNullAt(config.pathIndex)) {
        return row.getString(config.pathIndex);
      }
      return "row " + index + " of partition " + partition;
    }

    private static Row append(Row row, Row result) {
      Object[] v = new Object[row.size() + 1];
      for (int i = 0; i < row.size(); i++) {
        v[i] = row.get(i);
      }
      v[row.size()] = result;
      return RowFactory.create(v);
    }
  }
}

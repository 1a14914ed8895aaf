package io.mersdk.spark;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.sound.sampled.AudioFileFormat;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Timeline mode on a recording of about a minute (the example recordings four times over, 1.5 s of
 * silence between them): segment rows that cover every recording's speech, skip the pauses, and
 * fit the bundle's ASR window; a silent file gives one no_speech row, a corrupt one its error.
 */
class TimelineModeTest {
  static final double PAUSE = 1.5;

  @TempDir static Path tmp;
  static SparkSession spark;
  static Path bundle;
  static List<double[]> speech = new ArrayList<>();
  static Dataset<Row> input;

  @BeforeAll
  static void setUp() throws Exception {
    spark = TestSpark.session();
    bundle = FakeBackendProvider.writeBundle(tmp.resolve("fake-timeline"), "fake-timeline",
        List.of("neutral", "happy", "sad", "angry"), 8);
    Path dir = java.nio.file.Files.createDirectories(tmp.resolve("calls"));
    float[] minute = TestFiles.minute(PAUSE, speech);
    TestFiles.write(dir.resolve("call.wav"), minute, 16000, 16, false, false, AudioFileFormat.Type.WAVE);
    TestFiles.write(dir.resolve("quiet.wav"), new float[5 * 16000], 16000, 16, false, false,
        AudioFileFormat.Type.WAVE);
    java.nio.file.Files.writeString(dir.resolve("broken.wav"), "RIFF....WAVEnope");
    input = spark.read().format("binaryFile").load(dir.toString());
  }

  static List<Row> rows(String file) {
    return new EmotionScorer().setBundle(bundle.toString()).setDevice("cpu").setTimeline(true)
        .transform(input).where("path like '%/" + file + "'")
        .orderBy("emotion.segment").select("emotion").collectAsList();
  }

  @Test
  void segmentsCoverTheSpeechAndSkipThePauses() {
    assertThat(speech.get(speech.size() - 1)[1]).as("recording length, s").isGreaterThan(55);
    List<Row> rows = rows("call.wav");
    assertThat(rows.size()).isGreaterThanOrEqualTo(speech.size());
    List<double[]> segments = new ArrayList<>();
    for (int i = 0; i < rows.size(); i++) {
      Row e = rows.get(i).getStruct(0);
      assertThat(e.<Integer>getAs("segment")).isEqualTo(i);
      assertThat(e.<String>getAs("outcome")).isEqualTo("emotion");
      double start = e.getAs("start_seconds");
      double end = e.getAs("end_seconds");
      assertThat(end).isGreaterThan(start);
      assertThat(end - start).as("segment %d fits the 8 s window", i).isLessThanOrEqualTo(8.0);
      if (!segments.isEmpty()) {
        assertThat(start).isGreaterThanOrEqualTo(segments.get(segments.size() - 1)[1]);
      }
      segments.add(new double[] {start, end});
    }
    for (double[] s : speech) {
      // Every recording is covered from its first to its last loud sample (within the padding).
      double covered = 0;
      for (double[] g : segments) {
        covered += Math.max(0, Math.min(g[1], s[1]) - Math.max(g[0], s[0]));
      }
      assertThat(covered).as("seconds of [%.2f, %.2f] inside segments", s[0], s[1])
          .isGreaterThan(0.7 * (s[1] - s[0]));
    }
    for (int k = 0; k + 1 < speech.size(); k++) {
      // The middle of every pause (beyond the segmenter's 150 ms padding) is in no segment.
      double from = speech.get(k)[1] + 0.3;
      double to = speech.get(k + 1)[0] - 0.3;
      for (double[] g : segments) {
        assertThat(g[1] <= from || g[0] >= to)
            .as("segment [%.2f, %.2f] against pause [%.2f, %.2f]", g[0], g[1], from, to).isTrue();
      }
    }
  }

  @Test
  void silentRecordingGivesOneNoSpeechRow() {
    List<Row> rows = rows("quiet.wav");
    assertThat(rows).hasSize(1);
    Row e = rows.get(0).getStruct(0);
    assertThat(e.<String>getAs("outcome")).isEqualTo("no_speech");
    assertThat(e.isNullAt(e.fieldIndex("segment"))).isTrue();
    assertThat(e.<Double>getAs("end_seconds")).isEqualTo(5.0);
  }

  @Test
  void corruptRecordingGivesItsError() {
    List<Row> rows = rows("broken.wav");
    assertThat(rows).hasSize(1);
    Row e = rows.get(0).getStruct(0);
    assertThat(e.<String>getAs("outcome")).isEqualTo("failed");
    assertThat(e.getStruct(e.fieldIndex("error")).<String>getAs("type")).isEqualTo("AudioException");
  }
}

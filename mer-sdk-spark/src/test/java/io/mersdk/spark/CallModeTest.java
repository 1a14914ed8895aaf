package io.mersdk.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.io.ByteArrayInputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.sound.sampled.AudioFileFormat;
import javax.sound.sampled.AudioFormat;
import javax.sound.sampled.AudioInputStream;
import javax.sound.sampled.AudioSystem;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code channels = split}: a stereo call (an example recording on the left from 1 s, another on
 * the right 2 s after it ends) gives one row per segment per party with the party and channel
 * columns; bad settings name the parameter.
 */
class CallModeTest {
  @TempDir static Path tmp;
  static SparkSession spark;
  static Path bundle;
  static Dataset<Row> input;
  static double rightStart;
  static double leftEnd;

  @BeforeAll
  static void setUp() throws Exception {
    spark = TestSpark.session();
    bundle = FakeBackendProvider.writeBundle(tmp.resolve("fake-call"), "fake-call",
        List.of("neutral", "happy", "sad", "angry"), 8);
    List<float[]> speech = TestFiles.speech();
    float[] a = speech.get(0);
    float[] b = speech.get(1);
    int r = TestFiles.RATE;
    leftEnd = 1.0 + a.length / (double) r;
    rightStart = leftEnd + 2.0;
    int n = (int) Math.round((rightStart + 1.0) * r) + b.length;
    float[] left = new float[n];
    float[] right = new float[n];
    System.arraycopy(a, 0, left, r, a.length);
    System.arraycopy(b, 0, right, (int) Math.round(rightStart * r), b.length);
    Path dir = Files.createDirectories(tmp.resolve("calls"));
    writeStereo(dir.resolve("call.wav"), left, right);
    input = spark.read().format("binaryFile").load(dir.toString());
  }

  @Test
  void oneRowPerSegmentPerParty() {
    List<Row> rows = new EmotionScorer().setBundle(bundle.toString()).setDevice("cpu")
        .setChannels("split").transform(input)
        .orderBy("emotion.channel", "emotion.segment").select("emotion").collectAsList();
    List<Row> e = rows.stream().map(x -> x.getStruct(0)).toList();
    assertThat(e).extracting(x -> x.<String>getAs("party")).contains("agent", "customer");
    Row firstAgent = e.stream().filter(x -> "agent".equals(x.getAs("party"))).findFirst()
        .orElseThrow();
    Row firstCustomer = e.stream().filter(x -> "customer".equals(x.getAs("party"))).findFirst()
        .orElseThrow();
    assertThat(firstAgent.<Integer>getAs("channel")).isZero();
    assertThat(firstCustomer.<Integer>getAs("channel")).isEqualTo(1);
    assertThat(firstAgent.<Double>getAs("start_seconds")).isCloseTo(1.0, within(0.5));
    assertThat(firstCustomer.<Double>getAs("start_seconds")).isCloseTo(rightStart, within(0.5));
    assertThat(firstAgent.<String>getAs("outcome")).isEqualTo("emotion");

    List<Row> named = new EmotionScorer().setBundle(bundle.toString()).setDevice("cpu")
        .setChannels("split").setParties("a,b,c").transform(input).select("emotion")
        .collectAsList();
    Row failed = named.get(0).getStruct(0);
    assertThat(failed.<String>getAs("outcome")).isEqualTo("failed");
    assertThat(failed.<Row>getAs("error").<String>getAs("message"))
        .contains("has 2 channels but 3 party names");
  }

  @Test
  void badSettingsNameTheParameter() {
    assertThatThrownBy(() -> new EmotionScorer().setBundle(bundle.toString())
        .setChannels("both").transform(input)).hasMessageStartingWith("EmotionScorer.channels:");
    assertThatThrownBy(() -> new EmotionScorer().setBundle(bundle.toString())
        .setParties("a,b").transform(input)).hasMessageStartingWith("EmotionScorer.parties:");
    assertThatThrownBy(() -> new EmotionScorer().setBundle(bundle.toString())
        .setChannels("split").setParties("a,a").transform(input))
        .hasMessageStartingWith("EmotionScorer.parties[1]:");
  }

  static void writeStereo(Path file, float[] left, float[] right) throws Exception {
    ByteBuffer b = ByteBuffer.allocate(4 * left.length).order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < left.length; i++) {
      b.putShort((short) Math.round(Math.max(-1, Math.min(1, left[i])) * 32767));
      b.putShort((short) Math.round(Math.max(-1, Math.min(1, right[i])) * 32767));
    }
    try (AudioInputStream in = new AudioInputStream(new ByteArrayInputStream(b.array()),
        new AudioFormat(TestFiles.RATE, 16, 2, true, false), left.length)) {
      AudioSystem.write(in, AudioFileFormat.Type.WAVE, file.toFile());
    }
  }
}

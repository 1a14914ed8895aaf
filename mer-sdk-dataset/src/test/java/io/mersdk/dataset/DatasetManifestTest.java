package io.mersdk.dataset;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.sound.sampled.AudioFileFormat;
import javax.sound.sampled.AudioFormat;
import javax.sound.sampled.AudioInputStream;
import javax.sound.sampled.AudioSystem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The contract of docs/training.md, "Your own data", as the Java reader implements it. */
class DatasetManifestTest {
  @TempDir Path dir;

  private Path write(String name, String text) throws IOException {
    return Files.writeString(dir.resolve(name), text);
  }

  private List<String> problems(Path m) {
    try {
      DatasetManifest.read(m);
    } catch (DatasetException e) {
      return e.problems();
    }
    throw new AssertionError("no DatasetException for " + m);
  }

  @Test
  void csvWithEveryFieldQuotingAndBlankLines() throws IOException {
    Path m = write("data.csv", "\uFEFFaudio,label,group,transcript,start,end,split,mine\n"
        + "\n"
        + "a.wav,happy,7,,,,,x\n"
        + "\"sub/b, with comma.wav\", sad ,s2,\"she said \"\"no\"\"\nand left\",0.5,1.25,test,y\n"
        + "   \n"
        + "/abs/c.wav,angry,,,1e-1,,train,\n");

    DatasetManifest d = DatasetManifest.read(m);

    assertThat(d.rows()).hasSize(3);
    DatasetRow a = d.rows().get(0);
    assertThat(a.line()).isEqualTo(3);
    assertThat(a.audio()).isEqualTo(dir.resolve("a.wav"));
    assertThat(a.label()).isEqualTo("happy");
    assertThat(a.group()).contains("7");
    assertThat(a.transcript()).isEmpty();
    assertThat(a.isCut()).isFalse();
    DatasetRow b = d.rows().get(1);
    assertThat(b.line()).isEqualTo(4);
    assertThat(b.audio()).isEqualTo(dir.resolve("sub/b, with comma.wav"));
    assertThat(b.label()).isEqualTo("sad");
    assertThat(b.transcript()).contains("she said \"no\"\nand left");
    assertThat(b.start()).hasValue(0.5);
    assertThat(b.end()).hasValue(1.25);
    assertThat(b.split()).contains("test");
    DatasetRow c = d.rows().get(2);
    assertThat(c.line()).as("after a quoted newline and a line of blanks").isEqualTo(7);
    assertThat(c.audio()).isEqualTo(Path.of("/abs/c.wav"));
    assertThat(c.start()).hasValue(0.1);
    assertThat(c.end()).isEmpty();
    assertThat(d.labels()).containsExactly("angry", "happy", "sad");
  }

  @Test
  void tsvAndColumnsInAnyOrder() throws IOException {
    Path m = write("data.tsv", "label\tnotes\taudio\r\nneutral\ta, b\tx.flac\r\n");

    DatasetRow r = DatasetManifest.read(m).rows().get(0);

    assertThat(r.audio()).isEqualTo(dir.resolve("x.flac"));
    assertThat(r.label()).isEqualTo("neutral");
    assertThat(r.line()).isEqualTo(2);
  }

  @Test
  void jsonlWithANumericGroup() throws IOException {
    Path m = write("data.jsonl", "{\"audio\": \"a.wav\", \"label\": \"calm\", \"group\": 12,"
        + " \"start\": 1, \"end\": 2.5, \"transcript\": \"hi\", \"extra\": [1]}\n\n"
        + "{\"audio\": \"b.wav\", \"label\": \"sad\", \"group\": null, \"split\": \"validation\"}\n");

    DatasetManifest d = DatasetManifest.read(m);

    assertThat(d.rows()).hasSize(2);
    assertThat(d.rows().get(0).group()).contains("12");
    assertThat(d.rows().get(0).start()).hasValue(1.0);
    assertThat(d.rows().get(0).end()).hasValue(2.5);
    assertThat(d.rows().get(0).transcript()).contains("hi");
    assertThat(d.rows().get(1).line()).isEqualTo(3);
    assertThat(d.rows().get(1).group()).isEmpty();
    assertThat(d.rows().get(1).split()).contains("validation");
  }

  @Test
  void everyBadRowIsNamedWithItsLineFieldAndValue() throws IOException {
    Path m = write("data.csv", "audio,label,start,end,split\n"
        + "a.wav,happy,1.5s,,\n"
        + ",sad,,,\n"
        + "b.wav,,,,\n"
        + "c.wav,sad,2,1,\n"
        + "d.wav,sad,-1,,\n"
        + "e.wav,sad,,,dev\n"
        + "f.wav\n"
        + "g.wav,sad,,0,\n");

    assertThat(problems(m)).containsExactly(
        m + ":2: start: '1.5s' is not a number of seconds",
        m + ":3: audio: missing",
        m + ":4: label: missing",
        m + ":5: start, end: need start < end, got 2 >= 1",
        m + ":6: start: '-1' is not a number of seconds >= 0",
        m + ":7: split: 'dev' is not one of train, validation, test",
        m + ":8: label: missing",
        m + ":9: end: need end > start (0), got 0");
  }

  @Test
  void badJsonlRows() throws IOException {
    Path m = write("data.ndjson", "{\"audio\": \"a.wav\"}\n[1]\n{\"audio\": 3, \"label\": \"x\"}\n"
        + "{\"audio\": \"a.wav\", \"label\": \"x\", \"start\": \"0.5\"}\n{oops\n"
        + "{\"audio\": \"a.wav\", \"label\": \"x\", \"label\": \"y\"}\n");

    List<String> p = problems(m);

    assertThat(p).hasSize(6);
    assertThat(p.get(0)).isEqualTo(m + ":1: label: missing");
    assertThat(p.get(1)).isEqualTo(m + ":2: not a JSON object: array");
    assertThat(p.get(2)).isEqualTo(m + ":3: audio: 3 is not a string");
    assertThat(p.get(3)).isEqualTo(m + ":4: start: \"0.5\" is not a number of seconds");
    assertThat(p.get(4)).startsWith(m + ":5: not a JSON object: ");
    assertThat(p.get(5)).startsWith(m + ":6: not a JSON object: ").contains("label");
  }

  @Test
  void headerProblems() throws IOException {
    assertThat(problems(write("old.tsv", "a.wav\thappy\nb.wav\tsad\n")))
        .containsExactly(
            dir.resolve("old.tsv") + ":1: header: no 'audio' column (the first row must name the"
                + " columns, e.g. 'audio,label'; a file of bare 'path,label' lines needs that header"
                + " added)",
            dir.resolve("old.tsv") + ":1: header: no 'label' column (the first row must name the"
                + " columns, e.g. 'audio,label'; a file of bare 'path,label' lines needs that header"
                + " added)");
    assertThat(problems(write("dup.csv", "audio,label,audio\na,b,c\n")))
        .containsExactly(dir.resolve("dup.csv") + ":1: header: column 'audio' appears twice");
  }

  @Test
  void fileProblems() throws IOException {
    assertThat(problems(write("empty.csv", "\n\n"))).singleElement().asString().endsWith(": no rows (the file is empty)");
    assertThat(problems(write("head.csv", "audio,label\n"))).singleElement().asString().endsWith(": no rows (only a header)");
    assertThat(problems(write("empty.jsonl", ""))).singleElement().asString().endsWith(": no rows");
    assertThat(problems(write("data.txt", "audio,label\na,b\n"))).singleElement().asString()
        .contains("unknown manifest type");
    assertThat(problems(write("quote.csv", "audio,label\n\na.wav,x\n\n\"a.wav,happy\n")))
        .singleElement().asString().startsWith(dir.resolve("quote.csv") + ":5: cannot parse the row (");
    assertThat(problems(write("wide.csv", "audio,label\na.wav,x,y\n"))).containsExactly(
        dir.resolve("wide.csv") + ":2: the row has 3 fields, the header 2 (a separator inside an"
            + " unquoted value?)");
    Path latin1 = Files.write(dir.resolve("latin1.csv"), "audio,label\ncaf\u00e9.wav,x\n"
        .getBytes(StandardCharsets.ISO_8859_1));
    assertThat(problems(latin1)).containsExactly(latin1 + ": not UTF-8 text");
    assertThat(problems(dir.resolve("gone.csv"))).singleElement().asString().contains("cannot read");
  }

  @Test
  void unknownLabelsAreNamedByLine() throws IOException {
    Path m = write("data.csv", "audio,label\na.wav,happy\nb.wav,bored\n");

    assertThat(DatasetManifest.read(m).unknownLabels(List.of("neutral", "happy")))
        .containsExactly(m + ":3: label: 'bored' is not one of the bundle's labels [neutral, happy]");
  }

  @Test
  void aRowWithStartAndEndIsThatCutOfItsFile() throws Exception {
    float[] samples = new float[16000 * 2];
    for (int i = 0; i < samples.length; i++) {
      samples[i] = (i % 100) / 400f;
    }
    wav(dir.resolve("long.wav"), samples);
    Path m = write("cuts.csv", "audio,label,start,end\nlong.wav,a,0.5,1.25\nlong.wav,b,1.5,\n"
        + "long.wav,c,,0.25\nlong.wav,d,1.5,2.5\nlong.wav,e,2.0,\n");
    List<DatasetRow> rows = DatasetManifest.read(m).rows();

    float[] a = rows.get(0).readMono(16000);
    assertThat(a).hasSize(12000);
    assertThat(a[0]).isEqualTo(wavValue(samples[8000]));
    assertThat(rows.get(1).readMono(16000)).hasSize(8000);
    assertThat(rows.get(2).source().readMono(16000)).hasSize(4000);
    assertThat(rows.get(2).source().description()).contains("long.wav [0.000 s, 0.250 s)");
    assertThat(rows.get(1).readMono(8000)).as("the cut at the rate asked for").hasSize(4000);
    assertThatThrownBy(() -> rows.get(3).readMono(16000))
        .isInstanceOfSatisfying(DatasetException.class, e -> assertThat(e.problems())
            .containsExactly(m + ":5: end: 2.500 s is beyond the end of " + dir.resolve("long.wav")
                + " (2.000 s)"));
    assertThatThrownBy(() -> rows.get(4).readMono(16000)).hasMessage(m + ":6: start: 2.000 s is at"
        + " or beyond the end of " + dir.resolve("long.wav") + " (2.000 s)");
  }

  /** 16-bit PCM quantisation, as the decoder reads it back. */
  private static float wavValue(float x) {
    return Math.round(x * 32767) / 32768f;
  }

  private static void wav(Path file, float[] x) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(x.length * 2).order(ByteOrder.LITTLE_ENDIAN);
    for (float v : x) {
      b.putShort((short) Math.round(v * 32767));
    }
    AudioFormat f = new AudioFormat(16000, 16, 1, true, false);
    try (AudioInputStream in = new AudioInputStream(new ByteArrayInputStream(b.array()), f, x.length)) {
      AudioSystem.write(in, AudioFileFormat.Type.WAVE, file.toFile());
    }
  }
}

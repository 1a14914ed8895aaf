package io.mersdk.dataset;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The Java reader reads a manifest as mer-train's {@code mer_train.dataset.read_manifest} does
 * (training's reader): the same rows with the same fields and lines, or problems on the same lines.
 * The cases and Python's outcome: testdata/evaluate/reader-cases.json (scripts/make_reader_fixture.py).
 * The messages' wording differs between the languages; their lines do not.
 */
class ReaderAgreementTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;

  static Stream<Arguments> cases() throws IOException {
    Path testdata = Path.of(System.getProperty("mer.testdata", "../testdata"));
    JsonNode doc = JSON.readTree(testdata.resolve("evaluate/reader-cases.json").toFile());
    List<Arguments> out = new ArrayList<>();
    doc.get("cases").forEach(c -> out.add(Arguments.of(c.get("name").asText(), c)));
    return out.stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void readsAsTrainingReads(String name, JsonNode c) throws IOException {
    Path m = Files.write(dir.resolve(name), c.get("text").asText().getBytes(StandardCharsets.UTF_8));
    if (c.has("problem_lines")) {
      List<Integer> want = new ArrayList<>();
      c.get("problem_lines").forEach(n -> want.add(n.asInt()));
      List<Integer> lines = new ArrayList<>();
      try {
        DatasetManifest.read(m);
      } catch (DatasetException e) {
        Pattern at = Pattern.compile(Pattern.quote(m.toString()) + ":(\\d+): .*", Pattern.DOTALL);
        for (String p : e.problems()) {
          Matcher x = at.matcher(p);
          lines.add(x.matches() ? Integer.parseInt(x.group(1)) : 0);
        }
      }
      assertThat(lines).as(name).containsExactlyElementsOf(want);
      return;
    }
    List<DatasetRow> rows = DatasetManifest.read(m).rows();
    JsonNode want = c.get("rows");
    assertThat(rows).as(name).hasSize(want.size());
    for (int i = 0; i < rows.size(); i++) {
      DatasetRow r = rows.get(i);
      JsonNode w = want.get(i);
      assertThat(r.line()).as(name + " line").isEqualTo(w.get("line").asInt());
      assertThat(dir.relativize(r.audio()).toString().replace('\\', '/')).as(name + " audio")
          .isEqualTo(w.get("audio").asText());
      assertThat(r.label()).as(name + " label").isEqualTo(w.get("label").asText());
      assertThat(r.group().orElse(null)).as(name + " group").isEqualTo(text(w, "group"));
      assertThat(r.transcript().orElse(null)).as(name + " transcript").isEqualTo(text(w, "transcript"));
      assertThat(r.split().orElse(null)).as(name + " split").isEqualTo(text(w, "split"));
      assertThat(r.start().isPresent() ? r.start().getAsDouble() : null).as(name + " start")
          .isEqualTo(number(w, "start"));
      assertThat(r.end().isPresent() ? r.end().getAsDouble() : null).as(name + " end")
          .isEqualTo(number(w, "end"));
    }
  }

  private static String text(JsonNode w, String f) {
    return w.get(f).isNull() ? null : w.get(f).asText();
  }

  /** Python keeps a start of -0 as -0.0, Java makes it 0.0: the same cut. */
  private static Double number(JsonNode w, String f) {
    return w.get(f).isNull() ? null : w.get(f).asDouble() + 0.0;
  }
}

package io.mersdk.dataset;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.mersdk.testkit.QuietOutput;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Jazzer target for the dataset manifest reader, a parser of files users write (and download): any
 * bytes give a {@link DatasetManifest} or a {@link DatasetException} whose every problem names the
 * file, never another exception, a hang or output; every row's line is a line of the file, and its
 * cut of any audio is samples or a DatasetException.
 *
 * <p>The first byte picks the format ({@code c} CSV, {@code t} TSV, {@code j} JSONL; any other
 * byte by its value modulo 3), the rest is the file. Under plain {@code mvn verify} it runs over its
 * committed corpus ({@code src/test/resources/io/mersdk/dataset/DatasetManifestFuzzTestInputs/parse/}:
 * the manifests of testdata/evaluate, hand-made TSV and JSONL seeds, and every input that ever
 * failed); {@code scripts/fuzz.sh dataset SECONDS} fuzzes it.
 */
class DatasetManifestFuzzTest {
  private static final String[] NAMES = {"fuzz.csv", "fuzz.tsv", "fuzz.jsonl"};

  // libFuzzer dictionary lines: quoted, with \" and \xNN escapes (tab, CR LF, LF, the BOM)
  @FuzzTest
  @DictionaryEntries({"\"audio\"", "\"label\"", "\"group\"", "\"transcript\"", "\"start\"",
      "\"end\"", "\"split\"", "\"train\"", "\"validation\"", "\"test\"", "\"\\\"\"",
      "\"\\\"\\\"\"", "\",\"", "\"\\x09\"", "\"\\x0d\\x0a\"", "\"\\x0a\"", "\"\\xef\\xbb\\xbf\"",
      "\"{\\\"audio\\\":\"", "\"\\\"label\\\":\"", "\"\\\"start\\\":\"", "\"1e309\"", "\"-0\"",
      "\"0.5\"", "\".5\"", "\"1e-3\"", "\"null\"", "\"[]\"", "\"{}\""})
  void parse(byte[] data) {
    if (data.length == 0) {
      return;
    }
    int pick = data[0] == 'c' ? 0 : data[0] == 't' ? 1 : data[0] == 'j' ? 2 : (data[0] & 0xff) % 3;
    Path file = Path.of(NAMES[pick]);
    byte[] text = Arrays.copyOfRange(data, 1, data.length);
    long lines = 1;
    for (byte b : text) {
      lines += b == '\n' || b == '\r' ? 1 : 0;
    }
    long lineCount = lines;
    String printed = QuietOutput.printedBy(() -> {
      try {
        DatasetManifest m = DatasetManifest.parse(file, text);
        assertThat(m.rows()).isNotEmpty();
        for (DatasetRow row : m.rows()) {
          assertThat(row.line()).isBetween(1, (int) Math.min(Integer.MAX_VALUE, lineCount));
          assertThat(row.label()).isNotBlank();
          try {
            float[] cut = row.cut(new float[1600], 16000);
            assertThat(cut.length).isBetween(1, 1600);
          } catch (DatasetException expected) {
            assertThat(expected.problems()).allMatch(p -> p.startsWith(file + ":" + row.line() + ": "));
          }
        }
      } catch (DatasetException expected) {
        assertThat(expected.problems()).isNotEmpty().allMatch(p -> p.startsWith(file + ":"));
      }
      return null;
    });
    assertThat(printed).as("written to System.out/err").isEmpty();
  }
}

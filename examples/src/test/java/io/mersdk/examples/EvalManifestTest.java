package io.mersdk.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EvalManifestTest {
  @TempDir Path dir;

  @Test
  void readsTabAndCommaLinesSkippingCommentsAndBlanks() throws Exception {
    Path m = Files.writeString(dir.resolve("test.tsv"), String.join("\n",
        "# a comment",
        "",
        "a.wav\thappy",
        "  sub/b.wav , sad  ",
        "/abs/c,with,commas.wav,angry",
        "   # indented comment"));

    EvalManifest manifest = EvalManifest.read(m);

    assertThat(manifest.entries()).containsExactly(
        new EvalManifest.Entry(3, dir.resolve("a.wav"), "happy"),
        new EvalManifest.Entry(4, dir.resolve("sub/b.wav"), "sad"),
        new EvalManifest.Entry(5, Path.of("/abs/c,with,commas.wav"), "angry"));
  }

  @Test
  void badLinesAreNamedByNumber() throws Exception {
    Path m = Files.writeString(dir.resolve("bad.csv"), "a.wav,happy\nno-separator\n\t sad\nb.wav,\n");

    assertThatThrownBy(() -> EvalManifest.read(m))
        .isInstanceOfSatisfying(EvalManifest.BadManifestException.class, e ->
            assertThat(e.problems()).containsExactly(
                m + ":2: expected 'audio-path<TAB>label' or 'audio-path,label', got 'no-separator'",
                m + ":3: audio path is empty in 'sad'",
                m + ":4: label is empty in 'b.wav,'"));
  }

  @Test
  void unknownLabelsAreNamedByLine() throws Exception {
    Path m = Files.writeString(dir.resolve("m.txt"), "a.wav,happy\nb.wav,bored\n");

    List<String> problems = EvalManifest.read(m).unknownLabels(List.of("neutral", "happy"));

    assertThat(problems).containsExactly(
        m + ":2: label 'bored' is not one of the bundle's labels [neutral, happy]");
  }

  @Test
  void emptyManifestIsRefused() throws Exception {
    Path m = Files.writeString(dir.resolve("empty.txt"), "# nothing\n\n");

    assertThatThrownBy(() -> EvalManifest.read(m)).hasMessageContaining("no entries");
  }
}

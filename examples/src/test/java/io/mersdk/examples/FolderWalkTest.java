package io.mersdk.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A folder walk takes Ogg files and names what it passes over. */
class FolderWalkTest {
  @TempDir Path dir;

  @Test
  void oggIsTakenAndOtherFilesAreNamed() throws Exception {
    TestAudio.writeWav(dir.resolve("a.wav"), TestAudio.voiced(0.5, 150, 1));
    Files.writeString(dir.resolve("b.opus"), "x");
    Files.writeString(dir.resolve("c.ogg"), "x");
    Files.writeString(dir.resolve("notes.txt"), "x");
    Files.writeString(dir.resolve(".hidden"), "x");
    AudioFiles.Expansion e = AudioFiles.expand(List.of(dir));
    assertThat(e.files()).extracting(p -> p.getFileName().toString())
        .containsExactly("a.wav", "b.opus", "c.ogg");
    assertThat(e.problems()).isEmpty();
    assertThat(e.skipped()).singleElement().asString()
        .contains("skipped 1 file that is not audio by name (notes.txt)");
  }
}

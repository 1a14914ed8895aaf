package io.mersdk.examples;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TableWriterTest {
  @Test
  void transcriptIsOneLineWithoutControlCharacters() {
    assertThat(TableWriter.oneLine(" so\tmany\n\nlines \u0011here\u0007 "))
        .isEqualTo("so many lines \uFFFDhere\uFFFD");
  }
}

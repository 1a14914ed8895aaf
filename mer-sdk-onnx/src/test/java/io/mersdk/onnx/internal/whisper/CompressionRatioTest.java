package io.mersdk.onnx.internal.whisper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The compression ratio equals Python's {@code len(b) / len(zlib.compress(b))} on UTF-8 bytes
 * (openai-whisper's {@code compression_ratio}). The expected figures were printed by CPython 3's
 * zlib: {@code python3 -c "import zlib; b = t.encode(); print(len(b) / len(zlib.compress(b)))"}.
 */
class CompressionRatioTest {
  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "Grace left the car at the park.|0.9117647058823529",
      "Sam left the laptop at theSam on the table.|1.0",
      "éééééééééééééééééééééééééééééé|4.615384615384615",
      "a|0.1111111111111111",
  })
  void matchesPythonsZlib(String text, double expected) {
    assertThat(CompressionRatio.of(text)).isCloseTo(expected, within(1e-12));
  }

  @org.junit.jupiter.api.Test
  void aRepetitionLoopCompressesWellAndEmptyIsZero() {
    assertThat(CompressionRatio.of("ha ".repeat(40))).isCloseTo(8.571428571428571, within(1e-12));
    assertThat(CompressionRatio.of("")).isZero();
  }
}

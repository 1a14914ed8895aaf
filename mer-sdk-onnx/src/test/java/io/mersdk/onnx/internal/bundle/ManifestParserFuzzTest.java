package io.mersdk.onnx.internal.bundle;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.mersdk.BundleException;
import io.mersdk.testkit.QuietOutput;

/**
 * Jazzer target for bundle.json, the one file of a bundle a user may have edited by hand: any
 * bytes give a {@link Manifest} or a {@link BundleException} naming the bundle and bundle.json,
 * never another exception, and nothing is printed.
 *
 * <p>Under plain {@code mvn verify} it runs over its committed corpus,
 * {@code src/test/resources/io/mersdk/onnx/internal/bundle/ManifestParserFuzzTestInputs/parse/}
 * (the manifests of the test and demo bundles, and every input that ever failed);
 * {@code scripts/fuzz.sh manifest SECONDS} fuzzes it (see docs/audio.md, "Fuzzing").
 */
class ManifestParserFuzzTest {
  @FuzzTest
  @DictionaryEntries({"\"format\"", "\"format_version\"", "\"bundle_id\"", "\"labels\"",
      "\"variant\"", "\"modalities\"", "\"audio\"", "\"sample_rate\"", "\"n_samples\"",
      "\"min_samples\"", "\"whisper\"", "\"decoding\"", "\"start_sequence\"", "\"end_token\"",
      "\"suppress_tokens\"", "\"begin_suppress_tokens\"", "\"text\"", "\"pad_token_id\"",
      "\"graphs\"", "\"files\"", "\"sha256\"", "\"bytes\"", "\"tokenizers\"", "\"wavlm\"",
      "\"roberta\"", "\"head\"", "\"layer_adapter\"", "\"multimodal_fusion\"", "\"speech\"",
      "\"context\"", "-1", "1e309", "9223372036854775808", "null", "[]", "{}"})
  void parse(byte[] json) {
    String printed = QuietOutput.printedBy(() -> {
      try {
        Manifest m = ManifestParser.parse(json, "fuzz");
        assertThat(m.labels()).isNotEmpty();
      } catch (BundleException expected) {
        assertThat(expected.getMessage()).startsWith("bundle fuzz: bundle.json");
      }
      return null;
    });
    assertThat(printed).as("written to System.out/err").isEmpty();
  }
}

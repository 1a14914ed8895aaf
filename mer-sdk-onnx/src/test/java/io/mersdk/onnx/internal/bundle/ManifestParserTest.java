package io.mersdk.onnx.internal.bundle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mersdk.BundleException;
import io.mersdk.Modality;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** bundle.json is checked field by field; every message names the field and the value. */
class ManifestParserTest {

  private static Manifest parse(Consumer<ObjectNode> change) {
    ObjectNode m = HandMadeBundle.manifest();
    change.accept(m);
    return ManifestParser.parse(HandMadeBundle.bytes(m), "test");
  }

  @Test
  void theDocumentedExampleParses() {
    Manifest m = parse(x -> { });
    assertThat(m.bundleId()).isEqualTo("hand-made");
    assertThat(m.labels()).containsExactly("neutral", "happy", "sad", "angry");
    assertThat(m.variant().modalities()).containsExactlyInAnyOrder(Modality.values());
    assertThat(m.audio().nSamples()).isEqualTo(480000);
    assertThat(m.whisper().orElseThrow().decoding().startSequence()).containsExactly(5L, 7L);
    assertThat(m.whisper().orElseThrow().decoding().endToken()).isEqualTo(3);
    assertThat(m.whisper().orElseThrow().decoding().beginSuppressTokens()).containsExactly(4, 3);
    assertThat(m.text().orElseThrow().padTokenId()).isEqualTo(1);
    assertThat(m.graphs()).containsEntry("head", "head.onnx").hasSize(6);
    assertThat(m.files()).hasSize(8);
  }

  @Test
  void aSpeechOnlyVariantNeedsNeitherWhisperNorText() {
    Manifest m = parse(x -> {
      ((ArrayNode) x.get("variant").get("modalities")).removeAll().add("speech");
      x.remove("whisper");
      x.remove("text");
      ObjectNode graphs = (ObjectNode) x.get("graphs");
      graphs.remove("features");
      graphs.remove("whisper_encoder");
      graphs.remove("whisper_decoder");
      graphs.remove("roberta");
      x.remove("tokenizers");
      x.putObject("tokenizers");
    });
    assertThat(m.hasWhisper()).isFalse();
    assertThat(m.decodes()).isFalse();
    assertThat(m.graphs()).containsOnlyKeys("wavlm", "head");
    assertThat(m.tokenizers()).isEmpty();
  }

  @Test
  void aContextOnlyVariantNeedsNoDecoderAndNoTokenizers() {
    Manifest m = parse(x -> {
      ((ArrayNode) x.get("variant").get("modalities")).removeAll().add("context");
      x.remove("wavlm");
      x.remove("text");
      ObjectNode graphs = (ObjectNode) x.get("graphs");
      graphs.remove("whisper_decoder");
      graphs.remove("wavlm");
      graphs.remove("roberta");
      x.putObject("tokenizers");
    });
    assertThat(m.hasWhisper()).isTrue();
    assertThat(m.decodes()).isFalse();
    assertThat(m.graphs()).containsOnlyKeys("features", "whisper_encoder", "head");
  }

  @Test
  void unknownFieldsInClosedObjectsAreRefused() {
    assertThatThrownBy(() -> parse(x -> x.put("extra", 1)))
        .isInstanceOf(BundleException.class).hasMessageContaining("unknown field extra");
    assertThatThrownBy(() -> parse(x -> ((ObjectNode) x.get("audio")).put("bitrate", 1)))
        .hasMessageContaining("unknown field audio.bitrate");
    assertThatThrownBy(() -> parse(x -> ((ObjectNode) x.get("whisper").get("decoding")).put("beam_size", 5)))
        .hasMessageContaining("unknown field whisper.decoding.beam_size");
  }

  @Test
  void theBundleIdAndLabelsFollowTheSchema() {
    assertThatThrownBy(() -> parse(x -> x.put("bundle_id", "has space")))
        .hasMessageContaining("field bundle_id must match");
    assertThatThrownBy(() -> parse(x -> ((ArrayNode) x.get("labels")).removeAll().add("only")))
        .hasMessageContaining("labels must be an array of at least 2 strings");
    assertThatThrownBy(() -> parse(x -> ((ObjectNode) x.get("head")).put("adapter_activation", "swish")))
        .hasMessageContaining("head.adapter_activation must be one of");
  }

  @Test
  void notJsonIsNamed() {
    assertThatThrownBy(() -> ManifestParser.parse("{\"format\": ".getBytes(StandardCharsets.UTF_8), "x"))
        .isInstanceOf(BundleException.class).hasMessageContaining("bundle.json is not valid JSON");
  }

  @Test
  void theFormatMustBeOurs() {
    assertThatThrownBy(() -> parse(x -> x.put("format", "other")))
        .isInstanceOf(BundleException.class).hasMessageContaining("field format").hasMessageContaining("other");
  }

  @Test
  void formatVersionsOneAndTwoAreRead() {
    assertThatThrownBy(() -> parse(x -> x.put("format_version", 3)))
        .isInstanceOf(BundleException.class).hasMessageContaining("format_version is 3")
        .hasMessageContaining("format versions 1 to 2");
    assertThatThrownBy(() -> parse(x -> x.put("format_version", 0)))
        .isInstanceOf(BundleException.class).hasMessageContaining("format_version is 0");
    assertThatThrownBy(() -> parse(x -> x.put("format_version", "1")))
        .isInstanceOf(BundleException.class).hasMessageContaining("format_version is \"1\"");
    assertThat(parse(x -> { }).formatVersion()).isEqualTo(1);
    assertThat(parse(ManifestParserTest::toVersion2).formatVersion()).isEqualTo(2);
  }

  static void toVersion2(ObjectNode x) {
    HandMadeBundle.toVersion2(x);
  }

  @Test
  void formatOneHasWhispersDefaultsAndNoNoSpeechToken() {
    Manifest m = parse(x -> { });
    assertThat(m.speechThresholds()).isEqualTo(io.mersdk.SpeechThresholds.WHISPER_DEFAULTS);
    assertThat(m.whisper().orElseThrow().decoding().noSpeechToken()).isEmpty();
    assertThat(m.hasModelSpeechEvidence()).isFalse();
    assertThat(m.decoderLogitsPerPosition()).isFalse();
  }

  @Test
  void formatTwoReadsTheNoSpeechTokenAndTheThresholds() {
    Manifest m = parse(ManifestParserTest::toVersion2);
    assertThat(m.speechThresholds()).isEqualTo(new io.mersdk.SpeechThresholds(0.5, -0.8, 2.0));
    assertThat(m.whisper().orElseThrow().decoding().noSpeechToken()).hasValue(6);
    assertThat(m.hasModelSpeechEvidence()).isTrue();
    assertThat(m.decoderLogitsPerPosition()).isTrue();
  }

  @Test
  void aNullNoSpeechTokenMeansTheGateDecidesAlone() {
    Manifest m = parse(x -> {
      toVersion2(x);
      ((ObjectNode) x.get("whisper").get("decoding")).putNull("no_speech_token");
    });
    assertThat(m.whisper().orElseThrow().decoding().noSpeechToken()).isEmpty();
    assertThat(m.hasModelSpeechEvidence()).isFalse();
  }

  @Test
  void formatTwoFieldsAreCheckedByName() {
    assertThatThrownBy(() -> parse(x -> {
      toVersion2(x);
      ((ObjectNode) x.get("whisper").get("decoding")).remove("no_speech_token");
    })).isInstanceOf(BundleException.class).hasMessageContaining("whisper.decoding.no_speech_token is missing");
    assertThatThrownBy(() -> parse(x -> {
      toVersion2(x);
      ((ObjectNode) x.get("whisper").get("decoding")).put("no_speech_token", 100000);
    })).isInstanceOf(BundleException.class).hasMessageContaining("whisper.decoding.no_speech_token")
        .hasMessageContaining("100000");
    assertThatThrownBy(() -> parse(x -> {
      toVersion2(x);
      x.remove("speech_decision");
    })).isInstanceOf(BundleException.class).hasMessageContaining("required field speech_decision is missing");
    assertThatThrownBy(() -> parse(x -> {
      toVersion2(x);
      ((ObjectNode) x.get("speech_decision")).put("no_speech_threshold", 1.5);
    })).isInstanceOf(BundleException.class).hasMessageContaining("speech_decision.no_speech_threshold")
        .hasMessageContaining("1.5");
    assertThatThrownBy(() -> parse(x -> {
      toVersion2(x);
      ((ObjectNode) x.get("speech_decision")).put("logprob_threshold", 0.5);
    })).isInstanceOf(BundleException.class).hasMessageContaining("speech_decision.logprob_threshold");
    assertThatThrownBy(() -> parse(x -> {
      toVersion2(x);
      ((ObjectNode) x.get("speech_decision")).put("compression_ratio_threshold", 0);
    })).isInstanceOf(BundleException.class).hasMessageContaining("speech_decision.compression_ratio_threshold");
    assertThatThrownBy(() -> parse(x -> {
      toVersion2(x);
      ((ObjectNode) x.get("speech_decision")).put("temperature", 0);
    })).isInstanceOf(BundleException.class).hasMessageContaining("unknown field speech_decision.temperature");
  }

  @Test
  void formatOneRefusesTheFieldsOfFormatTwo() {
    assertThatThrownBy(() -> parse(x -> x.putObject("speech_decision")))
        .isInstanceOf(BundleException.class).hasMessageContaining("unknown field speech_decision")
        .hasMessageContaining("format version 1");
    assertThatThrownBy(() -> parse(x ->
        ((ObjectNode) x.get("whisper").get("decoding")).put("no_speech_token", 6)))
        .isInstanceOf(BundleException.class)
        .hasMessageContaining("unknown field whisper.decoding.no_speech_token");
  }

  @Test
  void missingFieldsAreNamedWithTheirPath() {
    assertThatThrownBy(() -> parse(x -> x.remove("labels")))
        .isInstanceOf(BundleException.class).hasMessageContaining("required field labels is missing");
    assertThatThrownBy(() -> parse(x -> ((ObjectNode) x.get("whisper").get("decoding")).remove("end_token")))
        .hasMessageContaining("whisper.decoding.end_token is missing");
    assertThatThrownBy(() -> parse(x -> ((ObjectNode) x.get("text")).remove("pad_token_id")))
        .hasMessageContaining("text.pad_token_id is missing");
    assertThatThrownBy(() -> parse(x -> x.remove("wavlm")))
        .hasMessageContaining("required field wavlm is missing");
    assertThatThrownBy(() -> parse(x -> ((ObjectNode) x.get("graphs")).remove("roberta")))
        .hasMessageContaining("graphs.roberta is missing");
  }

  @Test
  void badValuesAreNamedWithTheValue() {
    assertThatThrownBy(() -> parse(x -> ((ObjectNode) x.get("audio")).put("sample_rate", -3)))
        .hasMessageContaining("audio.sample_rate must be a positive integer, got -3");
    assertThatThrownBy(() -> parse(x -> ((ArrayNode) x.get("labels")).add("happy")))
        .hasMessageContaining("labels[4] repeats an earlier label");
    assertThatThrownBy(() -> parse(x -> ((ArrayNode) x.get("variant").get("modalities")).add("video")))
        .hasMessageContaining("variant.modalities[3] must be one of speech, text, context");
    assertThatThrownBy(() -> parse(x -> ((ObjectNode) x.get("whisper").get("decoding")).put("end_token", 600)))
        .hasMessageContaining("whisper.decoding.end_token must be a token id in [0, whisper.vocab_size=600)");
    assertThatThrownBy(() -> parse(x -> ((ObjectNode) x.get("audio")).put("min_samples", 480001)))
        .hasMessageContaining("audio.min_samples must not exceed audio.n_samples");
  }

  @Test
  void filesMustBePlainNamesWithRealChecksums() {
    assertThatThrownBy(() -> parse(x -> ((ObjectNode) x.get("graphs")).put("head", "../head.onnx")))
        .hasMessageContaining("graphs.head must be a plain file name");
    assertThatThrownBy(() -> parse(x -> ((ObjectNode) x.get("files").get("head.onnx")).put("sha256", "abc")))
        .hasMessageContaining("files.head.onnx.sha256 must be 64 lower-case hex digits");
    assertThatThrownBy(() -> parse(x -> ((ObjectNode) x.get("files")).remove("head.onnx")))
        .hasMessageContaining("graphs.head names 'head.onnx' but files has no entry");
  }

  @Test
  void unknownGraphKeysAreRefused() {
    assertThatThrownBy(() -> parse(x -> ((ObjectNode) x.get("graphs")).put("wavml", "wavlm.onnx")))
        .hasMessageContaining("graphs.wavml is not a graph this SDK knows");
  }
}

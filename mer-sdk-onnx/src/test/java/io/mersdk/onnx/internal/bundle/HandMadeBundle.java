package io.mersdk.onnx.internal.bundle;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * A bundle.json derived from an exported one (testdata/bundles/tiny-a) with dummy files (not real
 * graphs) and their true checksums, for tests of the manifest and the file checks that need no
 * model.
 */
final class HandMadeBundle {
  static final ObjectMapper JSON = new ObjectMapper();
  static final String[] FILES = {
    "features.onnx", "whisper_encoder.onnx", "whisper_decoder.onnx", "wavlm.onnx", "roberta.onnx",
    "head.onnx", "asr_tokenizer.json", "text_tokenizer.json"
  };

  private HandMadeBundle() {}

  /** The exported manifest the hand-made one is derived from (mer-train's make-test-bundle). */
  static Path exported() {
    return io.mersdk.onnx.testing.TestData.root().resolve("bundles").resolve("tiny-a")
        .resolve("bundle.json");
  }

  /**
   * tiny-a's exported bundle.json (every modality, format 2) taken back to format 1 (no
   * speech_decision, no no_speech_token), with bundle_id "hand-made" and the dummy files'
   * checksums: what an exporter writes, not what a test author remembers of it.
   */
  static ObjectNode manifest() {
    try {
      ObjectNode root = (ObjectNode) JSON.readTree(Files.readAllBytes(exported()));
      root.put("bundle_id", "hand-made");
      root.put("format_version", 1);
      root.remove("speech_decision");
      ((ObjectNode) root.get("whisper").get("decoding")).remove("no_speech_token");
      ObjectNode files = root.putObject("files");
      for (Map.Entry<String, byte[]> f : contents().entrySet()) {
        files.putObject(f.getKey()).put("sha256", sha256(f.getValue())).put("bytes", f.getValue().length);
      }
      return root;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The same manifest in format 2: a no-speech token and speech_decision. */
  static ObjectNode manifestV2() {
    ObjectNode m = manifest();
    toVersion2(m);
    return m;
  }

  static void toVersion2(ObjectNode x) {
    x.put("format_version", 2);
    ((ObjectNode) x.get("whisper").get("decoding")).put("no_speech_token", 6);
    x.putObject("speech_decision").put("no_speech_threshold", 0.5).put("logprob_threshold", -0.8)
        .put("compression_ratio_threshold", 2.0);
  }

  static Map<String, byte[]> contents() {
    Map<String, byte[]> out = new TreeMap<>();
    for (String f : FILES) {
      out.put(f, ("dummy content of " + f).getBytes(StandardCharsets.UTF_8));
    }
    return out;
  }

  /** Writes the manifest (after {@code change}) and the dummy files into {@code folder}. */
  static Path write(Path folder, Consumer<ObjectNode> change) {
    try {
      Files.createDirectories(folder);
      for (Map.Entry<String, byte[]> f : contents().entrySet()) {
        Files.write(folder.resolve(f.getKey()), f.getValue());
      }
      ObjectNode m = manifest();
      change.accept(m);
      Files.write(folder.resolve("bundle.json"), bytes(m));
      return folder;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static byte[] bytes(ObjectNode m) {
    try {
      return JSON.writeValueAsBytes(m);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static String sha256(byte[] data) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
  }
}

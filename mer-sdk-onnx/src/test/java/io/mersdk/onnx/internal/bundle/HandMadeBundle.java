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
 * A bundle.json as in docs/model-bundle.md with dummy files (not real graphs) and their true
 * checksums, for tests of the manifest and the file checks that need no model.
 */
final class HandMadeBundle {
  static final ObjectMapper JSON = new ObjectMapper();
  static final String[] FILES = {
    "features.onnx", "whisper_encoder.onnx", "whisper_decoder.onnx", "wavlm.onnx", "roberta.onnx",
    "head.onnx", "asr_tokenizer.json", "text_tokenizer.json"
  };

  private HandMadeBundle() {}

  static ObjectNode manifest() {
    String json = """
        {
          "format": "mer-bundle",
          "format_version": 1,
          "bundle_id": "hand-made",
          "description": "free text",
          "labels": ["neutral", "happy", "sad", "angry"],
          "variant": {"modalities": ["speech", "text", "context"], "layer_adapter": true, "multimodal_fusion": true},
          "audio": {"sample_rate": 16000, "n_fft": 400, "hop_length": 160, "n_mels": 80,
                    "chunk_seconds": 30, "n_samples": 480000, "min_samples": 1600},
          "whisper": {"d_model": 64, "encoder_layers": 2, "decoder_layers": 2, "vocab_size": 600,
                      "encoder_frames": 1500, "context_hop_samples": 320,
                      "decoding": {"start_sequence": [5, 7], "end_token": 3, "no_timestamps_token": 7,
                                   "suppress_tokens": [1, 2], "begin_suppress_tokens": [4, 3],
                                   "max_new_tokens": 40}},
          "wavlm": {"hidden_size": 32, "num_layers": 2},
          "text": {"hidden_size": 48, "num_layers": 2, "max_tokens": 64, "pad_token_id": 1},
          "head": {"d_model": 32, "num_heads": 4, "ffn_dim": 64, "adapter_activation": "gelu"},
          "graphs": {"features": "features.onnx", "whisper_encoder": "whisper_encoder.onnx",
                     "whisper_decoder": "whisper_decoder.onnx", "wavlm": "wavlm.onnx",
                     "roberta": "roberta.onnx", "head": "head.onnx"},
          "tokenizers": {"asr": "asr_tokenizer.json", "text": "text_tokenizer.json"},
          "files": {},
          "producer": {"mer_train": "0.1.0", "opset": 17}
        }
        """;
    try {
      ObjectNode root = (ObjectNode) JSON.readTree(json);
      ObjectNode files = (ObjectNode) root.get("files");
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

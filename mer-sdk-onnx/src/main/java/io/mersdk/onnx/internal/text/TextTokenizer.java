package io.mersdk.onnx.internal.text;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import io.mersdk.BundleException;
import io.mersdk.InferenceException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/**
 * The text encoder's tokenizer ({@code text_tokenizer.json}: RoBERTa byte-level BPE with its
 * post-processor adding {@code <s> ... </s>}), truncating to {@code text.max_tokens} as {@code
 * tokenizer(text, truncation=True, max_length=max_tokens)} does in Python. Thread-safe: encoding
 * only reads the native tokenizer.
 */
public final class TextTokenizer implements AutoCloseable {
  public static final String STAGE = "roberta (text tokenisation)";
  private final HuggingFaceTokenizer tokenizer;

  public TextTokenizer(Path file, int maxTokens, String bundle) {
    // Padding is ours (text.pad_token_id), so the tokenizer must not pad; modelMaxLength is raised
    // so that DJL does not cap max_tokens at its default of 512.
    this.tokenizer = open(file, Map.of(
        "addSpecialTokens", "true",
        "truncation", "true",
        "padding", "false",
        "maxLength", Integer.toString(maxTokens),
        "modelMaxLength", Integer.toString(maxTokens)), bundle);
  }

  static HuggingFaceTokenizer open(Path file, Map<String, String> options, String bundle) {
    try {
      return Djl.newTokenizer(file, options);
    } catch (IOException | RuntimeException e) {
      throw new BundleException("bundle " + bundle + ": tokenizer " + file.getFileName()
          + " could not be loaded: " + e.getMessage(), e);
    }
  }

  /** Token ids of a transcript, special tokens included. */
  public long[] encode(String text) {
    try {
      Encoding e = tokenizer.encode(text);
      return e.getIds();
    } catch (RuntimeException e) {
      throw new InferenceException(STAGE + ": tokenising the transcript failed: " + e.getMessage(), e);
    }
  }

  @Override
  public void close() {
    tokenizer.close();
  }
}

package io.mersdk.onnx.internal.text;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import io.mersdk.InferenceException;
import java.nio.file.Path;
import java.util.Map;

/**
 * Whisper token ids to text with {@code asr_tokenizer.json}, skipping special tokens (start,
 * language, task, no-timestamps), as {@code tokenizer.decode(ids, skip_special_tokens=True)} does.
 */
public final class AsrDetokenizer implements AutoCloseable {
  public static final String STAGE = "asr decode (detokenisation)";
  private final HuggingFaceTokenizer tokenizer;

  public AsrDetokenizer(Path file, String bundle) {
    this.tokenizer = TextTokenizer.open(file, Map.of(
        "addSpecialTokens", "false", "truncation", "false", "padding", "false"), bundle);
  }

  public String decode(long[] ids) {
    try {
      return tokenizer.decode(ids, true);
    } catch (RuntimeException e) {
      throw new InferenceException(STAGE + ": decoding " + ids.length + " tokens failed: " + e.getMessage(), e);
    }
  }

  @Override
  public void close() {
    tokenizer.close();
  }
}

package io.mersdk.onnx.internal.bundle;

/**
 * The graphs of a bundle (docs/model-bundle.md, "Graphs"); which of them a variant has is {@link
 * VariantPlan#graphs()}; each stage declares its graph's inputs and outputs (its {@code contract},
 * next to the code that feeds it).
 */
public enum GraphSpec {
  FEATURES("features"),
  WHISPER_ENCODER("whisper_encoder"),
  WHISPER_DECODER("whisper_decoder"),
  WAVLM("wavlm"),
  ROBERTA("roberta"),
  HEAD("head");

  private final String key;

  GraphSpec(String key) {
    this.key = key;
  }

  /** The key in the manifest's {@code graphs} object. */
  public String key() {
    return key;
  }

  public static GraphSpec byKey(String key) {
    for (GraphSpec g : values()) {
      if (g.key.equals(key)) {
        return g;
      }
    }
    return null;
  }
}

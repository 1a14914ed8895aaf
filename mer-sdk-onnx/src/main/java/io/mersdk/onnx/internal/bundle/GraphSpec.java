package io.mersdk.onnx.internal.bundle;

import io.mersdk.Modality;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The graphs of a bundle (docs/model-bundle.md, "Graphs"); their inputs and outputs are in {@link
 * GraphShapes}.
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

  /** {@code speech_states}, {@code text_states} or {@code context_states}. */
  public static String headStates(Modality m) {
    return m.manifestName() + "_states";
  }

  /** {@code speech_mask}, {@code text_mask} or {@code context_mask}. */
  public static String headMask(Modality m) {
    return m.manifestName() + "_mask";
  }

  /**
   * The graphs a variant needs (docs/model-bundle.md, "Files"): the Whisper encoder for text or
   * context, its decoder for text only (the transcript), WavLM for speech, RoBERTa for text.
   */
  public static List<GraphSpec> required(Set<Modality> modalities) {
    List<GraphSpec> out = new ArrayList<>();
    if (needsWhisper(modalities)) {
      out.add(FEATURES);
      out.add(WHISPER_ENCODER);
    }
    if (modalities.contains(Modality.TEXT)) {
      out.add(WHISPER_DECODER);
    }
    if (modalities.contains(Modality.SPEECH)) {
      out.add(WAVLM);
    }
    if (modalities.contains(Modality.TEXT)) {
      out.add(ROBERTA);
    }
    out.add(HEAD);
    return out;
  }

  /** The transcript feeds the text encoder and the Whisper encoder feeds the context. */
  public static boolean needsWhisper(Set<Modality> modalities) {
    return modalities.contains(Modality.TEXT) || modalities.contains(Modality.CONTEXT);
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

package io.mersdk.onnx.internal.bundle;

import io.mersdk.Modality;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The graphs of a bundle and their input/output names, as fixed by docs/model-bundle.md ("Graphs").
 * This is the one place in the SDK that spells those names.
 */
public enum GraphSpec {
  FEATURES("features", List.of("waveform"), List.of("log_mel")),
  WHISPER_ENCODER(
      "whisper_encoder", List.of("log_mel"), List.of("encoder_states", "cross_k", "cross_v")),
  WHISPER_DECODER(
      "whisper_decoder",
      List.of("tokens", "self_k", "self_v", "cross_k", "cross_v"),
      List.of("logits", "new_self_k", "new_self_v")),
  WAVLM("wavlm", List.of("waveform", "waveform_mask"), List.of("hidden_states", "frame_mask")),
  ROBERTA("roberta", List.of("input_ids", "attention_mask"), List.of("hidden_states")),
  /** Inputs depend on the variant: see {@link #headInputs(Set)}. */
  HEAD("head", List.of(), List.of("logits", "probabilities"));

  private final String key;
  private final List<String> inputs;
  private final List<String> outputs;

  GraphSpec(String key, List<String> inputs, List<String> outputs) {
    this.key = key;
    this.inputs = inputs;
    this.outputs = outputs;
  }

  /** The key in the manifest's {@code graphs} object. */
  public String key() {
    return key;
  }

  /** Inputs the graph must take (exactly these); for the head use {@link #headInputs(Set)}. */
  public List<String> inputs() {
    return inputs;
  }

  /** Outputs the runtime reads (the graph may have more). */
  public List<String> outputs() {
    return outputs;
  }

  /** The head's inputs for a variant: states and mask of each modality, in modality order. */
  public static List<String> headInputs(Set<Modality> modalities) {
    List<String> names = new ArrayList<>();
    for (Modality m : Modality.values()) {
      if (modalities.contains(m)) {
        names.add(headStates(m));
        names.add(headMask(m));
      }
    }
    return names;
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

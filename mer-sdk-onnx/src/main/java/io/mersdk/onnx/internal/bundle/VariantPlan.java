package io.mersdk.onnx.internal.bundle;

import io.mersdk.Modality;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * Which stages and graphs a bundle's variant has, decided once from its {@code variant.modalities}
 * (docs/model-bundle.md, "Files"): the parser asks it which graph files must be listed, {@code
 * Models} which stages to open, the pipeline which stages to run.
 *
 * @param modalities the modalities the fusion head uses
 */
public record VariantPlan(Set<Modality> modalities) {
  public VariantPlan {
    modalities = Set.copyOf(modalities);
  }

  /** The plan of a variant with these modalities. */
  public static VariantPlan of(Set<Modality> modalities) {
    return new VariantPlan(modalities.isEmpty() ? EnumSet.noneOf(Modality.class) : modalities);
  }

  /** Log-mel and Whisper's encoder: the transcript feeds the text encoder, the encoder the context. */
  public boolean whisper() {
    return modalities.contains(Modality.TEXT) || modalities.contains(Modality.CONTEXT);
  }

  /** Greedy decoding (the transcript), the text tokenizer and the text encoder: the text modality. */
  public boolean decodes() {
    return modalities.contains(Modality.TEXT);
  }

  /** The context cut of Whisper's encoder states feeds the head. */
  public boolean context() {
    return modalities.contains(Modality.CONTEXT);
  }

  /** The speech encoder (WavLM). */
  public boolean speech() {
    return modalities.contains(Modality.SPEECH);
  }

  /** Whether the head takes this modality's states and mask. */
  public boolean uses(Modality m) {
    return modalities.contains(m);
  }

  /** The graphs of the variant, in the order the data flows. */
  public List<GraphSpec> graphs() {
    List<GraphSpec> out = new ArrayList<>();
    if (whisper()) {
      out.add(GraphSpec.FEATURES);
      out.add(GraphSpec.WHISPER_ENCODER);
    }
    if (decodes()) {
      out.add(GraphSpec.WHISPER_DECODER);
    }
    if (speech()) {
      out.add(GraphSpec.WAVLM);
    }
    if (decodes()) {
      out.add(GraphSpec.ROBERTA);
    }
    out.add(GraphSpec.HEAD);
    return out;
  }

  /** Whether the variant has this graph (and so its stage). */
  public boolean has(GraphSpec graph) {
    return graphs().contains(graph);
  }
}

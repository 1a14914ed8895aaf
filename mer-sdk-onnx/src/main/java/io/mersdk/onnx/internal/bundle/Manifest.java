package io.mersdk.onnx.internal.bundle;

import io.mersdk.Modality;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A validated {@code bundle.json} (docs/model-bundle.md, format version 1). Every field the runtime
 * needs is here; the parser has already checked presence, types, ranges and cross-field rules, so
 * inner code trusts it.
 *
 * @param graphs graph key ({@code features}, {@code whisper_encoder}, ...) to file name
 * @param tokenizers tokenizer key ({@code asr}, {@code text}) to file name
 * @param files every file of the bundle except {@code bundle.json}, with its checksum
 */
public record Manifest(
    int formatVersion,
    String bundleId,
    List<String> labels,
    Variant variant,
    Audio audio,
    Optional<Whisper> whisper,
    Optional<Wavlm> wavlm,
    Optional<Text> text,
    Map<String, String> graphs,
    Map<String, String> tokenizers,
    Map<String, FileEntry> files) {

  /** The only manifest format this runtime reads. */
  public static final String FORMAT = "mer-bundle";

  /** The only {@code format_version} this runtime reads. */
  public static final int FORMAT_VERSION = 1;

  public Manifest {
    labels = List.copyOf(labels);
    graphs = Map.copyOf(graphs);
    tokenizers = Map.copyOf(tokenizers);
    files = Map.copyOf(files);
  }

  public boolean uses(Modality m) {
    return variant.modalities().contains(m);
  }

  /** Whisper's encoder runs for the context features and for the transcript. */
  public boolean hasWhisper() {
    return whisper.isPresent();
  }

  /** Greedy decoding (the transcript) exists only with the text modality. */
  public boolean decodes() {
    return uses(Modality.TEXT);
  }

  /** {@code variant}: which modalities the head fuses and how. */
  public record Variant(Set<Modality> modalities, boolean layerAdapter, boolean multimodalFusion) {
    public Variant {
      modalities = Set.copyOf(modalities);
    }
  }

  /** {@code audio}: the waveform and Whisper feature-extractor settings. */
  public record Audio(
      int sampleRate, int nFft, int hopLength, int nMels, int nSamples, int minSamples) {}

  /** {@code whisper}: encoder/decoder sizes, the context cut and the greedy-decoding settings. */
  public record Whisper(
      int dModel,
      int decoderLayers,
      int vocabSize,
      int encoderFrames,
      int contextHopSamples,
      Decoding decoding) {}

  /** {@code whisper.decoding}: how the greedy loop starts, what it bans and when it stops. */
  public record Decoding(
      List<Long> startSequence,
      long endToken,
      List<Integer> suppressTokens,
      List<Integer> beginSuppressTokens,
      int maxNewTokens) {
    public Decoding {
      startSequence = List.copyOf(startSequence);
      suppressTokens = List.copyOf(suppressTokens);
      beginSuppressTokens = List.copyOf(beginSuppressTokens);
    }
  }

  /** {@code wavlm}: the speech encoder's sizes. */
  public record Wavlm(int hiddenSize, int numLayers) {}

  /** {@code text}: the text encoder's sizes and tokenisation settings. */
  public record Text(int hiddenSize, int numLayers, int maxTokens, long padTokenId) {}

  /** One entry of {@code files}. */
  public record FileEntry(String sha256, long bytes) {}
}

package io.mersdk.onnx.internal.bundle;

import io.mersdk.Modality;
import io.mersdk.SpeechThresholds;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;

/**
 * A validated {@code bundle.json} (docs/model-bundle.md, format versions 1 and 2). Every field the runtime
 * needs is here; the parser has already checked presence, types, ranges and cross-field rules, so
 * inner code trusts it.
 *
 * @param graphs graph key ({@code features}, {@code whisper_encoder}, ...) to file name
 * @param tokenizers tokenizer key ({@code asr}, {@code text}) to file name
 * @param files every file of the bundle except {@code bundle.json}, with its checksum
 * @param speechThresholds {@code speech_decision} (format 2), openai-whisper's defaults for format 1
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
    Map<String, FileEntry> files,
    SpeechThresholds speechThresholds) {

  /** The only manifest format this runtime reads. */
  public static final String FORMAT = "mer-bundle";

  /** The newest {@code format_version} this runtime reads (it also reads every older one). */
  public static final int FORMAT_VERSION = 2;

  /**
   * The first format whose decoder graph returns the logits of every input position ([B, T, V]),
   * with {@code whisper.decoding.no_speech_token} and {@code speech_decision}.
   */
  public static final int FORMAT_SPEECH_DECISION = 2;

  public Manifest {
    labels = List.copyOf(labels);
    graphs = Map.copyOf(graphs);
    tokenizers = Map.copyOf(tokenizers);
    files = Map.copyOf(files);
  }

  /** Which stages and graphs the variant has, decided from its modalities. */
  public VariantPlan plan() {
    return VariantPlan.of(variant.modalities());
  }

  public boolean uses(Modality m) {
    return plan().uses(m);
  }

  /** Whisper's encoder runs for the context features and for the transcript. */
  public boolean hasWhisper() {
    return whisper.isPresent();
  }

  /** Greedy decoding (the transcript) exists only with the text modality. */
  public boolean decodes() {
    return plan().decodes();
  }

  /**
   * Whether decoding gives Whisper's no-speech evidence: the bundle decodes and its ASR tokenizer
   * has a no-speech token. Without it the acoustic gate decides alone.
   */
  public boolean hasModelSpeechEvidence() {
    return decodes() && whisper.orElseThrow().decoding().noSpeechToken().isPresent();
  }

  /** The decoder graph's {@code logits}: [B, T, V] (every input position) from format 2, else [B, V]. */
  public boolean decoderLogitsPerPosition() {
    return formatVersion >= FORMAT_SPEECH_DECISION;
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

  /**
   * {@code whisper.decoding}: how the greedy loop starts, what it bans and when it stops; {@code
   * noSpeechToken} is empty in format 1 and where the ASR tokenizer has none ({@code null}).
   */
  public record Decoding(
      List<Long> startSequence,
      long endToken,
      List<Integer> suppressTokens,
      List<Integer> beginSuppressTokens,
      int maxNewTokens,
      OptionalInt noSpeechToken) {
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

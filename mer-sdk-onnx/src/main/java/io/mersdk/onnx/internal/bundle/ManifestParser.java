package io.mersdk.onnx.internal.bundle;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mersdk.BundleException;
import io.mersdk.Modality;
import io.mersdk.SpeechThresholds;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads {@code bundle.json} into a {@link Manifest}, checking what mer-train's JSON Schema
 * ({@code mer-train/src/mer_train/schema/bundle.schema.json}) checks: required fields, types,
 * ranges, patterns, closed objects and the per-modality requirements, plus the cross-field rules
 * the runtime relies on. Every failure is a {@link BundleException} naming the bundle, the field
 * and the value. (Hand-written rather than a schema library: one dependency less, and messages
 * that say what to do.)
 */
public final class ManifestParser {
  private static final ObjectMapper JSON =
      new ObjectMapper()
          .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
  private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");
  private static final Pattern BUNDLE_ID = Pattern.compile("[A-Za-z0-9._-]{1,100}");
  private static final Pattern FILE_NAME = Pattern.compile("[A-Za-z0-9._-]+");

  // The schema's closed objects ("additionalProperties": false).
  private static final Set<String> ROOT = Set.of("format", "format_version", "bundle_id",
      "description", "labels", "variant", "audio", "whisper", "wavlm", "text", "head", "graphs",
      "tokenizers", "files", "producer");
  private static final Set<String> ROOT_2 = union(ROOT, "speech_decision");
  private static final Set<String> SPEECH_DECISION = Set.of("no_speech_threshold",
      "logprob_threshold", "compression_ratio_threshold");
  private static final Set<String> VARIANT = Set.of("modalities", "layer_adapter", "multimodal_fusion");
  private static final Set<String> AUDIO = Set.of("sample_rate", "n_fft", "hop_length", "n_mels",
      "chunk_seconds", "n_samples", "min_samples");
  private static final Set<String> DECODING = Set.of("start_sequence", "end_token",
      "no_timestamps_token", "suppress_tokens", "begin_suppress_tokens", "max_new_tokens");
  private static final Set<String> DECODING_2 = union(DECODING, "no_speech_token");
  private static final Set<String> TOKENIZERS = Set.of("asr", "text");
  private static final Set<String> FILE_ENTRY = Set.of("sha256", "bytes");
  private static final Set<String> ACTIVATIONS = Set.of("gelu", "relu", "tanh", "silu");

  private final String where;
  /** The manifest's format_version, once read. */
  private int version;

  private ManifestParser(String where) {
    this.where = where;
  }

  /**
   * @param json the manifest's bytes
   * @param bundle a description of the bundle for messages, e.g. its folder
   */
  public static Manifest parse(byte[] json, String bundle) {
    return new ManifestParser("bundle " + bundle + ": bundle.json").parse(json);
  }

  private Manifest parse(byte[] bytes) {
    JsonNode root;
    try {
      root = JSON.readTree(bytes);
    } catch (JsonProcessingException e) {
      throw new BundleException(where + " is not valid JSON: " + e.getOriginalMessage()
          + " (line " + e.getLocation().getLineNr() + ")", e);
    } catch (java.io.IOException e) {
      throw new BundleException(where + " could not be read: " + e.getMessage(), e);
    }
    if (root == null || !root.isObject()) {
      throw new BundleException(where + " must hold a JSON object");
    }

    String format = string(root, "format", "format");
    if (!Manifest.FORMAT.equals(format)) {
      throw fail("format", "must be \"" + Manifest.FORMAT + "\"", format);
    }
    // Checked before anything else so that a newer bundle gets this message, not a missing field.
    JsonNode v = required(root, "format_version", "format_version");
    if (!v.isIntegralNumber() || v.asLong() < 1 || v.asLong() > Manifest.FORMAT_VERSION) {
      throw new BundleException(where + ": format_version is " + v + " but this SDK reads "
          + "format versions 1 to " + Manifest.FORMAT_VERSION + "; use an mer-sdk release that reads "
          + "it, or export the bundle with an mer-train that writes version " + Manifest.FORMAT_VERSION);
    }
    this.version = v.asInt();
    closed(root, "", v2() ? ROOT_2 : ROOT);
    String bundleId = string(root, "bundle_id", "bundle_id");
    if (!BUNDLE_ID.matcher(bundleId).matches()) {
      throw fail("bundle_id", "must match [A-Za-z0-9._-]{1,100}", bundleId);
    }
    optionalString(root, "description", "description");
    List<String> labels = labels(root);
    Manifest.Variant variant = variant(object(root, "variant", "variant"));
    Set<Modality> modalities = variant.modalities();
    Manifest.Audio audio = audio(object(root, "audio", "audio"));
    head(object(root, "head", "head"));
    producer(object(root, "producer", "producer"));

    VariantPlan plan = VariantPlan.of(modalities);
    Optional<Manifest.Whisper> whisper = Optional.empty();
    if (plan.whisper()) {
      whisper = Optional.of(whisper(object(root, "whisper", "whisper")));
    }
    Optional<Manifest.Wavlm> wavlm = Optional.empty();
    if (plan.speech()) {
      JsonNode w = object(root, "wavlm", "wavlm");
      encoderExtras(w, "wavlm");
      optionalBool(w, "wavlm.normalize_waveform");
      wavlm = Optional.of(new Manifest.Wavlm(positive(w, "wavlm.hidden_size"), positive(w, "wavlm.num_layers")));
    }
    Optional<Manifest.Text> text = Optional.empty();
    if (plan.decodes()) {
      JsonNode t = object(root, "text", "text");
      encoderExtras(t, "text");
      text = Optional.of(new Manifest.Text(
          positive(t, "text.hidden_size"), positive(t, "text.num_layers"),
          positive(t, "text.max_tokens"), nonNegativeLong(t, "text.pad_token_id")));
      if (text.get().maxTokens() < 3) {
        throw fail("text.max_tokens", "must leave room for <s>, a token and </s> (>= 3)",
            text.get().maxTokens());
      }
    }

    SpeechThresholds thresholds = v2()
        ? speechDecision(object(root, "speech_decision", "speech_decision"))
        : SpeechThresholds.WHISPER_DEFAULTS;
    Map<String, String> graphs = graphs(object(root, "graphs", "graphs"), modalities);
    Map<String, String> tokenizers = tokenizers(object(root, "tokenizers", "tokenizers"), modalities);
    Map<String, Manifest.FileEntry> files = files(object(root, "files", "files"));
    for (Map.Entry<String, String> g : graphs.entrySet()) {
      requireListed(files, "graphs." + g.getKey(), g.getValue());
    }
    for (Map.Entry<String, String> t : tokenizers.entrySet()) {
      requireListed(files, "tokenizers." + t.getKey(), t.getValue());
    }
    return new Manifest(version, bundleId, labels, variant, audio, whisper, wavlm,
        text, graphs, tokenizers, files, thresholds);
  }

  private List<String> labels(JsonNode root) {
    JsonNode node = required(root, "labels", "labels");
    if (!node.isArray() || node.size() < 2) {
      throw fail("labels", "must be an array of at least 2 strings", node);
    }
    List<String> labels = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < node.size(); i++) {
      JsonNode l = node.get(i);
      if (!l.isTextual() || l.asText().isEmpty()) {
        throw fail("labels[" + i + "]", "must be a non-empty string", l);
      }
      if (!seen.add(l.asText())) {
        throw fail("labels[" + i + "]", "repeats an earlier label", l);
      }
      labels.add(l.asText());
    }
    return labels;
  }

  private Manifest.Variant variant(JsonNode v) {
    closed(v, "variant.", VARIANT);
    JsonNode mods = required(v, "modalities", "variant.modalities");
    if (!mods.isArray() || mods.isEmpty()) {
      throw fail("variant.modalities", "must be a non-empty array of speech, text, context", mods);
    }
    Set<Modality> modalities = EnumSet.noneOf(Modality.class);
    for (int i = 0; i < mods.size(); i++) {
      JsonNode m = mods.get(i);
      Modality parsed = null;
      for (Modality candidate : Modality.values()) {
        if (m.isTextual() && candidate.manifestName().equals(m.asText())) {
          parsed = candidate;
        }
      }
      if (parsed == null) {
        throw fail("variant.modalities[" + i + "]", "must be one of speech, text, context", m);
      }
      if (!modalities.add(parsed)) {
        throw fail("variant.modalities[" + i + "]", "repeats an earlier modality", m);
      }
    }
    return new Manifest.Variant(
        modalities, bool(v, "variant.layer_adapter"), bool(v, "variant.multimodal_fusion"));
  }

  private Manifest.Audio audio(JsonNode a) {
    closed(a, "audio.", AUDIO);
    JsonNode chunk = required(a, "chunk_seconds", "audio.chunk_seconds");
    if (!chunk.isNumber() || chunk.asDouble() <= 0) {
      throw fail("audio.chunk_seconds", "must be a number > 0", chunk);
    }
    Manifest.Audio audio = new Manifest.Audio(
        positive(a, "audio.sample_rate"), positive(a, "audio.n_fft"), positive(a, "audio.hop_length"),
        positive(a, "audio.n_mels"), positive(a, "audio.n_samples"), positive(a, "audio.min_samples"));
    if (audio.minSamples() > audio.nSamples()) {
      throw fail("audio.min_samples", "must not exceed audio.n_samples (" + audio.nSamples() + ")",
          audio.minSamples());
    }
    return audio;
  }

  private Manifest.Whisper whisper(JsonNode w) {
    for (String optional : List.of("encoder_heads", "encoder_ffn_dim", "decoder_ffn_dim",
        "decoder_heads", "max_target_positions")) {
      if (w.has(optional)) {
        positive(w, "whisper." + optional);
      }
    }
    optionalString(w, "source", "whisper.source");
    positive(w, "whisper.encoder_layers");
    int vocab = positive(w, "whisper.vocab_size");
    JsonNode d = object(w, "decoding", "whisper.decoding");
    closed(d, "whisper.decoding.", v2() ? DECODING_2 : DECODING);
    List<Long> start = new ArrayList<>();
    for (int id : tokenList(d, "whisper.decoding.start_sequence", vocab)) {
      start.add((long) id);
    }
    if (start.isEmpty()) {
      throw fail("whisper.decoding.start_sequence", "must not be empty", "[]");
    }
    int end = token(d, "whisper.decoding.end_token", vocab);
    token(d, "whisper.decoding.no_timestamps_token", vocab);
    OptionalInt noSpeech = OptionalInt.empty();
    if (v2()) {
      // Required in format 2, null when the ASR tokenizer has no no-speech token.
      if (!d.has("no_speech_token")) {
        throw new BundleException(where + ": required field whisper.decoding.no_speech_token is "
            + "missing (a token id, or null when the ASR tokenizer has no no-speech token)");
      }
      if (!d.get("no_speech_token").isNull()) {
        noSpeech = OptionalInt.of(token(d, "whisper.decoding.no_speech_token", vocab));
      }
    }
    Manifest.Decoding decoding = new Manifest.Decoding(
        start, end,
        tokenList(d, "whisper.decoding.suppress_tokens", vocab),
        tokenList(d, "whisper.decoding.begin_suppress_tokens", vocab),
        positive(d, "whisper.decoding.max_new_tokens"), noSpeech);
    // suppress_tokens may hold the end token: decoding then always runs max_new_tokens steps, which
    // is how benchmark bundles fix the work (docs/model-bundle.md).
    return new Manifest.Whisper(
        positive(w, "whisper.d_model"), positive(w, "whisper.decoder_layers"), vocab,
        positive(w, "whisper.encoder_frames"), positive(w, "whisper.context_hop_samples"), decoding);
  }

  /** {@code speech_decision} (format 2): the thresholds of the model side of the speech decision. */
  private SpeechThresholds speechDecision(JsonNode s) {
    closed(s, "speech_decision.", SPEECH_DECISION);
    double noSpeech = number(s, "speech_decision.no_speech_threshold");
    if (!(noSpeech >= 0 && noSpeech <= 1)) {
      throw fail("speech_decision.no_speech_threshold", "must be in [0, 1]", noSpeech);
    }
    double logProb = number(s, "speech_decision.logprob_threshold");
    if (!(logProb <= 0)) {
      throw fail("speech_decision.logprob_threshold", "must be <= 0", logProb);
    }
    double ratio = number(s, "speech_decision.compression_ratio_threshold");
    if (!(ratio > 0)) {
      throw fail("speech_decision.compression_ratio_threshold", "must be > 0", ratio);
    }
    return new SpeechThresholds(noSpeech, logProb, ratio);
  }

  private double number(JsonNode parent, String path) {
    JsonNode v = required(parent, leaf(path), path);
    if (!v.isNumber() || !Double.isFinite(v.asDouble())) {
      throw fail(path, "must be a finite number", v);
    }
    return v.asDouble();
  }

  private boolean v2() {
    return version >= Manifest.FORMAT_SPEECH_DECISION;
  }

  private static Set<String> union(Set<String> a, String... more) {
    Set<String> out = new HashSet<>(a);
    out.addAll(List.of(more));
    return Set.copyOf(out);
  }

  /** The fields of the schema's shared "encoder" definition beyond hidden_size and num_layers. */
  private void encoderExtras(JsonNode e, String path) {
    if (e.has("ffn_dim")) {
      positive(e, path + ".ffn_dim");
    }
    optionalString(e, "source", path + ".source");
  }

  /** The head's sizes are the graph's business; the schema still requires them for the record. */
  private void head(JsonNode h) {
    positive(h, "head.d_model");
    positive(h, "head.num_heads");
    positive(h, "head.ffn_dim");
    String activation = string(h, "adapter_activation", "head.adapter_activation");
    if (!ACTIVATIONS.contains(activation)) {
      throw fail("head.adapter_activation", "must be one of " + ACTIVATIONS, activation);
    }
    for (String n : List.of("dropout", "attention_dropout")) {
      if (h.has(n) && !h.get(n).isNumber()) {
        throw fail("head." + n, "must be a number", h.get(n));
      }
    }
  }

  private void producer(JsonNode p) {
    JsonNode mt = required(p, "mer_train", "producer.mer_train");
    if (!mt.isTextual()) {
      throw fail("producer.mer_train", "must be a string", mt);
    }
    JsonNode opset = required(p, "opset", "producer.opset");
    if (!opset.isIntegralNumber()) {
      throw fail("producer.opset", "must be an integer", opset);
    }
  }

  private Map<String, String> graphs(JsonNode g, Set<Modality> modalities) {
    for (Iterator<String> it = g.fieldNames(); it.hasNext(); ) {
      String key = it.next();
      if (GraphSpec.byKey(key) == null) {
        throw fail("graphs." + key, "is not a graph this SDK knows (features, whisper_encoder, "
            + "whisper_decoder, wavlm, roberta, head)", g.get(key));
      }
      fileName(g, "graphs." + key, key);
    }
    Map<String, String> out = new LinkedHashMap<>();
    for (GraphSpec spec : VariantPlan.of(modalities).graphs()) {
      out.put(spec.key(), fileName(g, "graphs." + spec.key(), spec.key()));
    }
    return out;
  }

  private Map<String, String> tokenizers(JsonNode t, Set<Modality> modalities) {
    closed(t, "tokenizers.", TOKENIZERS);
    for (Iterator<String> it = t.fieldNames(); it.hasNext(); ) {
      String key = it.next();
      fileName(t, "tokenizers." + key, key);
    }
    Map<String, String> out = new LinkedHashMap<>();
    if (VariantPlan.of(modalities).decodes()) {
      out.put("asr", fileName(t, "tokenizers.asr", "asr"));
      out.put("text", fileName(t, "tokenizers.text", "text"));
    }
    return out;
  }

  private Map<String, Manifest.FileEntry> files(JsonNode f) {
    Map<String, Manifest.FileEntry> out = new LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = f.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      String name = e.getKey();
      String path = "files." + name;
      checkFileName(path, name);
      if (name.equals("bundle.json")) {
        throw fail(path, "must not list bundle.json itself", name);
      }
      if (!e.getValue().isObject()) {
        throw fail(path, "must be an object with sha256 and bytes", e.getValue());
      }
      closed(e.getValue(), path + ".", FILE_ENTRY);
      String sha = string(e.getValue(), "sha256", path + ".sha256");
      if (!SHA256.matcher(sha).matches()) {
        throw fail(path + ".sha256", "must be 64 lower-case hex digits", sha);
      }
      JsonNode bytes = required(e.getValue(), "bytes", path + ".bytes");
      if (!bytes.isIntegralNumber() || bytes.asLong() < 0) {
        throw fail(path + ".bytes", "must be a non-negative integer", bytes);
      }
      out.put(name, new Manifest.FileEntry(sha, bytes.asLong()));
    }
    if (out.isEmpty()) {
      throw fail("files", "must list the bundle's files", "{}");
    }
    return out;
  }

  private void requireListed(Map<String, Manifest.FileEntry> files, String field, String name) {
    if (!files.containsKey(name)) {
      throw new BundleException(where + ": " + field + " names '" + name
          + "' but files has no entry (and so no checksum) for it");
    }
  }

  // ---- typed field access: each names the full field path in its message ----

  private void closed(JsonNode object, String prefix, Set<String> allowed) {
    for (Iterator<String> it = object.fieldNames(); it.hasNext(); ) {
      String name = it.next();
      if (!allowed.contains(name)) {
        throw new BundleException(where + ": unknown field " + prefix + name + " (format version "
            + version + " allows only " + new java.util.TreeSet<>(allowed) + ")");
      }
    }
  }

  private String fileName(JsonNode parent, String path, String name) {
    String v = string(parent, name, path);
    checkFileName(path, v);
    return v;
  }

  /** Bundle files live directly in the bundle folder: no separators, no parent references. */
  private void checkFileName(String path, String name) {
    if (!FILE_NAME.matcher(name).matches() || name.equals(".") || name.equals("..")) {
      throw fail(path, "must be a plain file name in the bundle folder ([A-Za-z0-9._-]+)", name);
    }
  }

  private List<Integer> tokenList(JsonNode parent, String path, int vocab) {
    JsonNode node = required(parent, leaf(path), path);
    if (!node.isArray()) {
      throw fail(path, "must be an array of token ids", node);
    }
    List<Integer> ids = new ArrayList<>();
    for (int i = 0; i < node.size(); i++) {
      JsonNode t = node.get(i);
      if (!t.isIntegralNumber() || t.asLong() < 0 || t.asLong() >= vocab) {
        throw fail(path + "[" + i + "]", "must be a token id in [0, whisper.vocab_size=" + vocab + ")", t);
      }
      ids.add(t.asInt());
    }
    return ids;
  }

  private int token(JsonNode parent, String path, int vocab) {
    JsonNode t = required(parent, leaf(path), path);
    if (!t.isIntegralNumber() || t.asLong() < 0 || t.asLong() >= vocab) {
      throw fail(path, "must be a token id in [0, whisper.vocab_size=" + vocab + ")", t);
    }
    return t.asInt();
  }

  private int positive(JsonNode parent, String path) {
    JsonNode v = required(parent, leaf(path), path);
    if (!v.isIntegralNumber() || v.asLong() < 1 || v.asLong() > Integer.MAX_VALUE) {
      throw fail(path, "must be a positive integer", v);
    }
    return v.asInt();
  }

  private long nonNegativeLong(JsonNode parent, String path) {
    JsonNode v = required(parent, leaf(path), path);
    if (!v.isIntegralNumber() || v.asLong() < 0) {
      throw fail(path, "must be a non-negative integer", v);
    }
    return v.asLong();
  }

  private boolean bool(JsonNode parent, String path) {
    JsonNode v = required(parent, leaf(path), path);
    if (!v.isBoolean()) {
      throw fail(path, "must be true or false", v);
    }
    return v.asBoolean();
  }

  private void optionalBool(JsonNode parent, String path) {
    if (parent.has(leaf(path))) {
      bool(parent, path);
    }
  }

  private void optionalString(JsonNode parent, String name, String path) {
    JsonNode v = parent.get(name);
    if (v != null && !v.isTextual()) {
      throw fail(path, "must be a string", v);
    }
  }

  private String string(JsonNode parent, String name, String path) {
    JsonNode v = required(parent, name, path);
    if (!v.isTextual() || v.asText().isBlank()) {
      throw fail(path, "must be a non-blank string", v);
    }
    return v.asText();
  }

  private JsonNode object(JsonNode parent, String name, String path) {
    JsonNode v = required(parent, name, path);
    if (!v.isObject()) {
      throw fail(path, "must be an object", v);
    }
    return v;
  }

  private JsonNode required(JsonNode parent, String name, String path) {
    JsonNode v = parent.get(name);
    if (v == null || v.isNull()) {
      throw new BundleException(where + ": required field " + path + " is missing");
    }
    return v;
  }

  private static String leaf(String path) {
    return path.substring(path.lastIndexOf('.') + 1);
  }

  private BundleException fail(String path, String rule, Object value) {
    return new BundleException(where + ": field " + path + " " + rule + ", got " + value);
  }
}

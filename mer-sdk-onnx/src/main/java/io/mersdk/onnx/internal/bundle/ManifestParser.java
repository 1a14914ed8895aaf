package io.mersdk.onnx.internal.bundle;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mersdk.BundleException;
import io.mersdk.Modality;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads {@code bundle.json} into a {@link Manifest}, checking what the JSON schema
 * ({@code io/mersdk/onnx/bundle.schema.json}) says plus the cross-field rules the runtime relies on.
 * Every failure is a {@link BundleException} naming the bundle, the field and the value.
 */
public final class ManifestParser {
  private static final ObjectMapper JSON =
      new ObjectMapper()
          .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
  private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");

  private final String where;

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

    String format = string(root, "format");
    if (!Manifest.FORMAT.equals(format)) {
      throw fail("format", "must be \"" + Manifest.FORMAT + "\"", format);
    }
    // Checked before anything else so that a newer bundle gets this message, not a missing field.
    JsonNode version = required(root, "format_version");
    if (!version.isIntegralNumber() || version.asLong() != Manifest.FORMAT_VERSION) {
      throw new BundleException(where + ": format_version is " + version + " but this SDK reads only "
          + "format version " + Manifest.FORMAT_VERSION
          + "; use an mer-sdk release that supports it or re-export the bundle with a matching mer-train");
    }
    String bundleId = string(root, "bundle_id");
    List<String> labels = labels(root);
    Manifest.Variant variant = variant(object(root, "variant"));
    Manifest.Audio audio = audio(object(root, "audio"));
    Set<Modality> modalities = variant.modalities();

    Optional<Manifest.Whisper> whisper = Optional.empty();
    if (GraphSpec.needsAsr(modalities)) {
      whisper = Optional.of(whisper(object(root, "whisper")));
    }
    Optional<Manifest.Wavlm> wavlm = Optional.empty();
    if (modalities.contains(Modality.SPEECH)) {
      JsonNode w = object(root, "wavlm");
      wavlm = Optional.of(new Manifest.Wavlm(positive(w, "wavlm.hidden_size"), positive(w, "wavlm.num_layers")));
    }
    Optional<Manifest.Text> text = Optional.empty();
    if (modalities.contains(Modality.TEXT)) {
      JsonNode t = object(root, "text");
      text = Optional.of(new Manifest.Text(
          positive(t, "text.hidden_size"), positive(t, "text.num_layers"),
          positive(t, "text.max_tokens"), nonNegativeLong(t, "text.pad_token_id")));
      if (text.get().maxTokens() < 3) {
        throw fail("text.max_tokens", "must leave room for <s>, a token and </s> (>= 3)",
            text.get().maxTokens());
      }
    }

    Map<String, String> graphs = graphs(object(root, "graphs"), modalities);
    Map<String, String> tokenizers = tokenizers(object(root, "tokenizers"), modalities);
    Map<String, Manifest.FileEntry> files = files(object(root, "files"));
    for (Map.Entry<String, String> g : graphs.entrySet()) {
      requireListed(files, "graphs." + g.getKey(), g.getValue());
    }
    for (Map.Entry<String, String> t : tokenizers.entrySet()) {
      requireListed(files, "tokenizers." + t.getKey(), t.getValue());
    }
    return new Manifest(Manifest.FORMAT_VERSION, bundleId, labels, variant, audio, whisper, wavlm,
        text, graphs, tokenizers, files);
  }

  private List<String> labels(JsonNode root) {
    JsonNode node = required(root, "labels");
    if (!node.isArray() || node.isEmpty()) {
      throw fail("labels", "must be a non-empty array of strings", node);
    }
    List<String> labels = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < node.size(); i++) {
      JsonNode l = node.get(i);
      if (!l.isTextual() || l.asText().isBlank()) {
        throw fail("labels[" + i + "]", "must be a non-blank string", l);
      }
      if (!seen.add(l.asText())) {
        throw fail("labels[" + i + "]", "repeats an earlier label", l);
      }
      labels.add(l.asText());
    }
    return labels;
  }

  private Manifest.Variant variant(JsonNode v) {
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
    int vocab = positive(w, "whisper.vocab_size");
    JsonNode d = object(w, "decoding", "whisper.decoding");
    List<Long> start = new ArrayList<>();
    for (int id : tokenList(d, "whisper.decoding.start_sequence", vocab)) {
      start.add((long) id);
    }
    if (start.isEmpty()) {
      throw fail("whisper.decoding.start_sequence", "must not be empty", "[]");
    }
    int end = token(d, "whisper.decoding.end_token", vocab);
    Manifest.Decoding decoding = new Manifest.Decoding(
        start, end,
        tokenList(d, "whisper.decoding.suppress_tokens", vocab),
        tokenList(d, "whisper.decoding.begin_suppress_tokens", vocab),
        positive(d, "whisper.decoding.max_new_tokens"));
    if (decoding.suppressTokens().contains(end)) {
      throw fail("whisper.decoding.suppress_tokens", "must not contain the end token " + end
          + " (decoding could never stop early)", decoding.suppressTokens());
    }
    return new Manifest.Whisper(
        positive(w, "whisper.d_model"), positive(w, "whisper.decoder_layers"), vocab,
        positive(w, "whisper.encoder_frames"), positive(w, "whisper.context_hop_samples"), decoding);
  }

  private Map<String, String> graphs(JsonNode g, Set<Modality> modalities) {
    Map<String, String> out = new LinkedHashMap<>();
    for (Iterator<String> it = g.fieldNames(); it.hasNext(); ) {
      String key = it.next();
      if (GraphSpec.byKey(key) == null) {
        throw fail("graphs." + key, "is not a graph this SDK knows (features, whisper_encoder, "
            + "whisper_decoder, wavlm, roberta, head)", g.get(key));
      }
    }
    for (GraphSpec spec : GraphSpec.required(modalities)) {
      out.put(spec.key(), fileName(g, "graphs." + spec.key(), spec.key()));
    }
    return out;
  }

  private Map<String, String> tokenizers(JsonNode t, Set<Modality> modalities) {
    Map<String, String> out = new LinkedHashMap<>();
    if (GraphSpec.needsAsr(modalities)) {
      out.put("asr", fileName(t, "tokenizers.asr", "asr"));
    }
    if (modalities.contains(Modality.TEXT)) {
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
      checkPlainName(path, name);
      if (name.equals("bundle.json")) {
        throw fail(path, "must not list bundle.json itself", name);
      }
      if (!e.getValue().isObject()) {
        throw fail(path, "must be an object with sha256 and bytes", e.getValue());
      }
      String sha = string(e.getValue(), "sha256", path + ".sha256").toLowerCase(Locale.ROOT);
      if (!SHA256.matcher(sha).matches()) {
        throw fail(path + ".sha256", "must be 64 hex digits", sha);
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

  private String fileName(JsonNode parent, String path, String name) {
    String v = string(parent, name, path);
    checkPlainName(path, v);
    return v;
  }

  /** Bundle files live directly in the bundle folder: no separators, no parent references. */
  private void checkPlainName(String path, String name) {
    if (name.isBlank() || name.contains("/") || name.contains("\\") || name.equals(".")
        || name.equals("..")) {
      throw fail(path, "must be a plain file name in the bundle folder", name);
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

  private String string(JsonNode parent, String name) {
    return string(parent, name, name);
  }

  private String string(JsonNode parent, String name, String path) {
    JsonNode v = required(parent, name, path);
    if (!v.isTextual() || v.asText().isBlank()) {
      throw fail(path, "must be a non-blank string", v);
    }
    return v.asText();
  }

  private JsonNode object(JsonNode parent, String name) {
    return object(parent, name, name);
  }

  private JsonNode object(JsonNode parent, String name, String path) {
    JsonNode v = required(parent, name, path);
    if (!v.isObject()) {
      throw fail(path, "must be an object", v);
    }
    return v;
  }

  private JsonNode required(JsonNode parent, String name) {
    return required(parent, name, name);
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

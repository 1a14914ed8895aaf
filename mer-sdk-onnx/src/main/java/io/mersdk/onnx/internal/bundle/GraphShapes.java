package io.mersdk.onnx.internal.bundle;

import static io.mersdk.onnx.internal.bundle.TensorSpec.ANY;

import io.mersdk.Modality;
import io.mersdk.onnx.internal.bundle.TensorSpec.Element;
import java.util.ArrayList;
import java.util.List;

/**
 * The shapes docs/model-bundle.md ("Graphs") gives each graph's inputs and outputs, with the
 * static sizes filled in from the manifest. The loader compares them with what the ONNX files
 * declare, so that a manifest and graphs that do not belong together fail at load time, naming the
 * field, instead of deep inside a call.
 */
public final class GraphShapes {
  private GraphShapes() {}

  /**
   * The names of the cross-attention K/V the encoder returns and the decoder takes: {@code cross_k,
   * cross_v}, or per layer {@code cross_k_0 .. cross_k_{L-1}, cross_v_0 .. cross_v_{L-1}}.
   */
  public static List<String> crossKvNames(int layers, boolean perLayer) {
    if (!perLayer) {
      return List.of("cross_k", "cross_v");
    }
    List<String> names = new ArrayList<>(2 * layers);
    for (String kv : List.of("cross_k", "cross_v")) {
      for (int l = 0; l < layers; l++) {
        names.add(kv + "_" + l);
      }
    }
    return names;
  }

  public static List<TensorSpec> of(GraphSpec graph, Manifest m) {
    return of(graph, m, false);
  }

  /**
   * @param crossKvPerLayer the Whisper encoder returns, and the decoder takes, the cross-attention
   *     K/V as one tensor per decoder layer ({@code cross_k_0} ... [B, F, d_model], as {@code
   *     mer_train fuse} and {@code quantize} write them) instead of stacked [decoder_layers, B, F,
   *     d_model]
   */
  public static List<TensorSpec> of(GraphSpec graph, Manifest m, boolean crossKvPerLayer) {
    List<TensorSpec> t = new ArrayList<>();
    switch (graph) {
      case FEATURES -> {
        int mels = m.audio().nMels();
        t.add(in("waveform", Element.FLOAT32, "", ANY, ANY));
        t.add(out("log_mel", Element.FLOAT32, "audio.n_mels=" + mels, ANY, mels, ANY));
      }
      case WHISPER_ENCODER -> {
        Manifest.Whisper w = m.whisper().orElseThrow();
        int mels = m.audio().nMels();
        String because = "whisper.decoder_layers=" + w.decoderLayers() + ", whisper.d_model=" + w.dModel();
        t.add(in("log_mel", Element.FLOAT32, "audio.n_mels=" + mels, ANY, mels, ANY));
        t.add(out("encoder_states", Element.FLOAT32, "whisper.d_model=" + w.dModel(), ANY, ANY, w.dModel()));
        for (String name : crossKvNames(w.decoderLayers(), crossKvPerLayer)) {
          t.add(crossKvPerLayer ? out(name, Element.FLOAT32, because, ANY, ANY, w.dModel())
              : out(name, Element.FLOAT32, because, w.decoderLayers(), ANY, ANY, w.dModel()));
        }
      }
      case WHISPER_DECODER -> {
        Manifest.Whisper w = m.whisper().orElseThrow();
        String because = "whisper.decoder_layers=" + w.decoderLayers() + ", whisper.d_model=" + w.dModel();
        t.add(in("tokens", Element.INT64, "", ANY, ANY));
        for (String cache : List.of("self_k", "self_v")) {
          t.add(in(cache, Element.FLOAT32, because, w.decoderLayers(), ANY, ANY, w.dModel()));
        }
        for (String name : crossKvNames(w.decoderLayers(), crossKvPerLayer)) {
          t.add(crossKvPerLayer ? in(name, Element.FLOAT32, because, ANY, ANY, w.dModel())
              : in(name, Element.FLOAT32, because, w.decoderLayers(), ANY, ANY, w.dModel()));
        }
        // Format 2: the logits of every input position, [B, T, V] (position 0 gives the no-speech
        // probability); format 1: the last position only, [B, V].
        String vocab = "whisper.vocab_size=" + w.vocabSize() + ", format_version=" + m.formatVersion();
        t.add(m.decoderLogitsPerPosition()
            ? out("logits", Element.FLOAT32, vocab, ANY, ANY, w.vocabSize())
            : out("logits", Element.FLOAT32, vocab, ANY, w.vocabSize()));
        t.add(out("new_self_k", Element.FLOAT32, because, w.decoderLayers(), ANY, ANY, w.dModel()));
        t.add(out("new_self_v", Element.FLOAT32, because, w.decoderLayers(), ANY, ANY, w.dModel()));
      }
      case WAVLM -> {
        Manifest.Wavlm w = m.wavlm().orElseThrow();
        t.add(in("waveform", Element.FLOAT32, "", ANY, ANY));
        t.add(in("waveform_mask", Element.INT64, "", ANY, ANY));
        t.add(out("hidden_states", Element.FLOAT32, wavlmBecause(w), ANY, w.numLayers() + 1, ANY, w.hiddenSize()));
        t.add(out("frame_mask", Element.INT64, "", ANY, ANY));
      }
      case ROBERTA -> {
        Manifest.Text x = m.text().orElseThrow();
        t.add(in("input_ids", Element.INT64, "", ANY, ANY));
        t.add(in("attention_mask", Element.INT64, "", ANY, ANY));
        t.add(out("hidden_states", Element.FLOAT32, textBecause(x), ANY, x.numLayers() + 1, ANY, x.hiddenSize()));
      }
      case HEAD -> {
        if (m.uses(Modality.SPEECH)) {
          Manifest.Wavlm w = m.wavlm().orElseThrow();
          t.add(in(GraphSpec.headStates(Modality.SPEECH), Element.FLOAT32, wavlmBecause(w), ANY, w.numLayers() + 1, ANY, w.hiddenSize()));
          t.add(in(GraphSpec.headMask(Modality.SPEECH), Element.INT64, "", ANY, ANY));
        }
        if (m.uses(Modality.TEXT)) {
          Manifest.Text x = m.text().orElseThrow();
          t.add(in(GraphSpec.headStates(Modality.TEXT), Element.FLOAT32, textBecause(x), ANY, x.numLayers() + 1, ANY, x.hiddenSize()));
          t.add(in(GraphSpec.headMask(Modality.TEXT), Element.INT64, "", ANY, ANY));
        }
        if (m.uses(Modality.CONTEXT)) {
          int d = m.whisper().orElseThrow().dModel();
          t.add(in(GraphSpec.headStates(Modality.CONTEXT), Element.FLOAT32, "whisper.d_model=" + d, ANY, ANY, d));
          t.add(in(GraphSpec.headMask(Modality.CONTEXT), Element.INT64, "", ANY, ANY));
        }
        String labels = "labels has " + m.labels().size() + " entries " + m.labels();
        t.add(out("logits", Element.FLOAT32, labels, ANY, m.labels().size()));
        t.add(out("probabilities", Element.FLOAT32, labels, ANY, m.labels().size()));
      }
      default -> throw new IllegalArgumentException(graph.toString());
    }
    return t;
  }

  private static String wavlmBecause(Manifest.Wavlm w) {
    return "wavlm.num_layers=" + w.numLayers() + ", wavlm.hidden_size=" + w.hiddenSize();
  }

  private static String textBecause(Manifest.Text x) {
    return "text.num_layers=" + x.numLayers() + ", text.hidden_size=" + x.hiddenSize();
  }

  private static TensorSpec in(String name, Element e, String because, long... shape) {
    return new TensorSpec(name, true, e, shape, because);
  }

  private static TensorSpec out(String name, Element e, String because, long... shape) {
    return new TensorSpec(name, false, e, shape, because);
  }
}

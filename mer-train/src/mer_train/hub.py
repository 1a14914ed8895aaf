"""Loading models, in one place: the encoders (Hugging Face hub ids, local folders, or
``random:<preset>``: the real architectures from small configs with random weights), the head
built for them, and a trained head checkpoint with its encoders as ``BundleParts`` for export.
Training (``train.py``), the export of a head checkpoint (``export --head``) and the demo use these.
The hub path is what users with network access run; tests run the same code on local folders
written with ``save_pretrained`` (the hub is never contacted in tests).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch

from .config import WHISPER_SMALL_SHAPES, HeadConfig
from .export import BundleParts
from .model import EmotionHead
from .tokenization import (DecodingSettings, decoding_for_trained_tokenizer, decoding_from_generation_config,
                           train_asr_tokenizer, train_text_tokenizer)

RANDOM = "random:"

# Small configs of the real architectures, for the synthetic corpus (random initial weights).
RANDOM_PRESETS: dict[str, dict[str, Any]] = {
    "tiny": {
        "wavlm": dict(conv_dim=(32,) * 7, hidden_size=32, num_hidden_layers=2, num_attention_heads=2,
                      intermediate_size=64, num_conv_pos_embeddings=16, num_conv_pos_embedding_groups=4,
                      num_buckets=32, max_bucket_distance=200, layerdrop=0.0),
        "roberta": dict(hidden_size=32, num_hidden_layers=2, num_attention_heads=2, intermediate_size=64,
                        max_position_embeddings=66),
        "whisper": dict(d_model=32, encoder_layers=1, decoder_layers=1, encoder_attention_heads=2,
                        decoder_attention_heads=2, encoder_ffn_dim=64, decoder_ffn_dim=64, max_target_positions=48),
        "text_vocab": 400, "asr_vocab": 300, "chunk_seconds": 8,
    },
    "demo": {
        "wavlm": dict(conv_dim=(48,) * 7, hidden_size=64, num_hidden_layers=3, num_attention_heads=4,
                      intermediate_size=128, num_conv_pos_embeddings=32, num_conv_pos_embedding_groups=8,
                      num_buckets=64, max_bucket_distance=400, layerdrop=0.0),
        "roberta": dict(hidden_size=64, num_hidden_layers=3, num_attention_heads=4, intermediate_size=128,
                        max_position_embeddings=66),
        "whisper": dict(d_model=96, encoder_layers=2, decoder_layers=2, encoder_attention_heads=4,
                        decoder_attention_heads=4, encoder_ffn_dim=384, decoder_ffn_dim=384, max_target_positions=64),
        "text_vocab": 600, "asr_vocab": 512, "chunk_seconds": 8,
    },
    # The shapes of the paper's encoders (WavLM-base, RoBERTa-base, Whisper-small) with random
    # weights: for timing the recipe at full size without the hub (docs/training.md, "Speed").
    "base": {
        "wavlm": dict(layerdrop=0.0),   # WavLMConfig's defaults are wavlm-base's shapes
        "roberta": dict(hidden_size=768, num_hidden_layers=12, num_attention_heads=12, intermediate_size=3072,
                        max_position_embeddings=514),
        "whisper": dict(WHISPER_SMALL_SHAPES),
        "text_vocab": 2000, "asr_vocab": 2000, "chunk_seconds": 30,
    },
}


BALANCE = ("weights", "sampler", "none")
PRECISIONS = ("auto", "bf16", "fp16", "fp32")
FOLD_SCHEMES = ("groups", "kfold", "split")


@dataclass
class Asr:
    """The frozen Whisper with what decoding and the export need."""

    model: Any
    feature_extractor: Any
    tokenizer: Any
    decoding: DecodingSettings
    source: str


def _preset(spec: str) -> dict[str, Any]:
    name = spec[len(RANDOM):]
    if name not in RANDOM_PRESETS:
        raise ValueError(f"{spec!r}: unknown random preset; known: {[RANDOM + k for k in RANDOM_PRESETS]}")
    return RANDOM_PRESETS[name]


def load_asr(spec: str, max_new_tokens: int, seed: int = 0) -> Asr:
    from transformers import (AutoTokenizer, WhisperConfig, WhisperFeatureExtractor,
                              WhisperForConditionalGeneration)

    if spec.startswith(RANDOM):
        p = _preset(spec)
        from .testbundles import tokenizer_corpus
        # A random ASR cannot transcribe anything: its vocabulary is a generic word list.
        tok = train_asr_tokenizer(tokenizer_corpus(seed), p["asr_vocab"])
        dec = decoding_for_trained_tokenizer(tok, min(max_new_tokens, p["whisper"]["max_target_positions"] - 4))
        fe = WhisperFeatureExtractor(feature_size=80, sampling_rate=16000, hop_length=160,
                                     chunk_length=p["chunk_seconds"], n_fft=400)
        torch.manual_seed(seed)
        cfg = WhisperConfig(**{**dict(vocab_size=tok.get_vocab_size(), num_mel_bins=80,
                                      max_source_positions=fe.nb_max_frames // 2,
                                      decoder_start_token_id=dec.start_sequence[0], eos_token_id=dec.end_token,
                                      pad_token_id=dec.end_token, bos_token_id=dec.end_token), **p["whisper"]})
        return Asr(WhisperForConditionalGeneration(cfg).eval(), fe, tok, dec, spec)
    model = WhisperForConditionalGeneration.from_pretrained(spec).eval()
    fe = WhisperFeatureExtractor.from_pretrained(spec)
    tok = AutoTokenizer.from_pretrained(spec).backend_tokenizer
    dec = decoding_from_generation_config(model.generation_config, max_new_tokens, tokenizer=tok)
    return Asr(model, fe, tok, dec, spec)


def load_wavlm(spec: str, seed: int) -> tuple[Any, bool]:
    """(WavLMModel, normalize_waveform)."""
    from transformers import WavLMConfig, WavLMModel

    if spec.startswith(RANDOM):
        torch.manual_seed(seed)
        return WavLMModel(WavLMConfig(**_preset(spec)["wavlm"])), False
    model = WavLMModel.from_pretrained(spec)
    return model, normalize_waveform(spec, False)


def load_roberta(spec: str, seed: int, texts: list[str], max_tokens: int, tokenizer: Any = None) -> tuple[Any, Any]:
    """(RobertaModel, tokenizers.Tokenizer); a random preset trains its tokenizer on ``texts``
    (or takes ``tokenizer``, the one a finished fold saved, to rebuild the model it was trained with)."""
    from transformers import AutoTokenizer, RobertaConfig, RobertaModel

    if spec.startswith(RANDOM):
        p = _preset(spec)
        tok = tokenizer if tokenizer is not None else train_text_tokenizer(texts, p["text_vocab"])
        torch.manual_seed(seed)
        cfg = RobertaConfig(**{**dict(vocab_size=tok.get_vocab_size(), pad_token_id=tok.token_to_id("<pad>"),
                                      bos_token_id=tok.token_to_id("<s>"), eos_token_id=tok.token_to_id("</s>"),
                                      type_vocab_size=1), **p["roberta"]})
        model = RobertaModel(cfg, add_pooling_layer=False)
    else:
        model = RobertaModel.from_pretrained(spec, add_pooling_layer=False)
        tok = AutoTokenizer.from_pretrained(spec).backend_tokenizer
    tok.enable_truncation(min(max_tokens, model.config.max_position_embeddings - 2))
    return model, tok


def normalize_waveform(spec: str, default: bool) -> bool:
    """WavLM's feature extractor setting (``do_normalize``: zero mean, unit variance per utterance) of a
    hub id or folder; ``default`` where it has no feature extractor config."""
    from transformers import AutoFeatureExtractor

    try:
        return bool(AutoFeatureExtractor.from_pretrained(spec).do_normalize)
    except (OSError, AttributeError):
        return default


def build_head(cfg: HeadConfig, wavlm: Any | None, roberta: Any | None, context_dim: int | None) -> EmotionHead:
    """The fusion head sized for these encoders (hidden states of every layer, eq. 1-2)."""
    return EmotionHead(cfg,
                       speech_dims=(wavlm.config.num_hidden_layers, wavlm.config.hidden_size) if wavlm is not None
                       else None,
                       text_dims=(roberta.config.num_hidden_layers, roberta.config.hidden_size)
                       if roberta is not None else None,
                       context_dim=context_dim if cfg.variant.has("context") else None)


def read_head_checkpoint(path: str | Path) -> dict[str, Any]:
    """A head checkpoint written by ``train`` (``export.save_head_checkpoint``), checked for its keys."""
    ckpt = torch.load(str(path), map_location="cpu", weights_only=True)
    for key in ("head_config", "head"):
        if key not in ckpt:
            raise ValueError(f"{path}: not a mer-train head checkpoint (no {key!r}); make one with `train`")
    return ckpt


def load_trained_head(ckpt: dict[str, Any], wavlm: Any | None, roberta: Any | None,
                      context_dim: int | None) -> EmotionHead:
    """The checkpoint's head on these encoders, their fine-tuned weights (paper III-C) loaded into them."""
    cfg = HeadConfig.from_dict(ckpt["head_config"])
    if wavlm is not None and "wavlm" in ckpt:
        wavlm.load_state_dict(ckpt["wavlm"])
    if roberta is not None and "roberta" in ckpt:
        roberta.load_state_dict(ckpt["roberta"])
    head = build_head(cfg, wavlm, roberta, context_dim)
    head.load_state_dict(ckpt["head"])
    return head.eval()




def head_dims_from_state(state: dict[str, torch.Tensor], cfg: HeadConfig) -> dict[str, Any]:
    """The encoder sizes a trained head was built for, read off its weights."""
    dims: dict[str, Any] = {}
    for m in ("speech", "text"):
        if cfg.variant.has(m):
            w = state[f"adapters.{m}.adapters.0.0.weight"]
            n = len({k.split(".")[3] for k in state if k.startswith(f"adapters.{m}.adapters.")})
            dims[m] = (n if cfg.variant.layer_adapter else None, int(w.shape[1]))
    if cfg.variant.has("context"):
        dims["context"] = int(state["context.net.0.weight"].shape[1])
    return dims


def _check(field: str, head_value: Any, enc_value: Any, source: str) -> None:
    if head_value is not None and head_value != enc_value:
        raise ValueError(f"head checkpoint does not fit {source}: the head was trained for {field}={head_value}, "
                         f"the checkpoint has {field}={enc_value}")


def load_parts(wavlm: str, roberta: str, whisper: str, head: str | Path, max_new_tokens: int = 128,
               language: str | None = None) -> BundleParts:
    from transformers import (AutoTokenizer, RobertaModel, WavLMModel, WhisperFeatureExtractor,
                              WhisperForConditionalGeneration)

    ckpt = read_head_checkpoint(head)
    cfg = HeadConfig.from_dict(ckpt["head_config"])
    v = cfg.variant
    dims = head_dims_from_state(ckpt["head"], cfg)
    parts = BundleParts(head_config=cfg, head=None, max_text_tokens=int(ckpt.get("max_text_tokens", 128)),
                        sources={"wavlm": wavlm, "roberta": roberta, "whisper": whisper})
    if v.needs_asr:
        parts.whisper = WhisperForConditionalGeneration.from_pretrained(whisper).eval()
        parts.feature_extractor = WhisperFeatureExtractor.from_pretrained(whisper)
        if v.has("context"):
            _check("whisper.d_model", dims["context"], parts.whisper.config.d_model, whisper)
        if v.has("text"):
            parts.asr_tokenizer = AutoTokenizer.from_pretrained(whisper).backend_tokenizer
            parts.decoding = decoding_from_generation_config(parts.whisper.generation_config, max_new_tokens, language,
                                                             tokenizer=parts.asr_tokenizer)
    if v.has("speech"):
        parts.wavlm = WavLMModel.from_pretrained(wavlm).eval()
        layers, hidden = dims["speech"]
        _check("wavlm.hidden_size", hidden, parts.wavlm.config.hidden_size, wavlm)
        _check("wavlm.num_hidden_layers", layers, parts.wavlm.config.num_hidden_layers, wavlm)
        parts.normalize_waveform = normalize_waveform(wavlm, bool(ckpt.get("normalize_waveform", False)))
    if v.has("text"):
        parts.roberta = RobertaModel.from_pretrained(roberta, add_pooling_layer=False).eval()
        layers, hidden = dims["text"]
        _check("roberta.hidden_size", hidden, parts.roberta.config.hidden_size, roberta)
        _check("roberta.num_hidden_layers", layers, parts.roberta.config.num_hidden_layers, roberta)
        parts.text_tokenizer = AutoTokenizer.from_pretrained(roberta).backend_tokenizer
        parts.text_tokenizer.enable_truncation(min(parts.max_text_tokens, parts.roberta.config.max_position_embeddings - 2))
    parts.head = load_trained_head(ckpt, parts.wavlm, parts.roberta,
                                   parts.whisper.config.d_model if v.has("context") else None)
    return parts

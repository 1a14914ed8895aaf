"""Loading real checkpoints (Hugging Face hub ids or local folders) plus a trained head checkpoint
into ``BundleParts`` for export. This is the path users with network access run; tests run the
same code on local folders written with ``save_pretrained`` (the hub is never contacted in tests).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import torch

from .config import HeadConfig
from .export import BundleParts
from .model import EmotionHead
from .tokenization import decoding_from_generation_config


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
    from transformers import (AutoFeatureExtractor, AutoTokenizer, RobertaModel, WavLMModel,
                              WhisperFeatureExtractor, WhisperForConditionalGeneration)

    ckpt = torch.load(str(head), map_location="cpu", weights_only=True)
    for key in ("head_config", "head"):
        if key not in ckpt:
            raise ValueError(f"{head}: not a mer-train head checkpoint (no {key!r}); make one with `train`")
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
        try:
            parts.normalize_waveform = bool(AutoFeatureExtractor.from_pretrained(wavlm).do_normalize)
        except (OSError, AttributeError):
            parts.normalize_waveform = bool(ckpt.get("normalize_waveform", False))
        if "wavlm" in ckpt:  # fine-tuned weights (paper III-C)
            parts.wavlm.load_state_dict(ckpt["wavlm"])
    if v.has("text"):
        parts.roberta = RobertaModel.from_pretrained(roberta, add_pooling_layer=False).eval()
        layers, hidden = dims["text"]
        _check("roberta.hidden_size", hidden, parts.roberta.config.hidden_size, roberta)
        _check("roberta.num_hidden_layers", layers, parts.roberta.config.num_hidden_layers, roberta)
        parts.text_tokenizer = AutoTokenizer.from_pretrained(roberta).backend_tokenizer
        parts.text_tokenizer.enable_truncation(min(parts.max_text_tokens, parts.roberta.config.max_position_embeddings - 2))
        if "roberta" in ckpt:
            parts.roberta.load_state_dict(ckpt["roberta"])
    model = EmotionHead(cfg,
                        speech_dims=(parts.wavlm.config.num_hidden_layers, parts.wavlm.config.hidden_size) if parts.wavlm else None,
                        text_dims=(parts.roberta.config.num_hidden_layers, parts.roberta.config.hidden_size) if parts.roberta else None,
                        context_dim=parts.whisper.config.d_model if v.has("context") else None)
    model.load_state_dict(ckpt["head"])
    parts.head = model.eval()
    return parts

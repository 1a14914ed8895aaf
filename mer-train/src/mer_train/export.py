"""Export: Hugging Face encoders + a trained head -> a model bundle folder.

One code path for every bundle: hub checkpoints (users with network access), local checkpoint
folders, and the random-weight models that tests and benchmarks build from configs.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import onnx
import torch
from tokenizers import Tokenizer

from . import __version__
from .bundle import FORMAT, FORMAT_VERSION, file_entries, validate_manifest, write_manifest
from .config import HeadConfig
from .encoders import SpeechEncoder, TextEncoder, WhisperDecoderStep, WhisperEncoderWithCrossKV
from .features import WhisperLogMel
from .model import EmotionHead
from .speech import SpeechDecision
from .tokenization import DecodingSettings

log = logging.getLogger(__name__)
OPSET = 17


@dataclass
class BundleParts:
    """Everything a bundle is made of, in PyTorch/tokenizers form (eval mode)."""

    head_config: HeadConfig
    head: EmotionHead
    feature_extractor: Any = None          # transformers WhisperFeatureExtractor
    whisper: Any = None                    # WhisperForConditionalGeneration
    decoding: DecodingSettings | None = None
    asr_tokenizer: Tokenizer | None = None
    wavlm: Any = None                      # WavLMModel
    normalize_waveform: bool = False
    roberta: Any = None                    # RobertaModel
    text_tokenizer: Tokenizer | None = None
    max_text_tokens: int = 128
    sources: dict[str, str] | None = None  # where each encoder came from (hub id / folder / "random")
    speech_decision: SpeechDecision = field(default_factory=SpeechDecision)  # manifest thresholds (issue 11)

    def speech_encoder(self) -> SpeechEncoder:
        return SpeechEncoder(self.wavlm, self.normalize_waveform).eval()

    def text_encoder(self) -> TextEncoder:
        return TextEncoder(self.roberta).eval()

    def log_mel(self) -> WhisperLogMel:
        fe = self.feature_extractor
        return WhisperLogMel(fe.mel_filters, fe.n_fft, fe.hop_length).eval()

    def check_shapes(self) -> None:
        """The head was trained for encoders of given sizes; refuse mismatched checkpoints."""
        v = self.head_config.variant
        checks = []
        if v.has("speech"):
            a = self.head.adapters["speech"].adapters[0][0]
            checks.append(("speech", "wavlm.hidden_size", a.in_features, self.wavlm.config.hidden_size))
            if v.layer_adapter:
                checks.append(("speech", "wavlm.num_hidden_layers", len(self.head.adapters["speech"].adapters),
                               self.wavlm.config.num_hidden_layers))
        if v.has("text"):
            a = self.head.adapters["text"].adapters[0][0]
            checks.append(("text", "roberta.hidden_size", a.in_features, self.roberta.config.hidden_size))
            if v.layer_adapter:
                checks.append(("text", "roberta.num_hidden_layers", len(self.head.adapters["text"].adapters),
                               self.roberta.config.num_hidden_layers))
        if v.has("context"):
            checks.append(("context", "whisper.d_model", self.head.context.net[0].in_features, self.whisper.config.d_model))
        for modality, field, head_value, enc_value in checks:
            if head_value != enc_value:
                raise ValueError(f"head checkpoint does not fit the {modality} encoder: the head expects "
                                 f"{field}={head_value}, the checkpoint has {field}={enc_value}")


def _export(module: torch.nn.Module, args: tuple, path: Path, input_names: list[str], output_names: list[str],
            dynamic_axes: dict[str, dict[int, str]], opset: int) -> None:
    # The exporter restores the module's training flag afterwards, recursively: a wrapper left in
    # training mode would switch the wrapped HF modules to training mode (dropout on) after export.
    module.eval()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        # TorchScript exporter: the dynamo exporter fails on WavLM (FIELD-NOTES).
        torch.onnx.export(module, args, str(path), input_names=input_names, output_names=output_names,
                          dynamic_axes=dynamic_axes, opset_version=opset, dynamo=False, do_constant_folding=True)
    model = onnx.load(str(path))
    onnx.checker.check_model(model)


class _HeadWrapper(torch.nn.Module):
    def __init__(self, head: EmotionHead) -> None:
        super().__init__()
        self.head = head

    def forward(self, *inputs):
        return self.head(*inputs)


def export_graphs(parts: BundleParts, out: Path, opset: int = OPSET) -> dict[str, str]:
    """Writes the ONNX graphs of the variant; returns {graph kind: file name}."""
    v = parts.head_config.variant
    graphs: dict[str, str] = {}
    b = 2
    with torch.no_grad():
        if v.needs_asr:
            fe = parts.feature_extractor
            _export(parts.log_mel(), (torch.randn(b, fe.n_samples) * 0.1,), out / "features.onnx",
                    ["waveform"], ["log_mel"], {"waveform": {0: "batch", 1: "samples"}, "log_mel": {0: "batch", 2: "frames"}},
                    opset)
            graphs["features"] = "features.onnx"
            enc = WhisperEncoderWithCrossKV(parts.whisper).eval()
            frames = fe.n_samples // fe.hop_length
            mel = torch.randn(b, fe.feature_size, frames)
            _export(enc, (mel,), out / "whisper_encoder.onnx", ["log_mel"], ["encoder_states", "cross_k", "cross_v"],
                    {"log_mel": {0: "batch", 2: "frames"}, "encoder_states": {0: "batch", 1: "enc_frames"},
                     "cross_k": {1: "batch", 2: "enc_frames"}, "cross_v": {1: "batch", 2: "enc_frames"}}, opset)
            graphs["whisper_encoder"] = "whisper_encoder.onnx"
            if v.has("text"):
                _, ck, cv = enc(mel)
                cfg = parts.whisper.config
                step = WhisperDecoderStep(parts.whisper).eval()
                past = torch.randn(cfg.decoder_layers, b, 3, cfg.d_model)
                tokens = torch.zeros(b, 2, dtype=torch.long)
                cache_axes = {1: "batch", 2: "past"}
                _export(step, (tokens, past, past.clone(), ck, cv), out / "whisper_decoder.onnx",
                        ["tokens", "self_k", "self_v", "cross_k", "cross_v"], ["logits", "new_self_k", "new_self_v"],
                        {"tokens": {0: "batch", 1: "steps"}, "self_k": cache_axes, "self_v": cache_axes,
                         "cross_k": {1: "batch", 2: "enc_frames"}, "cross_v": {1: "batch", 2: "enc_frames"},
                         "logits": {0: "batch", 1: "steps"}, "new_self_k": {1: "batch", 2: "total"}, "new_self_v": {1: "batch", 2: "total"}},
                        opset)
                graphs["whisper_decoder"] = "whisper_decoder.onnx"
        if v.has("speech"):
            n = 16000
            wave = torch.randn(b, n) * 0.1
            mask = torch.ones(b, n, dtype=torch.long)
            mask[1, n * 3 // 4:] = 0
            _export(parts.speech_encoder(), (wave, mask), out / "wavlm.onnx", ["waveform", "waveform_mask"],
                    ["hidden_states", "frame_mask"],
                    {"waveform": {0: "batch", 1: "samples"}, "waveform_mask": {0: "batch", 1: "samples"},
                     "hidden_states": {0: "batch", 2: "frames"}, "frame_mask": {0: "batch", 1: "frames"}}, opset)
            graphs["wavlm"] = "wavlm.onnx"
        if v.has("text"):
            ids = torch.randint(5, parts.roberta.config.vocab_size, (b, 7))
            am = torch.ones(b, 7, dtype=torch.long)
            am[1, 5:] = 0
            _export(parts.text_encoder(), (ids, am), out / "roberta.onnx", ["input_ids", "attention_mask"], ["hidden_states"],
                    {"input_ids": {0: "batch", 1: "tokens"}, "attention_mask": {0: "batch", 1: "tokens"},
                     "hidden_states": {0: "batch", 2: "tokens"}}, opset)
            graphs["roberta"] = "roberta.onnx"
        head_inputs, axes = [], {}
        for m in v.modalities:
            t = 9 if m != "text" else 6
            if m == "speech":
                states = torch.randn(b, parts.wavlm.config.num_hidden_layers + 1, t, parts.wavlm.config.hidden_size)
            elif m == "text":
                states = torch.randn(b, parts.roberta.config.num_hidden_layers + 1, t, parts.roberta.config.hidden_size)
            else:
                states = torch.randn(b, t, parts.whisper.config.d_model)
            mask = torch.ones(b, t, dtype=torch.long)
            mask[1, t - 2:] = 0
            head_inputs += [states, mask]
            time_axis = 1 if m == "context" else 2
            axes[f"{m}_states"] = {0: "batch", time_axis: f"{m}_frames"}
            axes[f"{m}_mask"] = {0: "batch", 1: f"{m}_frames"}
        axes["logits"] = {0: "batch"}
        axes["probabilities"] = {0: "batch"}
        parts.head.eval()
        _export(_HeadWrapper(parts.head), tuple(head_inputs), out / "head.onnx", parts.head.input_names(),
                ["logits", "probabilities"], axes, opset)
        graphs["head"] = "head.onnx"
    return graphs


def export_bundle(parts: BundleParts, out: Path | str, bundle_id: str, description: str = "",
                  opset: int = OPSET, overwrite: bool = False, rewrite: bool = True) -> dict[str, Any]:
    """Writes the whole bundle (graphs, tokenizers, manifest with checksums) and returns the manifest.

    With ``rewrite`` (the default) the transformer graphs are written with the fp32 rewrites of
    ``mer_train.fusion`` (what ``fuse`` makes of an older bundle: unmasked attention fused, strided
    convolutions as MatMul, the cross-attention K/V one tensor per decoder layer): the same results
    within float rounding, faster and smaller in memory. ``rewrite=False`` writes the graphs as
    traced (the layout of bundles exported before the rewrites were the default).

    Everything that can be checked before the graphs are written is checked first (encoder shapes,
    decoding limits, the manifest against the schema); the bundle is written into a temporary
    sibling folder and moved into place at the end, so a failure never leaves a half-written
    ``out``."""
    out = Path(out)
    if out.exists() and not overwrite and any(out.iterdir()):
        raise FileExistsError(f"{out}: not empty (use --overwrite)")
    parts.check_shapes()
    v = parts.head_config.variant
    manifest = _manifest(parts, bundle_id, description, opset)
    # the graph and tokenizer names are known up front: validate the manifest before the slow part
    planned = {k: f"{k}.onnx" for k in _graph_kinds(v)}
    tokenizers = {"asr": "asr_tokenizer.json", "text": "text_tokenizer.json"} if v.has("text") else {}
    validate_manifest({**manifest, "graphs": planned, "tokenizers": tokenizers,
                       "files": {n: {"sha256": "0" * 64, "bytes": 1} for n in [*planned.values(), *tokenizers.values()]}})
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp, 0o777 & ~umask)   # mkdtemp makes 0700; the bundle folder gets the usual mode
    try:
        graphs = export_graphs(parts, tmp, opset)
        if graphs != planned:
            raise AssertionError(f"exported graphs {graphs} differ from the planned {planned}")
        if rewrite:
            from .quantize import rewrite_graphs

            done = rewrite_graphs(tmp, graphs, manifest.get("whisper", {}).get("decoder_layers", 0))
            log.info("graph rewrites: %s", done)
        if v.has("text"):
            parts.asr_tokenizer.save(str(tmp / tokenizers["asr"]))
            parts.text_tokenizer.save(str(tmp / tokenizers["text"]))
        producer = manifest.pop("producer")   # keeps the documented field order: producer last
        manifest["graphs"] = graphs
        manifest["tokenizers"] = tokenizers
        manifest["files"] = file_entries(tmp, list(graphs.values()) + list(tokenizers.values()))
        manifest["producer"] = producer
        write_manifest(tmp, manifest)
        if out.exists():
            shutil.rmtree(out)
        os.replace(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    log.info("wrote bundle %s to %s (%d files)", bundle_id, out, len(manifest["files"]))
    return manifest


def _graph_kinds(v) -> list[str]:
    kinds = []
    if v.needs_asr:
        kinds += ["features", "whisper_encoder"] + (["whisper_decoder"] if v.has("text") else [])
    if v.has("speech"):
        kinds.append("wavlm")
    if v.has("text"):
        kinds.append("roberta")
    return kinds + ["head"]


def _manifest(parts: BundleParts, bundle_id: str, description: str, opset: int) -> dict[str, Any]:
    """Every manifest field but graphs, tokenizers and files; raises on settings that cannot work."""
    cfg, v = parts.head_config, parts.head_config.variant
    sources = parts.sources or {}
    manifest: dict[str, Any] = {
        "format": FORMAT, "format_version": FORMAT_VERSION, "bundle_id": bundle_id, "description": description,
        "labels": list(cfg.labels), "variant": v.to_dict(),
    }
    if v.needs_asr:
        fe = parts.feature_extractor
        manifest["audio"] = {"sample_rate": fe.sampling_rate, "n_fft": fe.n_fft, "hop_length": fe.hop_length,
                             "n_mels": fe.feature_size, "chunk_seconds": fe.chunk_length, "n_samples": fe.n_samples,
                             "min_samples": fe.sampling_rate // 10}
        wc = parts.whisper.config
        frames = fe.n_samples // fe.hop_length
        manifest["whisper"] = {"d_model": wc.d_model, "encoder_layers": wc.encoder_layers,
                               "encoder_heads": wc.encoder_attention_heads, "encoder_ffn_dim": wc.encoder_ffn_dim,
                               "decoder_layers": wc.decoder_layers, "decoder_heads": wc.decoder_attention_heads,
                               "decoder_ffn_dim": wc.decoder_ffn_dim,
                               "vocab_size": wc.vocab_size, "max_target_positions": wc.max_target_positions,
                               "encoder_frames": frames // 2, "context_hop_samples": fe.hop_length * 2,
                               "source": sources.get("whisper", ""),
                               "decoding": parts.decoding.to_dict() if parts.decoding else _no_decoding()}
    else:
        manifest["audio"] = {"sample_rate": 16000, "n_fft": 400, "hop_length": 160, "n_mels": 80,
                             "chunk_seconds": 30, "n_samples": 480000, "min_samples": 1600}
    if v.has("speech"):
        manifest["wavlm"] = {"hidden_size": parts.wavlm.config.hidden_size,
                             "num_layers": parts.wavlm.config.num_hidden_layers,
                             "ffn_dim": parts.wavlm.config.intermediate_size,
                             "normalize_waveform": parts.normalize_waveform, "source": sources.get("wavlm", "")}
    if v.has("text"):
        rc = parts.roberta.config
        manifest["text"] = {"hidden_size": rc.hidden_size, "num_layers": rc.num_hidden_layers,
                            "ffn_dim": rc.intermediate_size,
                            "max_tokens": min(parts.max_text_tokens, rc.max_position_embeddings - 2),
                            "pad_token_id": rc.pad_token_id, "source": sources.get("roberta", "")}
        limit = parts.whisper.config.max_target_positions - len(parts.decoding.start_sequence)
        if parts.decoding.max_new_tokens > limit:
            raise ValueError(f"whisper.decoding.max_new_tokens={parts.decoding.max_new_tokens} plus the start sequence "
                             f"exceeds the decoder's max_target_positions={parts.whisper.config.max_target_positions}; "
                             f"use --max-new-tokens {limit} or less")
    manifest["head"] = {"d_model": cfg.d_model, "num_heads": cfg.num_heads, "ffn_dim": cfg.ffn_dim,
                        "adapter_activation": cfg.adapter_activation, "dropout": cfg.dropout,
                        "attention_dropout": cfg.attention_dropout}
    manifest["speech_decision"] = parts.speech_decision.to_dict()
    import transformers
    manifest["producer"] = {"mer_train": __version__, "torch": torch.__version__.split("+")[0],
                            "transformers": transformers.__version__, "onnx": onnx.__version__, "opset": opset}
    return manifest


def _no_decoding() -> dict[str, Any]:
    """Context-only variants run Whisper's encoder but never decode; the fields stay well-formed."""
    return {"start_sequence": [0], "end_token": 0, "no_timestamps_token": 0, "suppress_tokens": [],
            "begin_suppress_tokens": [], "max_new_tokens": 1, "no_speech_token": None}


def save_head_checkpoint(path: Path | str, parts: BundleParts, extra: dict[str, Any] | None = None) -> None:
    """What `train` writes and `export --head` reads: head config and weights, plus the fine-tuned
    WavLM/RoBERTa weights (the paper fine-tunes both; Whisper stays frozen)."""
    ckpt = {"head_config": parts.head_config.to_dict(), "head": parts.head.state_dict(),
            "normalize_waveform": parts.normalize_waveform, "max_text_tokens": parts.max_text_tokens}
    if parts.wavlm is not None:
        ckpt["wavlm"] = parts.wavlm.state_dict()
    if parts.roberta is not None:
        ckpt["roberta"] = parts.roberta.state_dict()
    ckpt.update(extra or {})
    torch.save(ckpt, str(path))


"""The paper's training recipe (III-C, III-D) on a corpus in the IEMOCAP release layout.

- Whisper is frozen: its greedy transcripts and its encoder states (the context features) are
  computed once per utterance and cached on disk (``<out>/cache``), never recomputed per epoch.
- WavLM and RoBERTa are fine-tuned together with the head (layer adapters + MF + classifier).
- Adam, dropout 0.5, weight decay 1e-5 (Adam's L2 term), batch 32, 30 epochs, cross-entropy
  (eq. 10). The paper gives no learning rate: ``lr`` (head) and ``encoder_lr`` (WavLM/RoBERTa)
  are ours, see docs/training.md.
- Leave-one-session-out: one fold per session; the model of the last epoch is evaluated (IEMOCAP
  has no dev split; picking an epoch on the test session would be peeking). Per fold and averaged:
  UAR, macro-F1, accuracy, confusion matrix (``metrics``).
- Each fold checkpoints after every epoch and resumes from there; a finished fold is skipped.
  Each finished fold writes its head checkpoint (``head.pt``) and an exported bundle.

Encoders come from hub ids or local folders (``from_pretrained``: what real users run) or, for the
synthetic corpus, tests and the demo, from ``random:<preset>``: the real architectures built from
small configs with random weights.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import os
import random
import time
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn
from tqdm import tqdm

from .config import MODALITIES, HeadConfig, Variant
from .dataset import read_wave  # moved to dataset.py; still importable from here
from .decoding import hf_generate
from .encoders import SpeechEncoder, TextEncoder, context_frames
from .export import BundleParts, export_bundle, save_head_checkpoint
from .iemocap import LABELS, Utterance, leave_one_session_out, load_iemocap
from .memory import retain_freed_memory
from .metrics import evaluate
from .model import EmotionHead
from .tokenization import (DecodingSettings, decoding_for_trained_tokenizer, decoding_from_generation_config,
                           train_asr_tokenizer, train_text_tokenizer)

log = logging.getLogger(__name__)

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
}


@dataclass
class TrainConfig:
    corpus: str
    out: str
    wavlm: str = "microsoft/wavlm-base"
    roberta: str = "FacebookAI/roberta-base"
    whisper: str = "openai/whisper-small.en"
    transcripts: str = "asr"             # "asr": Whisper's greedy transcripts (paper); "reference": the corpus's
    modalities: tuple[str, ...] = MODALITIES
    layer_adapter: bool = True
    multimodal_fusion: bool = True
    head_d_model: int = 256
    head_heads: int = 4
    head_ffn: int = 1024
    adapter_activation: str = "gelu"
    dropout: float = 0.5                 # paper III-C
    attention_dropout: float = 0.1
    epochs: int = 30                     # paper III-C
    batch_size: int = 32                 # paper III-C
    lr: float = 1e-4                     # head (the paper gives none)
    encoder_lr: float = 1e-5             # WavLM and RoBERTa (the paper gives none)
    weight_decay: float = 1e-5           # paper III-C (Adam's L2 term)
    freeze_wavlm_cnn: bool = False
    max_seconds: float = 20.0            # WavLM training input cut to this length (memory); eval uses all
    max_text_tokens: int = 128
    max_new_tokens: int = 128
    folds: tuple[int, ...] | None = None  # test sessions; None = all
    seed: int = 0
    threads: int = 2
    device: str = "cpu"
    eval_batch_size: int = 16
    export: bool = True
    bundle_prefix: str = "mer"

    def variant(self) -> Variant:
        return Variant(tuple(self.modalities), self.layer_adapter, self.multimodal_fusion)

    def head_config(self) -> HeadConfig:
        return HeadConfig(labels=LABELS, d_model=self.head_d_model, num_heads=self.head_heads, ffn_dim=self.head_ffn,
                          adapter_activation=self.adapter_activation, dropout=self.dropout,
                          attention_dropout=self.attention_dropout, variant=self.variant())

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["modalities"] = list(self.modalities)
        d["folds"] = list(self.folds) if self.folds is not None else None
        return d

    # what must not change when a fold resumes from a checkpoint
    RESUME_KEYS = ("wavlm", "roberta", "whisper", "transcripts", "modalities", "layer_adapter", "multimodal_fusion",
                   "head_d_model", "head_heads", "head_ffn", "adapter_activation", "dropout", "attention_dropout",
                   "batch_size", "lr", "encoder_lr", "weight_decay", "freeze_wavlm_cnn", "max_seconds",
                   "max_text_tokens", "seed")


# ----------------------------------------------------------------------------------------------
# Encoders: pretrained (hub id / folder) or random presets


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
    from transformers import AutoFeatureExtractor, WavLMConfig, WavLMModel

    if spec.startswith(RANDOM):
        torch.manual_seed(seed)
        return WavLMModel(WavLMConfig(**_preset(spec)["wavlm"])), False
    model = WavLMModel.from_pretrained(spec)
    try:
        normalize = bool(AutoFeatureExtractor.from_pretrained(spec).do_normalize)
    except (OSError, AttributeError):
        normalize = False
    return model, normalize


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


def _fingerprint(module: nn.Module, extra: str) -> str:
    h = hashlib.sha256(extra.encode())
    for name, t in sorted(module.state_dict().items()):
        h.update(name.encode())
        h.update(t.detach().cpu().contiguous().numpy().tobytes())
    return h.hexdigest()[:16]


# ----------------------------------------------------------------------------------------------
# The frozen Whisper pass, cached


class WhisperCache:
    """Per utterance: the transcript (greedy decoding) and the encoder states cut to the utterance
    (``context_frames``), float16 ``.npy`` files under ``<root>/<whisper fingerprint>/``."""

    def __init__(self, root: Path, asr: Asr, device: str = "cpu") -> None:
        fe = asr.feature_extractor
        key = _fingerprint(asr.model, json.dumps([asr.source, fe.n_samples, fe.hop_length, asr.decoding.to_dict()]))
        self.dir = Path(root) / f"whisper-{key}"
        self.dir.mkdir(parents=True, exist_ok=True)
        self.asr = asr
        self.device = device
        self.index_path = self.dir / "index.json"
        self.index: dict[str, Any] = json.loads(self.index_path.read_text()) if self.index_path.is_file() else {}

    @staticmethod
    def _stamp(u: Utterance) -> list[int]:
        st = u.wav.stat()
        return [st.st_size, st.st_mtime_ns]

    def _fresh(self, u: Utterance) -> bool:
        e = self.index.get(u.id)
        return e is not None and e["stamp"] == self._stamp(u) and (self.dir / f"{u.id}.npy").is_file()

    def fill(self, utts: list[Utterance], batch_size: int = 16, decode: bool = True) -> None:
        todo = [u for u in utts if not self._fresh(u)]
        if not todo:
            return
        asr, fe = self.asr, self.asr.feature_extractor
        model = asr.model.to(self.device).eval()
        hop = fe.hop_length * 2
        bar = tqdm(total=len(todo), desc="whisper (frozen): context + transcripts", unit="utt")
        for i in range(0, len(todo), batch_size):
            chunk = todo[i:i + batch_size]
            waves = [read_wave(u.wav, fe.sampling_rate) for u in chunk]
            feats = fe(waves, sampling_rate=fe.sampling_rate, return_tensors="pt", padding="max_length",
                       truncation=True)["input_features"].to(self.device)
            with torch.no_grad():
                states = model.model.encoder(feats).last_hidden_state
                tokens = hf_generate(model, feats, asr.decoding) if decode else [[] for _ in chunk]
            for u, w, s, t in zip(chunk, waves, states, tokens):
                n = context_frames(len(w), hop, s.shape[0])
                np.save(self.dir / f"{u.id}.npy", s[:n].cpu().numpy().astype(np.float16))
                self.index[u.id] = {"stamp": self._stamp(u), "tokens": t,
                                    "transcript": asr.tokenizer.decode(t, skip_special_tokens=True)}
            bar.update(len(chunk))
            self._save_index()
        bar.close()
        model.cpu()

    def _save_index(self) -> None:
        tmp = self.index_path.with_suffix(".tmp")
        tmp.write_text(json.dumps(self.index))
        os.replace(tmp, self.index_path)

    def context(self, u: Utterance) -> np.ndarray:
        return np.load(self.dir / f"{u.id}.npy").astype(np.float32)

    def transcript(self, u: Utterance) -> str:
        return self.index[u.id]["transcript"]


# ----------------------------------------------------------------------------------------------
# Model and batches


class Recipe(nn.Module):
    """What is trained: WavLM and RoBERTa (fine-tuned) and the head; Whisper's part is cached."""

    def __init__(self, head: EmotionHead, wavlm: nn.Module | None, roberta: nn.Module | None,
                 normalize_waveform: bool) -> None:
        super().__init__()
        self.head = head
        self.speech = SpeechEncoder(wavlm, normalize_waveform) if wavlm is not None else None
        self.text = TextEncoder(roberta) if roberta is not None else None

    def forward(self, batch: dict[str, torch.Tensor]) -> tuple[torch.Tensor, torch.Tensor]:
        inputs: list[torch.Tensor] = []
        for m in self.head.cfg.variant.modalities:
            if m == "speech":
                states, frame_mask = self.speech(batch["waveform"], batch["waveform_mask"])
                inputs += [states, frame_mask]
            elif m == "text":
                inputs += [self.text(batch["input_ids"], batch["attention_mask"]), batch["attention_mask"]]
            else:
                inputs += [batch["context"], batch["context_mask"]]
        return self.head(*inputs)


@dataclass
class Example:
    utt: Utterance
    label: int
    text_ids: list[int] = field(default_factory=list)


class Batcher:
    def __init__(self, variant: Variant, cache: WhisperCache | None, pad_id: int, max_samples: int | None,
                 sample_rate: int) -> None:
        self.v = variant
        self.cache = cache
        self.pad_id = pad_id
        self.max_samples = max_samples
        self.rate = sample_rate

    def __call__(self, examples: list[Example], device: str) -> dict[str, torch.Tensor]:
        b = len(examples)
        out: dict[str, torch.Tensor] = {"labels": torch.tensor([e.label for e in examples])}
        if self.v.has("speech"):
            waves = [read_wave(e.utt.wav, self.rate) for e in examples]
            if self.max_samples:
                waves = [w[: self.max_samples] for w in waves]
            n = max(len(w) for w in waves)
            wav = torch.zeros(b, n)
            mask = torch.zeros(b, n, dtype=torch.long)
            for i, w in enumerate(waves):
                wav[i, : len(w)] = torch.from_numpy(w)
                mask[i, : len(w)] = 1
            out["waveform"], out["waveform_mask"] = wav, mask
        if self.v.has("text"):
            n = max(len(e.text_ids) for e in examples)
            ids = torch.full((b, n), self.pad_id, dtype=torch.long)
            am = torch.zeros(b, n, dtype=torch.long)
            for i, e in enumerate(examples):
                ids[i, : len(e.text_ids)] = torch.tensor(e.text_ids)
                am[i, : len(e.text_ids)] = 1
            out["input_ids"], out["attention_mask"] = ids, am
        if self.v.has("context"):
            ctx = [self.cache.context(e.utt) for e in examples]
            n = max(len(c) for c in ctx)
            states = torch.zeros(b, n, ctx[0].shape[1])
            mask = torch.zeros(b, n, dtype=torch.long)
            for i, c in enumerate(ctx):
                states[i, : len(c)] = torch.from_numpy(c)
                mask[i, : len(c)] = 1
            out["context"], out["context_mask"] = states, mask
        return {k: t.to(device) for k, t in out.items()}


# ----------------------------------------------------------------------------------------------
# One fold


def _atomic_save(obj: Any, path: Path) -> None:
    tmp = path.with_suffix(".tmp")
    torch.save(obj, str(tmp))
    os.replace(tmp, path)


def _set_seed(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed % (2 ** 32))
    torch.manual_seed(seed)


@dataclass
class FoldResult:
    session: int
    metrics: dict[str, Any]
    seconds: float
    bundle: str | None
    parts: BundleParts | None = None   # the trained model (None when the fold was finished earlier)


def _predict(model: Recipe, batcher: Batcher, examples: list[Example], batch_size: int, device: str
             ) -> np.ndarray:
    model.eval()
    probs = []
    with torch.no_grad():
        for i in range(0, len(examples), batch_size):
            _, p = model(batcher(examples[i:i + batch_size], device))
            probs.append(p.cpu().numpy())
    return np.concatenate(probs) if probs else np.zeros((0, len(LABELS)), np.float32)


def train_fold(cfg: TrainConfig, session: int, train: list[Utterance], test: list[Utterance],
               asr: Asr | None, cache: WhisperCache | None) -> FoldResult:
    fold_dir = Path(cfg.out) / f"fold{session}"
    fold_dir.mkdir(parents=True, exist_ok=True)
    done = fold_dir / "metrics.json"
    if done.is_file():
        m = json.loads(done.read_text())
        log.info("fold %d: already finished (%s), UAR %.4f", session, done, m["metrics"]["uar"])
        return FoldResult(session, m["metrics"], m["seconds"], m.get("bundle"))

    v = cfg.variant()
    seed = cfg.seed * 1000 + session
    _set_seed(seed)
    head_cfg = cfg.head_config()
    wavlm, normalize = load_wavlm(cfg.wavlm, seed) if v.has("speech") else (None, False)
    roberta, text_tok = (load_roberta(cfg.roberta, seed + 1, [u.transcript for u in train], cfg.max_text_tokens)
                         if v.has("text") else (None, None))
    if wavlm is not None and cfg.freeze_wavlm_cnn:
        wavlm.freeze_feature_encoder()
    torch.manual_seed(seed + 2)
    head = EmotionHead(head_cfg,
                       speech_dims=(wavlm.config.num_hidden_layers, wavlm.config.hidden_size) if wavlm else None,
                       text_dims=(roberta.config.num_hidden_layers, roberta.config.hidden_size) if roberta else None,
                       context_dim=asr.model.config.d_model if v.has("context") else None)
    model = Recipe(head, wavlm, roberta, normalize).to(cfg.device)

    label_index = {lab: i for i, lab in enumerate(LABELS)}

    def examples(utts: list[Utterance]) -> list[Example]:
        out = []
        for u in utts:
            e = Example(u, label_index[u.label])
            if v.has("text"):
                text = u.transcript if cfg.transcripts == "reference" else cache.transcript(u)
                e.text_ids = text_tok.encode(text).ids
            out.append(e)
        return out

    train_ex, test_ex = examples(train), examples(test)
    rate = asr.feature_extractor.sampling_rate if asr is not None else 16000
    batcher = Batcher(v, cache, roberta.config.pad_token_id if roberta is not None else 0,
                      int(cfg.max_seconds * rate) if cfg.max_seconds else None, rate)
    eval_batcher = Batcher(v, cache, batcher.pad_id, None, rate)

    head_params = list(model.head.parameters())
    enc_params = [p for p in model.parameters() if p.requires_grad and all(p is not q for q in head_params)]
    groups = [{"params": head_params, "lr": cfg.lr}]
    if enc_params:
        groups.append({"params": enc_params, "lr": cfg.encoder_lr})
    opt = torch.optim.Adam(groups, weight_decay=cfg.weight_decay)

    ckpt_path = fold_dir / "checkpoint.pt"
    start_epoch, history, spent = 0, [], 0.0
    if ckpt_path.is_file():
        ck = torch.load(str(ckpt_path), map_location="cpu", weights_only=False)
        old = ck["config"]
        changed = [k for k in TrainConfig.RESUME_KEYS if old.get(k) != cfg.to_dict().get(k)]
        if changed:
            raise ValueError(f"{ckpt_path}: was written with different settings ({', '.join(changed)}); "
                             "use another --out, or --restart to discard it")
        model.load_state_dict(ck["model"])
        opt.load_state_dict(ck["optimizer"])
        start_epoch, history, spent = ck["epoch"], ck["history"], ck["seconds"]
        torch.set_rng_state(ck["rng"])
        log.info("fold %d: resuming after epoch %d", session, start_epoch)

    loss_fn = nn.CrossEntropyLoss()  # eq. (10)
    steps = math.ceil(len(train_ex) / cfg.batch_size)
    for epoch in range(start_epoch, cfg.epochs):
        t0 = time.time()
        model.train()
        order = np.random.default_rng([seed, epoch]).permutation(len(train_ex))
        total, correct = 0.0, 0
        bar = tqdm(range(steps), desc=f"fold {session} epoch {epoch + 1}/{cfg.epochs}", unit="batch", leave=False)
        for s in bar:
            batch = batcher([train_ex[i] for i in order[s * cfg.batch_size:(s + 1) * cfg.batch_size]], cfg.device)
            logits, _ = model(batch)
            loss = loss_fn(logits, batch["labels"])
            opt.zero_grad()
            loss.backward()
            opt.step()
            total += loss.item() * len(batch["labels"])
            correct += int((logits.argmax(-1) == batch["labels"]).sum())
            bar.set_postfix(loss=f"{loss.item():.3f}")
        bar.close()
        spent += time.time() - t0
        history.append({"epoch": epoch + 1, "loss": total / len(train_ex), "train_accuracy": correct / len(train_ex)})
        log.info("fold %d epoch %d/%d: loss %.4f, train accuracy %.3f (%.1f s)", session, epoch + 1, cfg.epochs,
                 history[-1]["loss"], history[-1]["train_accuracy"], time.time() - t0)
        _atomic_save({"epoch": epoch + 1, "model": model.state_dict(), "optimizer": opt.state_dict(),
                      "history": history, "seconds": spent, "rng": torch.get_rng_state(), "config": cfg.to_dict()},
                     ckpt_path)

    probs = _predict(model, eval_batcher, test_ex, cfg.eval_batch_size, cfg.device)
    preds = probs.argmax(-1)
    metrics = evaluate([e.label for e in test_ex], preds.tolist(), LABELS)
    model.cpu().eval()
    with open(fold_dir / "predictions.jsonl", "w") as f:
        for e, p in zip(test_ex, probs):
            rec = {"id": e.utt.id, "label": LABELS[e.label], "predicted": LABELS[int(p.argmax())],
                   "probabilities": [round(float(x), 6) for x in p]}
            if v.has("text"):
                rec["transcript"] = e.utt.transcript if cfg.transcripts == "reference" else cache.transcript(e.utt)
            f.write(json.dumps(rec) + "\n")

    parts = BundleParts(head_config=head_cfg, head=model.head.eval(), wavlm=wavlm.eval() if wavlm else None,
                        normalize_waveform=normalize, roberta=roberta.eval() if roberta else None,
                        text_tokenizer=text_tok, max_text_tokens=cfg.max_text_tokens,
                        sources={"wavlm": cfg.wavlm, "roberta": cfg.roberta, "whisper": cfg.whisper})
    if asr is not None:
        parts.whisper, parts.feature_extractor = asr.model.cpu().eval(), asr.feature_extractor
        parts.asr_tokenizer, parts.decoding = asr.tokenizer, asr.decoding
    save_head_checkpoint(fold_dir / "head.pt", parts, extra={"test_session": session, "metrics": metrics,
                                                              "train_config": cfg.to_dict()})
    if text_tok is not None:
        text_tok.save(str(fold_dir / "text_tokenizer.json"))
    bundle = None
    if cfg.export:
        bundle_dir = fold_dir / "bundle"
        export_bundle(parts, bundle_dir, bundle_id=f"{cfg.bundle_prefix}-fold{session}",
                      description=f"trained by `python -m mer_train train` on {cfg.corpus}, test session {session} "
                                  f"held out (UAR {metrics['uar']:.4f}, macro-F1 {metrics['macro_f1']:.4f})",
                      overwrite=True)
        bundle = str(bundle_dir)
    done.write_text(json.dumps({"session": session, "metrics": metrics, "seconds": round(spent, 1),
                                "history": history, "bundle": bundle, "n_train": len(train_ex),
                                "n_test": len(test_ex)}, indent=1) + "\n")
    ckpt_path.unlink(missing_ok=True)  # the fold is done: head.pt and the bundle hold the weights
    log.info("fold %d: UAR %.4f, macro-F1 %.4f, accuracy %.4f (%d test utterances, %.0f s training)", session,
             metrics["uar"], metrics["macro_f1"], metrics["accuracy"], metrics["n"], spent)
    return FoldResult(session, metrics, spent, bundle, parts)


# ----------------------------------------------------------------------------------------------
# Cross-validation


def run(cfg: TrainConfig) -> dict[str, Any]:
    """Leave-one-session-out over the chosen folds; writes results.json/results.md, returns the summary."""
    return _run(cfg)[0]


def run_folds(cfg: TrainConfig) -> tuple[dict[str, Any], list[FoldResult]]:
    """``run`` for callers that need the trained models too (the demo bundle)."""
    return _run(cfg)


def _run(cfg: TrainConfig) -> tuple[dict[str, Any], list[FoldResult]]:
    if cfg.transcripts not in ("asr", "reference"):
        raise ValueError(f"transcripts: {cfg.transcripts!r}; use 'asr' (Whisper's) or 'reference' (the corpus's)")
    torch.set_num_threads(cfg.threads)
    if cfg.device == "cpu":
        retain_freed_memory()
    out = Path(cfg.out)
    out.mkdir(parents=True, exist_ok=True)
    utts = load_iemocap(cfg.corpus)
    folds = leave_one_session_out(utts, list(cfg.folds) if cfg.folds else None)
    v = cfg.variant()
    asr = cache = None
    if v.needs_asr:
        asr = load_asr(cfg.whisper, cfg.max_new_tokens, cfg.seed)
        for p in asr.model.parameters():
            p.requires_grad_(False)   # frozen (paper III-C)
        cache = WhisperCache(out / "cache", asr, cfg.device)
        needed = sorted({u.id: u for f in folds for u in f.train + f.test}.values(), key=lambda u: u.id)
        cache.fill(needed, batch_size=cfg.eval_batch_size, decode=v.has("text") and cfg.transcripts == "asr")
    (out / "train_config.json").write_text(json.dumps(cfg.to_dict(), indent=1) + "\n")
    results = [train_fold(cfg, f.test_session, f.train, f.test, asr, cache) for f in folds]
    summary = summarize(results)
    (out / "results.json").write_text(json.dumps(summary, indent=1) + "\n")
    (out / "results.md").write_text(results_table(summary))
    return summary, results


def summarize(results: list[FoldResult]) -> dict[str, Any]:
    keys = ("uar", "macro_f1", "accuracy")
    per = {str(r.session): r.metrics for r in results}
    mean = {k: float(np.mean([r.metrics[k] for r in results])) for k in keys}
    std = {k: float(np.std([r.metrics[k] for r in results])) for k in keys}
    cm = np.sum([np.array(r.metrics["confusion"]) for r in results], axis=0)
    return {"labels": list(LABELS), "folds": per, "mean": mean, "std": std, "confusion_sum": cm.tolist(),
            "train_seconds": {str(r.session): round(r.seconds, 1) for r in results},
            "bundles": {str(r.session): r.bundle for r in results}}


def results_table(summary: dict[str, Any]) -> str:
    lines = ["| test session | UAR | macro-F1 | accuracy | n |", "|---|---|---|---|---|"]
    for s, m in summary["folds"].items():
        lines.append(f"| {s} | {m['uar']:.4f} | {m['macro_f1']:.4f} | {m['accuracy']:.4f} | {m['n']} |")
    mu, sd = summary["mean"], summary["std"]
    lines.append(f"| mean ± std | {mu['uar']:.4f} ± {sd['uar']:.4f} | {mu['macro_f1']:.4f} ± {sd['macro_f1']:.4f} | "
                 f"{mu['accuracy']:.4f} ± {sd['accuracy']:.4f} | |")
    labs = summary["labels"]
    lines += ["", "Confusion matrix, all folds (rows: true, columns: predicted)", "",
              "| | " + " | ".join(labs) + " |", "|---" * (len(labs) + 1) + "|"]
    for lab, row in zip(labs, summary["confusion_sum"]):
        lines.append(f"| {lab} | " + " | ".join(str(x) for x in row) + " |")
    return "\n".join(lines) + "\n"


def config_from_args(a: Any) -> TrainConfig:
    names = {f.name for f in fields(TrainConfig)}
    d = {k: v for k, v in vars(a).items() if k in names and v is not None}
    if "modalities" in d:
        d["modalities"] = tuple(d["modalities"].split(",")) if isinstance(d["modalities"], str) else tuple(d["modalities"])
    if "folds" in d:
        d["folds"] = tuple(d["folds"])
    return TrainConfig(**d)

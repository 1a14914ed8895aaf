"""The paper's training recipe (III-C, III-D) on a labelled-audio manifest (or the IEMOCAP layout).

- Whisper is frozen: its greedy transcripts and its encoder states (the context features) are
  computed once per utterance and cached on disk (``<out>/cache``), never recomputed per epoch.
- WavLM and RoBERTa are fine-tuned together with the head (layer adapters + MF + classifier).
- Adam, dropout 0.5, weight decay 1e-5 (Adam's L2 term), batch 32, 30 epochs, cross-entropy
  (eq. 10). The paper gives no learning rate: ``lr`` (head) and ``encoder_lr`` (WavLM/RoBERTa)
  are ours, see docs/training.md.
- Folds by group (speaker or session): leave-one-group-out by default (the paper's
  leave-one-session-out on IEMOCAP), grouped k folds or the manifest's split column. The model of
  the last epoch is evaluated, unless a validation set (groups of the training side, or the split
  column's validation rows) picks the best epoch and stops early; picking an epoch on the test
  groups would be peeking. Per fold and averaged: UAR, macro-F1, accuracy, confusion matrix
  (``metrics``). Labels and their order come from the data (``--labels`` or sorted).
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
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn

from .config import MODALITIES, HeadConfig, Variant
from .dataset import Item, ManifestError, read_manifest, read_wave  # noqa: F401 (read_wave: still importable here)
from .decoding import hf_generate
from .encoders import SpeechEncoder, TextEncoder, context_frames
from .export import BundleParts, export_bundle, save_head_checkpoint
from .folds import Fold, grouped_k_fold, leave_one_group_out, natural_key, split_column
from .hub import RANDOM, RANDOM_PRESETS, Asr, build_head, load_asr, load_roberta, load_wavlm  # noqa: F401
from .memory import retain_freed_memory
from .metrics import evaluate
from .progress import progress_bar

log = logging.getLogger(__name__)

BALANCE = ("weights", "sampler", "none")
PRECISIONS = ("auto", "bf16", "fp16", "fp32")
FOLD_SCHEMES = ("groups", "kfold", "split")


@dataclass
class TrainConfig:
    corpus: str | None = None            # IEMOCAP release layout (read through its importer)
    out: str = "runs/train"
    manifest: str | None = None          # a labelled-audio manifest (.csv/.tsv/.jsonl); this or corpus
    labels: tuple[str, ...] | None = None  # label order of the head and bundle; None = sorted distinct labels
    wavlm: str = "microsoft/wavlm-base"
    roberta: str = "FacebookAI/roberta-base"
    whisper: str = "openai/whisper-small.en"
    transcripts: str = "asr"             # "asr": Whisper's greedy transcripts (paper); "reference": the data's
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
    fold_scheme: str = "groups"          # groups: leave-one-group-out; kfold: grouped k folds; split: split column
    k: int = 5                           # fold_scheme kfold
    folds: tuple[str, ...] | None = None  # which folds to run (test group names, or kfold numbers); None = all
    validation: float = 0.0              # share of each fold's training rows (whole groups) held out to pick the
                                         # epoch and stop early; 0: the last epoch (split scheme: its validation rows)
    patience: int | None = None          # stop after this many epochs without a better validation UAR
    balance: str = "weights"             # imbalanced labels: weighted loss, balanced sampler, or none
    lr_schedule: str = "constant"        # or "cosine" (decay to lr_min_factor * lr over the epochs)
    lr_min_factor: float = 0.1
    seed: int = 0
    threads: int = 2
    device: str = "cpu"
    precision: str = "auto"              # cuda: bf16 where supported, else fp16 + GradScaler; fp32 always on cpu
    eval_batch_size: int = 16
    export: bool = True
    bundle_prefix: str = "mer"

    def variant(self) -> Variant:
        return Variant(tuple(self.modalities), self.layer_adapter, self.multimodal_fusion)

    def head_config(self, labels: tuple[str, ...]) -> HeadConfig:
        return HeadConfig(labels=tuple(labels), d_model=self.head_d_model, num_heads=self.head_heads, ffn_dim=self.head_ffn,
                          adapter_activation=self.adapter_activation, dropout=self.dropout,
                          attention_dropout=self.attention_dropout, variant=self.variant())

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["modalities"] = list(self.modalities)
        d["folds"] = list(self.folds) if self.folds is not None else None
        d["labels"] = list(self.labels) if self.labels is not None else None
        return d

    # what must not change when a fold resumes from a checkpoint
    RESUME_KEYS = ("wavlm", "roberta", "whisper", "transcripts", "modalities", "layer_adapter", "multimodal_fusion",
                   "head_d_model", "head_heads", "head_ffn", "adapter_activation", "dropout", "attention_dropout",
                   "batch_size", "lr", "encoder_lr", "weight_decay", "freeze_wavlm_cnn", "max_seconds",
                   "max_text_tokens", "seed", "labels", "fold_scheme", "k", "validation", "patience",
                   "balance", "lr_schedule", "lr_min_factor", "precision")

    def __post_init__(self) -> None:
        if (self.corpus is None) == (self.manifest is None):
            raise ValueError("give either manifest (a labelled-audio manifest) or corpus (IEMOCAP layout), not "
                             f"{'both' if self.corpus else 'neither'}")
        choices = {"transcripts": ("asr", "reference"), "balance": BALANCE, "precision": PRECISIONS,
                   "fold_scheme": FOLD_SCHEMES, "lr_schedule": ("constant", "cosine")}
        for name, allowed in choices.items():
            if getattr(self, name) not in allowed:
                raise ValueError(f"{name}: {getattr(self, name)!r}; use one of {list(allowed)}")
        if self.folds is not None:
            self.folds = tuple(str(f) for f in self.folds)
        if self.labels is not None:
            self.labels = tuple(self.labels)
        if not 0.0 <= self.validation < 1.0 or (self.patience is not None and self.patience < 1):
            raise ValueError(f"validation: {self.validation}, patience: {self.patience}; need 0 <= validation < 1 "
                             "and patience >= 1")
        if self.fold_scheme == "kfold" and self.k < 2:
            raise ValueError(f"k: {self.k}; grouped k folds need k >= 2")

    @property
    def data(self) -> str:
        return str(self.manifest or self.corpus)


# ----------------------------------------------------------------------------------------------
# Encoders (loaded by hub.py: hub ids, local folders or random presets)


def _fingerprint(module: nn.Module, extra: str) -> str:
    h = hashlib.sha256(extra.encode())
    for name, t in sorted(module.state_dict().items()):
        h.update(name.encode())
        h.update(t.detach().cpu().contiguous().numpy().tobytes())
    return h.hexdigest()[:16]


# ----------------------------------------------------------------------------------------------
# The data: labelled utterances from a manifest (or the IEMOCAP layout)


@dataclass(frozen=True)
class Sample:
    """One labelled utterance as training sees it: a manifest row (``dataset.Item``) with an id."""

    id: str                     # unique in the run: names its cache files and its predictions.jsonl row
    item: Item
    where: str = ""             # "manifest.csv:7", for messages

    audio = property(lambda self: self.item.audio)
    label = property(lambda self: self.item.label)
    group = property(lambda self: self.item.group)
    transcript = property(lambda self: self.item.transcript)
    start = property(lambda self: self.item.start)
    end = property(lambda self: self.item.end)
    split = property(lambda self: self.item.split)
    line = property(lambda self: self.item.line)

    def load(self, sample_rate: int = 16000) -> np.ndarray:
        return self.item.load(sample_rate)


def samples_from_items(items: list[Item], root: Path | None, source: str) -> list[Sample]:
    """Manifest items as samples; the id is the audio path relative to the manifest's folder (plus
    the cut, when rows share a file), made unique with the row's line if needed."""
    out, seen = [], set()
    for it in items:
        audio = Path(it.audio)
        try:
            base = audio.relative_to(root).with_suffix("").as_posix() if root else audio.with_suffix("").as_posix()
        except ValueError:
            base = audio.with_suffix("").as_posix()
        if it.start is not None or it.end is not None:
            base += f"@{it.start or 0:g}-{'' if it.end is None else f'{it.end:g}'}"
        uid = base if base not in seen else f"{base}#line{it.line}"
        seen.add(uid)
        out.append(Sample(uid, it, f"{source}:{it.line}"))
    return out


def samples_from_iemocap(corpus: str | Path) -> list[Sample]:
    """The IEMOCAP layout through its importer (``import-dataset iemocap``: the paper's four labels,
    group = session). ``--corpus`` keeps the fold names it always had, the session numbers ("1".."5":
    folders fold1..fold5, ``--fold 5``), and the utterance ids as sample ids."""
    from .importers import import_iemocap
    return [Sample(it.audio.stem, replace(it, group=it.group.removeprefix("Session")), f"{it.audio.stem} ({it.audio})")
            for it in import_iemocap(corpus).items]


def load_samples(cfg: TrainConfig) -> list[Sample]:
    if cfg.manifest:
        ds = read_manifest(cfg.manifest)
        return samples_from_items(ds.items, Path(ds.path).resolve().parent, Path(ds.path).name)
    return samples_from_iemocap(cfg.corpus)


def resolve_labels(samples: list[Sample], labels: tuple[str, ...] | None) -> tuple[str, ...]:
    """The label order of the head and bundle: ``labels`` if given (every sample's label must be one of
    them), else the distinct labels sorted (the manifest contract)."""
    present = sorted({s.label for s in samples})
    if labels is None:
        if len(present) < 2:
            raise ValueError(f"labels: the data holds {present}; training needs at least 2 labels")
        return tuple(present)
    stray = [f"{s.where}: label: {s.label!r} is not in --labels {list(labels)}" for s in samples
             if s.label not in labels]
    if stray:
        raise ManifestError(stray)
    return tuple(labels)


def check_transcripts(samples: list[Sample]) -> None:
    """--transcripts reference needs every row's transcript: name the rows without one."""
    missing = [f"{s.where}: transcript: missing (--transcripts reference needs one in every row; or use "
               "--transcripts asr)" for s in samples if not s.transcript]
    if missing:
        raise ManifestError(missing)


# ----------------------------------------------------------------------------------------------
# Folds


def make_folds(cfg: TrainConfig, samples: list[Sample]) -> list[Fold]:
    """The folds of ``cfg.fold_scheme`` (``folds.py``), the chosen ones only (``cfg.folds``); a grouped
    k-fold's "fold<i>" is named "<i>" (its folder is fold<i>, as a session's is)."""
    if cfg.fold_scheme == "groups":
        return leave_one_group_out(samples, list(cfg.folds) if cfg.folds else None, validation=cfg.validation,
                                   seed=cfg.seed)
    if cfg.fold_scheme == "split":
        chosen = split_column(samples, validation=cfg.validation, seed=cfg.seed)
    else:
        chosen = [replace(f, name=f.name.removeprefix("fold"))
                  for f in grouped_k_fold(samples, cfg.k, cfg.seed, validation=cfg.validation)]
    if cfg.folds is not None:
        names = [f.name for f in chosen]
        unknown = [f for f in cfg.folds if f not in names]
        if unknown:
            raise ValueError(f"fold {unknown}: not a fold of scheme {cfg.fold_scheme!r}; folds: {names}")
        chosen = [f for f in chosen if f.name in cfg.folds]
    return chosen


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
    def _stamp(u: Sample) -> list:
        st = u.audio.stat()
        return [str(u.audio), st.st_size, st.st_mtime_ns, u.start, u.end]

    def _file(self, u: Sample) -> Path:
        # ids may hold "/" (paths of a manifest): the file is named by a hash of the id
        return self.dir / f"{hashlib.sha1(u.id.encode()).hexdigest()[:20]}.npy"

    def _fresh(self, u: Sample) -> bool:
        e = self.index.get(u.id)
        return e is not None and e["stamp"] == self._stamp(u) and self._file(u).is_file()

    def fill(self, utts: list[Sample], batch_size: int = 16, decode: bool = True) -> None:
        todo = [u for u in utts if not self._fresh(u)]
        if not todo:
            return
        asr, fe = self.asr, self.asr.feature_extractor
        model = asr.model.to(self.device).eval()
        hop = fe.hop_length * 2
        bar = progress_bar(total=len(todo), desc="whisper (frozen): context + transcripts", unit="utt")
        for i in range(0, len(todo), batch_size):
            chunk = todo[i:i + batch_size]
            waves = [u.load(fe.sampling_rate) for u in chunk]
            feats = fe(waves, sampling_rate=fe.sampling_rate, return_tensors="pt", padding="max_length",
                       truncation=True)["input_features"].to(self.device)
            with torch.no_grad():
                states = model.model.encoder(feats).last_hidden_state
                tokens = hf_generate(model, feats, asr.decoding) if decode else [[] for _ in chunk]
            for u, w, s, t in zip(chunk, waves, states, tokens):
                n = context_frames(len(w), hop, s.shape[0])
                np.save(self._file(u), s[:n].float().cpu().numpy().astype(np.float16))
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

    def context(self, u: Sample) -> np.ndarray:
        return np.load(self._file(u)).astype(np.float32)

    def transcript(self, u: Sample) -> str:
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
    utt: Sample
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
            waves = [e.utt.load(self.rate) for e in examples]
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


@dataclass(frozen=True)
class Precision:
    """How a step runs: autocast dtype (None: fp32) and whether a GradScaler guards fp16 gradients."""

    name: str                    # "bf16", "fp16" or "fp32"
    autocast: torch.dtype | None
    scaler: bool


def select_precision(device: str, precision: str = "auto") -> Precision:
    """cpu: fp32 (autocast on the CPU is slower than fp32 for these models and bf16 needs hardware
    support to pay off). cuda: ``auto`` is bf16 where ``torch.cuda.is_bf16_supported()`` (no scaler
    needed: bf16 has fp32's range), else fp16 with a GradScaler; ``fp32`` turns mixed precision off."""
    if precision not in PRECISIONS:
        raise ValueError(f"precision: {precision!r}; use one of {list(PRECISIONS)}")
    kind = torch.device(device).type
    if kind == "cuda":
        if not torch.cuda.is_available():
            raise ValueError(f"device: {device!r}, but torch.cuda.is_available() is False (no GPU, or a CPU-only "
                             "torch); use --device cpu")
        if precision == "auto":
            precision = "bf16" if torch.cuda.is_bf16_supported() else "fp16"
        if precision == "bf16" and not torch.cuda.is_bf16_supported():
            raise ValueError("precision: 'bf16', but this GPU does not support bfloat16; use fp16 or fp32")
        return {"bf16": Precision("bf16", torch.bfloat16, False), "fp16": Precision("fp16", torch.float16, True),
                "fp32": Precision("fp32", None, False)}[precision]
    if precision in ("bf16", "fp16"):
        raise ValueError(f"precision: {precision!r} is for --device cuda; on {device!r} training runs in fp32")
    return Precision("fp32", None, False)


def _autocast(device: str, prec: Precision):
    import contextlib
    if prec.autocast is None:
        return contextlib.nullcontext()
    return torch.autocast(device_type=torch.device(device).type, dtype=prec.autocast)


@dataclass
class FoldResult:
    session: str                       # the fold's name (test group, kfold number or "split")
    metrics: dict[str, Any]
    seconds: float
    bundle: str | None
    parts: BundleParts | None = None   # the trained model (None when the fold was finished earlier)


def _predict(model: Recipe, batcher: Batcher, examples: list[Example], batch_size: int, device: str,
             num_labels: int, prec: Precision = Precision("fp32", None, False)) -> np.ndarray:
    model.eval()
    probs = []
    with torch.no_grad():
        for i in range(0, len(examples), batch_size):
            with _autocast(device, prec):
                _, p = model(batcher(examples[i:i + batch_size], device))
            probs.append(p.float().cpu().numpy())
    return np.concatenate(probs) if probs else np.zeros((0, num_labels), np.float32)


def class_weights(labels: list[int], num_labels: int) -> torch.Tensor:
    """scikit-learn's "balanced" weights, n / (k * count): each label weighs the same in the loss
    (what UAR, the target, counts). A label absent from the training side gets weight 0."""
    counts = np.bincount(labels, minlength=num_labels).astype(np.float64)
    w = np.divide(len(labels), num_labels * counts, out=np.zeros(num_labels), where=counts > 0)
    return torch.tensor(w, dtype=torch.float32)


def epoch_order(labels: list[int], balance: str, seed: int, epoch: int) -> np.ndarray:
    """The epoch's sample order: a permutation, or with the balanced sampler as many draws (with
    replacement) with every label equally likely. Seeded by (seed, epoch): a resumed fold goes on
    with the same orders."""
    rng = np.random.default_rng([seed, epoch])
    if balance != "sampler":
        return rng.permutation(len(labels))
    counts = np.bincount(labels)
    p = 1.0 / counts[labels]
    return rng.choice(len(labels), size=len(labels), replace=True, p=p / p.sum())


def _lr_factor(cfg: TrainConfig, epoch: int) -> float:
    if cfg.lr_schedule == "constant" or cfg.epochs <= 1:
        return 1.0
    t = epoch / (cfg.epochs - 1)   # cosine from 1 (first epoch) to lr_min_factor (last)
    return cfg.lr_min_factor + (1 - cfg.lr_min_factor) * 0.5 * (1 + math.cos(math.pi * t))


def _fold_seed(seed: int, fold: Fold) -> int:
    """seed * 1000 + the fold's number (IEMOCAP's sessions keep the seeds they always had), or of a
    named fold a hash of its test groups: a fold of the split column holding out one speaker trains
    exactly as leave-one-group-out's fold of that speaker with the same validation rows."""
    if fold.name.isdigit():
        return seed * 1000 + int(fold.name)
    key = "+".join(sorted({str(s.group) for s in fold.test}, key=natural_key)) or fold.name
    return seed * 1000 + int(hashlib.sha256(key.encode()).hexdigest()[:6], 16) % 1000


def _fold_dir(out: Path, name: str) -> Path:
    safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in name)
    return out / f"fold{safe}"


def train_fold(cfg: TrainConfig, fold: Fold, labels: tuple[str, ...], asr: Asr | None,
               cache: WhisperCache | None) -> FoldResult:
    name, train, test, val = fold.name, fold.train, fold.test, fold.validation
    fold_dir = _fold_dir(Path(cfg.out), name)
    fold_dir.mkdir(parents=True, exist_ok=True)
    done = fold_dir / "metrics.json"
    if done.is_file():
        m = json.loads(done.read_text())
        log.info("fold %s: already finished (%s), UAR %.4f", name, done, m["metrics"]["uar"])
        return FoldResult(name, m["metrics"], m["seconds"], m.get("bundle"))

    v = cfg.variant()
    prec = select_precision(cfg.device, cfg.precision)
    seed = _fold_seed(cfg.seed, fold)
    _set_seed(seed)
    head_cfg = cfg.head_config(labels)
    wavlm, normalize = load_wavlm(cfg.wavlm, seed) if v.has("speech") else (None, False)
    # the text tokenizer (random presets) learns from the reference transcripts where the data has them
    roberta, text_tok = (load_roberta(cfg.roberta, seed + 1, [u.transcript or _text(cfg, cache, u) for u in train],
                                      cfg.max_text_tokens) if v.has("text") else (None, None))
    if wavlm is not None and cfg.freeze_wavlm_cnn:
        wavlm.freeze_feature_encoder()
    torch.manual_seed(seed + 2)
    head = build_head(head_cfg, wavlm, roberta, asr.model.config.d_model if v.has("context") else None)
    model = Recipe(head, wavlm, roberta, normalize).to(cfg.device)

    label_index = {lab: i for i, lab in enumerate(labels)}

    def examples(utts: list[Sample]) -> list[Example]:
        out = []
        for u in utts:
            e = Example(u, label_index[u.label])
            if v.has("text"):
                e.text_ids = text_tok.encode(_text(cfg, cache, u)).ids
            out.append(e)
        return out

    train_ex, test_ex, val_ex = examples(train), examples(test), examples(val)
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
    base_lrs = [g["lr"] for g in opt.param_groups]
    scaler = torch.amp.GradScaler("cuda") if prec.scaler else None

    train_labels = [e.label for e in train_ex]
    weights = class_weights(train_labels, len(labels)) if cfg.balance == "weights" else None
    loss_fn = nn.CrossEntropyLoss(weight=weights.to(cfg.device) if weights is not None else None)  # eq. (10)

    ckpt_path = fold_dir / "checkpoint.pt"
    start_epoch, history, spent = 0, [], 0.0
    best: dict[str, Any] | None = None     # {"epoch", "uar", "model"}: the best validation epoch so far
    if ckpt_path.is_file():
        ck = torch.load(str(ckpt_path), map_location="cpu", weights_only=False)
        old = ck["config"]
        changed = [k for k in TrainConfig.RESUME_KEYS if old.get(k) != cfg.to_dict().get(k)]
        if changed:
            raise ValueError(f"{ckpt_path}: was written with different settings ({', '.join(changed)}); "
                             "use another --out, or --restart to discard it")
        model.load_state_dict(ck["model"])
        opt.load_state_dict(ck["optimizer"])
        start_epoch, history, spent, best = ck["epoch"], ck["history"], ck["seconds"], ck.get("best")
        torch.set_rng_state(ck["rng"])
        log.info("fold %s: resuming after epoch %d", name, start_epoch)

    steps = math.ceil(len(train_ex) / cfg.batch_size)
    stopped = None
    for epoch in range(start_epoch, cfg.epochs):
        # early stopping: `patience` epochs done since the best validation epoch (checked here, so a
        # resumed fold that had reached it stops too)
        if best is not None and cfg.patience is not None and epoch - best["epoch"] >= cfg.patience:
            stopped = epoch
            break
        t0 = time.time()
        model.train()
        for g, lr in zip(opt.param_groups, base_lrs):
            g["lr"] = lr * _lr_factor(cfg, epoch)
        order = epoch_order(train_labels, cfg.balance, seed, epoch)
        total, correct = 0.0, 0
        bar = progress_bar(range(steps), desc=f"fold {name} epoch {epoch + 1}/{cfg.epochs}", unit="batch",
                           leave=False)
        for s in bar:
            batch = batcher([train_ex[i] for i in order[s * cfg.batch_size:(s + 1) * cfg.batch_size]], cfg.device)
            with _autocast(cfg.device, prec):
                logits, _ = model(batch)
                loss = loss_fn(logits.float(), batch["labels"])
            opt.zero_grad()
            if scaler is not None:
                scaler.scale(loss).backward()
                scaler.step(opt)
                scaler.update()
            else:
                loss.backward()
                opt.step()
            total += loss.item() * len(batch["labels"])
            correct += int((logits.argmax(-1) == batch["labels"]).sum())
            bar.set_postfix(loss=f"{loss.item():.3f}")
        bar.close()
        rec = {"epoch": epoch + 1, "loss": total / len(train_ex), "train_accuracy": correct / len(train_ex)}
        if val_ex:
            p = _predict(model, eval_batcher, val_ex, cfg.eval_batch_size, cfg.device, len(labels), prec)
            rec["validation_uar"] = evaluate([e.label for e in val_ex], p.argmax(-1).tolist(), labels)["uar"]
            # ties go to the later epoch: more training at the same validation score
            if best is None or rec["validation_uar"] >= best["uar"]:
                best = {"epoch": epoch + 1, "uar": rec["validation_uar"],
                        "model": {k: t.detach().cpu().clone() for k, t in model.state_dict().items()}}
        spent += time.time() - t0
        history.append(rec)
        log.info("fold %s epoch %d/%d: loss %.4f, train accuracy %.3f%s (%.1f s)", name, epoch + 1, cfg.epochs,
                 rec["loss"], rec["train_accuracy"],
                 f", validation UAR {rec['validation_uar']:.4f}" if val_ex else "", time.time() - t0)
        _atomic_save({"epoch": epoch + 1, "model": model.state_dict(), "optimizer": opt.state_dict(),
                      "history": history, "seconds": spent, "rng": torch.get_rng_state(), "config": cfg.to_dict(),
                      "best": best}, ckpt_path)
    chosen = len(history)
    if best is not None:
        model.load_state_dict(best["model"])
        chosen = best["epoch"]
        log.info("fold %s: epoch %d chosen on the validation set (UAR %.4f)%s", name, chosen, best["uar"],
                 f", stopped after epoch {stopped}" if stopped else "")

    probs = _predict(model, eval_batcher, test_ex, cfg.eval_batch_size, cfg.device, len(labels), prec)
    preds = probs.argmax(-1)
    metrics = evaluate([e.label for e in test_ex], preds.tolist(), labels)
    model.cpu().eval()
    with open(fold_dir / "predictions.jsonl", "w") as f:
        for e, p in zip(test_ex, probs):
            rec = {"id": e.utt.id, "audio": str(e.utt.audio), "start": e.utt.start, "end": e.utt.end,
                   "group": e.utt.group, "label": labels[e.label], "predicted": labels[int(p.argmax())],
                   "probabilities": [round(float(x), 6) for x in p]}
            if v.has("text"):
                rec["transcript"] = _text(cfg, cache, e.utt)
            f.write(json.dumps(rec) + "\n")

    parts = BundleParts(head_config=head_cfg, head=model.head.eval(), wavlm=wavlm.eval() if wavlm else None,
                        normalize_waveform=normalize, roberta=roberta.eval() if roberta else None,
                        text_tokenizer=text_tok, max_text_tokens=cfg.max_text_tokens,
                        sources={"wavlm": cfg.wavlm, "roberta": cfg.roberta, "whisper": cfg.whisper})
    if asr is not None:
        parts.whisper, parts.feature_extractor = asr.model.cpu().eval(), asr.feature_extractor
        parts.asr_tokenizer, parts.decoding = asr.tokenizer, asr.decoding
    held_out = sorted({u.group for u in test if u.group is not None}, key=natural_key)
    save_head_checkpoint(fold_dir / "head.pt", parts, extra={"test_session": name, "test_groups": held_out,
                                                              "metrics": metrics, "train_config": cfg.to_dict()})
    if text_tok is not None:
        text_tok.save(str(fold_dir / "text_tokenizer.json"))
    bundle = None
    if cfg.export:
        bundle_dir = fold_dir / "bundle"
        what = f"test session {name}" if cfg.corpus else f"fold {name} (test groups {', '.join(held_out)})"
        export_bundle(parts, bundle_dir, bundle_id=f"{cfg.bundle_prefix}-fold{name}",
                      description=f"trained by `python -m mer_train train` on {cfg.data}, {what} held out "
                                  f"(UAR {metrics['uar']:.4f}, macro-F1 {metrics['macro_f1']:.4f})",
                      overwrite=True)
        bundle = str(bundle_dir)
    done.write_text(json.dumps({"session": name, "fold": name, "test_groups": held_out, "metrics": metrics,
                                "seconds": round(spent, 1), "history": history, "chosen_epoch": chosen,
                                "stopped_after": stopped, "precision": prec.name, "bundle": bundle,
                                "n_train": len(train_ex), "n_validation": len(val_ex), "n_test": len(test_ex)},
                               indent=1) + "\n")
    ckpt_path.unlink(missing_ok=True)  # the fold is done: head.pt and the bundle hold the weights
    log.info("fold %s: UAR %.4f, macro-F1 %.4f, accuracy %.4f (%d test utterances, %.0f s training)", name,
             metrics["uar"], metrics["macro_f1"], metrics["accuracy"], metrics["n"], spent)
    return FoldResult(name, metrics, spent, bundle, parts)


def _text(cfg: TrainConfig, cache: WhisperCache | None, u: Sample) -> str:
    return (u.transcript or "") if cfg.transcripts == "reference" else cache.transcript(u)


# ----------------------------------------------------------------------------------------------
# Cross-validation


def run(cfg: TrainConfig) -> dict[str, Any]:
    """The chosen folds; writes results.json/results.md, returns the summary."""
    return _run(cfg)[0]


def run_folds(cfg: TrainConfig) -> tuple[dict[str, Any], list[FoldResult]]:
    """``run`` for callers that need the trained models too (the demo bundle)."""
    return _run(cfg)


def _run(cfg: TrainConfig, samples: list[Sample] | None = None) -> tuple[dict[str, Any], list[FoldResult]]:
    torch.set_num_threads(cfg.threads)
    select_precision(cfg.device, cfg.precision)   # a bad device or precision fails before any work
    if cfg.device == "cpu":
        retain_freed_memory()
    out = Path(cfg.out)
    samples = load_samples(cfg) if samples is None else samples
    if cfg.corpus and cfg.labels is None:
        from .iemocap import LABELS   # the paper's order for IEMOCAP (neutral, happy, sad, angry)
        labels = resolve_labels(samples, LABELS)
    else:
        labels = resolve_labels(samples, cfg.labels)
    v = cfg.variant()
    if v.has("text") and cfg.transcripts == "reference":
        check_transcripts(samples)
    folds = make_folds(cfg, samples)
    out.mkdir(parents=True, exist_ok=True)
    asr = cache = None
    if v.needs_asr:
        asr = load_asr(cfg.whisper, cfg.max_new_tokens, cfg.seed)
        for p in asr.model.parameters():
            p.requires_grad_(False)   # frozen (paper III-C)
        cache = WhisperCache(out / "cache", asr, cfg.device)
        needed = sorted({u.id: u for f in folds for u in f.train + f.validation + f.test}.values(),
                        key=lambda u: u.id)
        cache.fill(needed, batch_size=cfg.eval_batch_size, decode=v.has("text") and cfg.transcripts == "asr")
    (out / "train_config.json").write_text(json.dumps(cfg.to_dict(), indent=1) + "\n")
    results = [train_fold(cfg, f, labels, asr, cache) for f in folds]
    summary = summarize(results, labels)
    (out / "results.json").write_text(json.dumps(summary, indent=1) + "\n")
    (out / "results.md").write_text(results_table(summary))
    return summary, results


def summarize(results: list[FoldResult], labels: tuple[str, ...]) -> dict[str, Any]:
    keys = ("uar", "macro_f1", "accuracy")
    per = {str(r.session): r.metrics for r in results}
    mean = {k: float(np.mean([r.metrics[k] for r in results])) for k in keys}
    std = {k: float(np.std([r.metrics[k] for r in results])) for k in keys}
    cm = np.sum([np.array(r.metrics["confusion"]) for r in results], axis=0)
    return {"labels": list(labels), "folds": per, "mean": mean, "std": std, "confusion_sum": cm.tolist(),
            "train_seconds": {str(r.session): round(r.seconds, 1) for r in results},
            "bundles": {str(r.session): r.bundle for r in results}}


def results_table(summary: dict[str, Any]) -> str:
    lines = ["| fold (test) | UAR | macro-F1 | accuracy | n |", "|---|---|---|---|---|"]
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
    if "labels" in d:
        d["labels"] = tuple(x.strip() for x in d["labels"].split(",")) if isinstance(d["labels"], str) \
            else tuple(d["labels"])
    if "folds" in d:
        d["folds"] = tuple(str(f) for f in d["folds"])
    return TrainConfig(**d)

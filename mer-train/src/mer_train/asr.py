"""A small Whisper-architecture ASR trained from scratch on an IEMOCAP-layout corpus.

Why: the hub (and so openai/whisper-small.en) is out of reach here, yet the demo bundle needs an ASR
whose transcripts are real words. This trains ``WhisperForConditionalGeneration`` (the real
architecture, small config, own byte-level BPE vocabulary) on the corpus's reference
transcriptions and saves it as a Hugging Face checkpoint folder: model, generation config, feature
extractor and tokenizer. That folder is then used exactly like a hub id (``--whisper <folder>``),
through the same loading and export code real checkpoints go through.

Targets follow Whisper's layout without timestamps: ``<|startoftranscript|><|notimestamps|> text
<|endoftext|>``; the loss (cross-entropy, label smoothing) covers the text, the end token and the
token after ``<|startoftranscript|>``: ``<|notimestamps|>`` for speech, ``<|nospeech|>`` for the
non-speech clips (nonspeech.py; their transcript is empty: ``<|notimestamps|>`` is followed by the
end token). Whisper's no-speech probability is read at exactly that position, so the model learns
it here. Speech is also seen mixed into noise at 5-20 dB SNR and quiet (about -30 dBFS), with the
transcript as target (issue 11).
"""

from __future__ import annotations

import json
import logging
import math
import re
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Iterable, Iterator

import numpy as np
import torch
from torch import nn

from .iemocap import Utterance, load_iemocap
from .memory import retain_freed_memory
from .nonspeech import mix_at_snr, nonspeech_clips, rng_for, set_level
from .progress import progress_bar
from .tokenization import WHISPER_SPECIALS, decoding_for_trained_tokenizer, train_asr_tokenizer

log = logging.getLogger(__name__)

# Every IEMOCAP emotion code: the ASR learns from all utterances, whatever their label.
ALL_CODES = {c: c for c in ("neu", "hap", "exc", "sad", "ang", "fru", "sur", "fea", "dis", "oth", "xxx")}


@dataclass(frozen=True)
class AsrConfig:
    d_model: int = 96
    encoder_layers: int = 2
    decoder_layers: int = 2
    heads: int = 4
    ffn_dim: int = 384
    chunk_seconds: int = 8            # the encoder's window (Whisper: 30 s); every utterance must fit
    vocab_size: int = 400             # including Whisper's special tokens
    max_target_positions: int = 64
    epochs: int = 25
    batch_size: int = 32
    lr: float = 2e-3
    warmup_steps: int = 200
    label_smoothing: float = 0.1
    weight_decay: float = 0.01
    spec_augment: bool = True         # one frequency and two time masks per example (training only)
    ctc_weight: float = 0.0           # auxiliary CTC loss on the encoder (training only, not exported)
    max_new_tokens: int = 48
    eval_every: int = 5               # epochs between progress WERs on (up to) 32 test utterances
    seed: int = 0
    threads: int = 2
    # issue 11: non-speech clips with the no-speech token as target, and speech made harder
    nonspeech_clips: int = 288        # clips of every nonspeech.KINDS, 0.5-8 s, target <|nospeech|>
    noisy_fraction: float = 0.2       # share of the speech utterances added again, mixed into noise
    snr_db: tuple[float, float] = (5.0, 20.0)
    quiet_fraction: float = 0.06      # share added again at quiet_dbfs +-3 dB
    quiet_dbfs: float = -30.0


def _normalise(text: str) -> list[str]:
    """Words for WER: lower case, punctuation removed (apostrophes kept)."""
    return re.sub(r"[^a-z0-9' ]+", " ", text.lower()).split()


def word_errors(ref: str, hyp: str) -> tuple[int, int]:
    """(edit distance in words, reference words). Written here because the classic package for
    it (jiwer) is not among the pinned dependencies; it is the textbook Levenshtein recursion."""
    r, h = _normalise(ref), _normalise(hyp)
    prev = list(range(len(h) + 1))
    for i in range(1, len(r) + 1):
        cur = [i] + [0] * len(h)
        for j in range(1, len(h) + 1):
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (r[i - 1] != h[j - 1]))
        prev = cur
    return prev[-1], len(r)


def wer(refs: list[str], hyps: list[str]) -> float:
    errors = words = 0
    for r, h in zip(refs, hyps):
        e, n = word_errors(r, h)
        errors, words = errors + e, words + n
    return errors / max(words, 1)


def _features(fe: Any, waves: Iterable[tuple[str, np.ndarray]]) -> tuple[torch.Tensor, torch.Tensor]:
    """Whisper log-mel of every (name, waveform) (float16, padded to the window) and its sample count."""
    out, lengths, chunk = [], [], []

    def flush() -> None:
        feats = fe([w for _, w in chunk], sampling_rate=fe.sampling_rate, return_tensors="pt", padding="max_length")
        out.append(feats["input_features"].to(torch.float16))
        chunk.clear()

    for name, w in waves:
        if len(w) > fe.n_samples:
            raise ValueError(f"{name}: {len(w) / fe.sampling_rate:.2f} s does not fit the ASR window of "
                             f"{fe.chunk_length} s (AsrConfig.chunk_seconds)")
        lengths.append(len(w))
        chunk.append((name, w))
        if len(chunk) == 64:
            flush()
    if chunk:
        flush()
    return torch.cat(out), torch.tensor(lengths, dtype=torch.long)


def _utterance_waves(utts: list[Utterance], sr: int) -> Iterator[tuple[str, np.ndarray]]:
    from .train import read_wave

    for u in utts:
        yield str(u.wav), read_wave(u.wav, sr)


@dataclass(frozen=True)
class TrainingItem:
    """One ASR training example: an utterance as recorded, mixed into noise or made quiet, or a
    non-speech clip (``transcript`` None: the target is the no-speech token)."""

    name: str
    transcript: str | None
    utterance: Utterance | None = None
    snr_db: float | None = None       # mixed into noise at this SNR
    dbfs: float | None = None         # scaled to this RMS level
    clip: np.ndarray | None = None    # the non-speech audio


def training_items(train: list[Utterance], cfg: AsrConfig, sr: int = 16000) -> list[TrainingItem]:
    """Every utterance as recorded, plus seeded shares of them again in noise and quiet, plus the
    non-speech clips; deterministic given ``cfg.seed``."""
    items = [TrainingItem(str(u.wav), u.transcript, u) for u in train]
    rng = rng_for(cfg.seed, "asr-train-speech")
    n_noisy, n_quiet = round(cfg.noisy_fraction * len(train)), round(cfg.quiet_fraction * len(train))
    for i in rng.permutation(len(train))[:n_noisy]:
        u = train[int(i)]
        items.append(TrainingItem(f"{u.wav}+noise", u.transcript, u, snr_db=float(rng.uniform(*cfg.snr_db))))
    for i in rng.permutation(len(train))[:n_quiet]:
        u = train[int(i)]
        items.append(TrainingItem(f"{u.wav}+quiet", u.transcript, u, dbfs=float(cfg.quiet_dbfs + rng.uniform(-3, 3))))
    for c in nonspeech_clips(cfg.nonspeech_clips, cfg.seed, "asr-train-nonspeech", sr,
                             max_seconds=float(cfg.chunk_seconds)):
        items.append(TrainingItem(c.name, None, clip=c.audio))
    return items


def _item_waves(items: list[TrainingItem], cfg: AsrConfig, sr: int) -> Iterator[tuple[str, np.ndarray]]:
    from .train import read_wave

    rng = rng_for(cfg.seed, "asr-train-mix")
    for it in items:
        if it.clip is not None:
            yield it.name, it.clip
            continue
        w = read_wave(it.utterance.wav, sr)
        if it.snr_db is not None:
            w = mix_at_snr(w, rng, it.snr_db, sr=sr)
        elif it.dbfs is not None:
            w = set_level(w, it.dbfs)
        yield it.name, w


def _augment(mel: torch.Tensor, g: torch.Generator) -> torch.Tensor:
    """SpecAugment-style masks, filled with the batch item's minimum (Whisper's silence level)."""
    mel = mel.clone()
    b, f, t = mel.shape
    for i in range(b):
        floor = mel[i].min()
        w = int(torch.randint(0, f // 8 + 1, (1,), generator=g))
        f0 = int(torch.randint(0, f - w + 1, (1,), generator=g))
        mel[i, f0:f0 + w] = floor
        for _ in range(2):
            w = int(torch.randint(0, t // 40 + 1, (1,), generator=g))
            t0 = int(torch.randint(0, t - w + 1, (1,), generator=g))
            mel[i, :, t0:t0 + w] = floor
    return mel


def _targets(tok: Any, texts: list[str | None], start: list[int], end: int, no_speech: int,
             max_len: int) -> tuple[torch.Tensor, torch.Tensor]:
    """decoder inputs [B, S] (start sequence + text, padded with the end token) and labels [B, S]
    (next token; -100 where no loss: the padding). The start sequence's own next tokens are
    labelled too (Whisper learns them): after <|startoftranscript|> comes <|notimestamps|> for
    speech and <|nospeech|> for a non-speech item (text None), whose transcript is empty."""
    seqs = []
    for t in texts:
        ids = tok.encode(t).ids if t is not None else []
        if len(start) + len(ids) + 1 > max_len:
            raise ValueError(f"transcript too long for max_target_positions={max_len}: {t!r}")
        seqs.append(ids)
    s = len(start) + max(len(x) for x in seqs)
    inputs = torch.full((len(seqs), s), end, dtype=torch.long)
    labels = torch.full((len(seqs), s), -100, dtype=torch.long)
    for i, (t, ids) in enumerate(zip(texts, seqs)):
        row = start + ids
        inputs[i, :len(row)] = torch.tensor(row)
        nxt = start[1:] + ids + [end]
        if t is None:
            nxt[0] = no_speech
        labels[i, :len(nxt)] = torch.tensor(nxt)
    return inputs, labels


def _no_speech_probs(model: Any, mel: torch.Tensor, sot: int, no_speech: int) -> np.ndarray:
    """Whisper's no-speech probability: softmax over the vocabulary at the start-of-transcript
    position of the first step, at the no-speech token."""
    out = []
    with torch.no_grad():
        for i in range(0, len(mel), 32):
            x = mel[i:i + 32].float()
            logits = model(input_features=x, decoder_input_ids=torch.full((len(x), 1), sot)).logits
            out.append(logits[:, 0].softmax(-1)[:, no_speech].numpy())
    return np.concatenate(out)


def corpus_utterances(corpus: str | Path, sessions: list[int]) -> list[Utterance]:
    """Every utterance of the chosen sessions with a transcription, whatever its emotion code."""
    return [u for u in load_iemocap(corpus, sessions=sessions, label_map=ALL_CODES) if u.transcript]


def train_asr(train: list[Utterance], test: list[Utterance], out: str | Path, cfg: AsrConfig = AsrConfig(),
              progress: bool = True) -> dict[str, Any]:
    """Trains on ``train``'s transcriptions, reports the WER on ``test`` (greedy decoding with the
    saved generation config), writes the checkpoint folder ``out`` and ``out/asr_report.json``."""
    from transformers import (GenerationConfig, PreTrainedTokenizerFast, WhisperConfig, WhisperFeatureExtractor,
                              WhisperForConditionalGeneration)

    from .decoding import hf_generate
    from .tokenization import decoding_from_generation_config

    torch.set_num_threads(cfg.threads)
    retain_freed_memory()
    torch.manual_seed(cfg.seed)
    if not train or not test:
        raise ValueError(f"train_asr: {len(train)} training and {len(test)} test utterances; both must be non-empty")
    tok = train_asr_tokenizer([u.transcript for u in train], cfg.vocab_size)
    dec = decoding_for_trained_tokenizer(tok, cfg.max_new_tokens)
    fe = WhisperFeatureExtractor(feature_size=80, sampling_rate=16000, hop_length=160, chunk_length=cfg.chunk_seconds,
                                 n_fft=400)
    wcfg = WhisperConfig(vocab_size=tok.get_vocab_size(), num_mel_bins=80, d_model=cfg.d_model,
                         encoder_layers=cfg.encoder_layers, decoder_layers=cfg.decoder_layers,
                         encoder_attention_heads=cfg.heads, decoder_attention_heads=cfg.heads,
                         encoder_ffn_dim=cfg.ffn_dim, decoder_ffn_dim=cfg.ffn_dim,
                         max_source_positions=fe.nb_max_frames // 2, max_target_positions=cfg.max_target_positions,
                         decoder_start_token_id=dec.start_sequence[0], eos_token_id=dec.end_token,
                         pad_token_id=dec.end_token, bos_token_id=dec.end_token, dropout=0.1)
    model = WhisperForConditionalGeneration(wcfg)
    ids = {t: tok.token_to_id(t) for t in WHISPER_SPECIALS}
    model.generation_config = GenerationConfig(
        decoder_start_token_id=ids["<|startoftranscript|>"], eos_token_id=ids["<|endoftext|>"],
        pad_token_id=ids["<|endoftext|>"], no_timestamps_token_id=ids["<|notimestamps|>"],
        prev_sot_token_id=ids["<|startofprev|>"], no_speech_token_id=ids["<|nospeech|>"], is_multilingual=False,
        suppress_tokens=[ids[t] for t in ("<|en|>", "<|translate|>", "<|transcribe|>", "<|startoflm|>")],
        begin_suppress_tokens=list(dec.begin_suppress_tokens), max_length=cfg.max_target_positions)

    t0 = time.time()
    log.info("asr: log-mel of %d training and %d test utterances", len(train), len(test))
    items = training_items(train, cfg, fe.sampling_rate)
    log.info("asr: %d training items (%d utterances, %d in noise, %d quiet, %d non-speech)", len(items), len(train),
             sum(i.snr_db is not None for i in items), sum(i.dbfs is not None for i in items),
             sum(i.clip is not None for i in items))
    x_train, n_train = _features(fe, _item_waves(items, cfg, fe.sampling_rate))
    x_test, _ = _features(fe, _utterance_waves(test, fe.sampling_rate))
    start = list(dec.start_sequence)
    dec_in, labels = _targets(tok, [i.transcript for i in items], start, dec.end_token, ids["<|nospeech|>"],
                              cfg.max_target_positions)
    positions = torch.arange(labels.shape[1])
    # encoder frames that belong to each utterance (50 Hz: mel hop x conv stride 2)
    enc_frames = torch.clamp(torch.div(n_train + 2 * fe.hop_length - 1, 2 * fe.hop_length, rounding_mode="floor"),
                             max=fe.nb_max_frames // 2)

    ctc_head = nn.Linear(cfg.d_model, tok.get_vocab_size() + 1) if cfg.ctc_weight > 0 else None  # blank = last
    named = list(model.named_parameters()) + (list(ctc_head.named_parameters()) if ctc_head is not None else [])
    decay = [p for n, p in named if p.ndim >= 2 and "embed_positions" not in n]
    rest = [p for n, p in named if not (p.ndim >= 2 and "embed_positions" not in n)]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": cfg.weight_decay}, {"params": rest, "weight_decay": 0.0}],
                            lr=cfg.lr, betas=(0.9, 0.98))
    steps_per_epoch = math.ceil(len(items) / cfg.batch_size)
    total = steps_per_epoch * cfg.epochs

    def lr_at(step: int) -> float:  # linear warm-up, cosine decay to 5 %
        if step < cfg.warmup_steps:
            return (step + 1) / cfg.warmup_steps
        p = (step - cfg.warmup_steps) / max(1, total - cfg.warmup_steps)
        return 0.05 + 0.95 * 0.5 * (1 + math.cos(math.pi * min(1.0, p)))

    sched = torch.optim.lr_scheduler.LambdaLR(opt, lr_at)
    loss_fn = nn.CrossEntropyLoss(ignore_index=-100, label_smoothing=cfg.label_smoothing)
    g = torch.Generator().manual_seed(cfg.seed)
    history = []
    for epoch in range(cfg.epochs):
        model.train()
        if ctc_head is not None:
            ctc_head.train()
        order = torch.randperm(len(items), generator=g)
        total_loss, n = 0.0, 0
        bar = progress_bar(range(steps_per_epoch), desc=f"asr epoch {epoch + 1}/{cfg.epochs}", unit="batch", leave=False,
                           enabled=None if progress else False)
        for s in bar:
            idx = order[s * cfg.batch_size:(s + 1) * cfg.batch_size]
            mel = x_train[idx].float()
            if cfg.spec_augment:
                mel = _augment(mel, g)
            width = int(((labels[idx] != -100) * positions).max()) + 1
            enc = model.model.encoder(mel).last_hidden_state
            logits = model(encoder_outputs=(enc,), decoder_input_ids=dec_in[idx, :width]).logits
            loss = loss_fn(logits.reshape(-1, logits.shape[-1]), labels[idx, :width].reshape(-1))
            if ctc_head is not None:
                # the text tokens (labels without the end token) against the utterance's own frames
                lab = labels[idx, len(start) - 1:]
                lengths = (lab != -100).sum(1) - 1
                targets = torch.cat([row[row != -100][:-1] for row in lab])
                log_probs = ctc_head(enc).log_softmax(-1).transpose(0, 1)
                ctc = nn.functional.ctc_loss(log_probs, targets, enc_frames[idx], lengths,
                                             blank=ctc_head.out_features - 1, zero_infinity=True)
                loss = (1 - cfg.ctc_weight) * loss + cfg.ctc_weight * ctc
            opt.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_([p for _, p in named], 1.0)
            opt.step()
            sched.step()
            total_loss, n = total_loss + loss.item() * len(idx), n + len(idx)
            bar.set_postfix(loss=f"{loss.item():.3f}")
        bar.close()
        history.append({"epoch": epoch + 1, "loss": round(total_loss / n, 4)})
        if cfg.eval_every and (epoch + 1) % cfg.eval_every == 0 and epoch + 1 < cfg.epochs:
            model.eval()
            probe = hf_generate(model, x_test[:32].float(), dec)
            history[-1]["test_wer_32"] = round(wer([u.transcript for u in test[:32]],
                                                   [tok.decode(t, skip_special_tokens=True) for t in probe]), 4)
        log.info("asr epoch %d/%d: loss %.4f%s (%.0f s so far)", epoch + 1, cfg.epochs, total_loss / n,
                 f", WER {history[-1]['test_wer_32']:.3f} on 32 test utterances" if "test_wer_32" in history[-1] else "",
                 time.time() - t0)
    train_seconds = time.time() - t0
    model.eval()

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(out)
    fe.save_pretrained(out)
    PreTrainedTokenizerFast(tokenizer_object=tok, eos_token="<|endoftext|>", bos_token="<|endoftext|>",
                            unk_token="<|endoftext|>", pad_token="<|endoftext|>").save_pretrained(out)

    # WER with the settings a bundle made from this folder decodes with (export path)
    settings = decoding_from_generation_config(model.generation_config, cfg.max_new_tokens)
    hyps = []
    for i in range(0, len(test), 32):
        for tokens in hf_generate(model, x_test[i:i + 32].float(), settings):
            hyps.append(tok.decode(tokens, skip_special_tokens=True))
    refs = [u.transcript for u in test]
    # a quick look at the no-speech probability (the full evaluation: scripts/eval_nonspeech.py)
    check = nonspeech_clips(40, cfg.seed, "asr-report-nonspeech", fe.sampling_rate, max_seconds=float(cfg.chunk_seconds))
    x_ns, _ = _features(fe, ((c.name, c.audio) for c in check))
    p_speech, p_ns = _no_speech_probs(model, x_test, start[0], ids["<|nospeech|>"]), \
        _no_speech_probs(model, x_ns, start[0], ids["<|nospeech|>"])
    no_speech = {"speech_mean": round(float(p_speech.mean()), 4), "speech_over_0.6": int((p_speech > 0.6).sum()),
                 "nonspeech_mean": round(float(p_ns.mean()), 4), "nonspeech_over_0.6": int((p_ns > 0.6).sum()),
                 "n_speech": len(p_speech), "n_nonspeech": len(p_ns)}
    report = {"config": asdict(cfg), "train_speakers": sorted({u.speaker for u in train}),
              "test_speakers": sorted({u.speaker for u in test}), "n_train": len(train), "n_test": len(test), "test_wer": round(wer(refs, hyps), 4),
              "no_speech_prob": no_speech, "n_items": len(items),
              "train_seconds": round(train_seconds, 1), "history": history,
              "examples": [{"id": u.id, "reference": u.transcript, "hypothesis": h} for u, h in zip(test[:8], hyps[:8])]}
    (out / "asr_report.json").write_text(json.dumps(report, indent=1) + "\n")
    log.info("asr: WER %.4f on %d test utterances, %.0f s training", report["test_wer"], len(test), train_seconds)
    return report

"""Greedy Whisper decoding: the reference (Hugging Face ``generate``) and our loop over the
exported decoder step, which the Java SDK reimplements. Both must give the same tokens, and the
same speech evidence (speech.py: no-speech probability, average log-probability)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np
import torch
from transformers import GenerationConfig
from transformers.generation.utils import GenerationMixin

from .speech import average_logprob, no_speech_probability
from .tokenization import DecodingSettings


@dataclass(frozen=True)
class Decoded:
    tokens: list[int]               # generated, without the start sequence and the end token
    no_speech_prob: float | None    # None: no no-speech token, or a format-1 decoder graph
    avg_logprob: float


def _start(input_features: torch.Tensor, s: DecodingSettings) -> torch.Tensor:
    """The bundle's start sequence as ``decoder_input_ids``, one row per item."""
    return torch.tensor([list(s.start_sequence)] * input_features.shape[0], dtype=torch.long)


def _generation_config(s: DecodingSettings, **extra) -> GenerationConfig:
    """The bundle's greedy decoding as a GenerationConfig, every setting explicit (the model's own
    generation config would otherwise add Whisper's forced and suppressed tokens); ``extra`` adds
    output options (scores) that do not change the tokens."""
    return GenerationConfig(do_sample=False, num_beams=1, max_new_tokens=s.max_new_tokens,
                            eos_token_id=s.end_token, pad_token_id=s.end_token,
                            decoder_start_token_id=s.start_sequence[0],
                            suppress_tokens=list(s.suppress_tokens) or None,
                            begin_suppress_tokens=list(s.begin_suppress_tokens) or None, **extra)


def hf_generate(model, input_features: torch.Tensor, s: DecodingSettings) -> list[list[int]]:
    """Tokens from transformers' own greedy search with the bundle's settings, set explicitly
    (start sequence as decoder_input_ids, suppress/begin-suppress processors, end token). Returns
    the generated tokens per item, without the start sequence and without the end token."""
    start = _start(input_features, s)
    gen = _generation_config(s)
    with torch.no_grad():
        # GenerationMixin.generate, not WhisperGenerationMixin's (which adds language detection,
        # timestamps and its own forced tokens): the plain greedy search the SDK implements.
        out = GenerationMixin.generate(model, input_features=input_features, decoder_input_ids=start,
                                       generation_config=gen)
    seqs = out.sequences if hasattr(out, "sequences") else out
    return [_strip(row[len(s.start_sequence):].tolist(), s.end_token) for row in seqs]


def hf_generate_with_evidence(model, input_features: torch.Tensor, s: DecodingSettings) -> list[Decoded]:
    """``hf_generate`` plus the speech evidence from the Hugging Face model's own logits: the
    no-speech probability from a forward pass over the start sequence (position 0, raw logits),
    the average log-probability from ``generate``'s processed scores (after suppression)."""
    start = _start(input_features, s)
    gen = _generation_config(s, output_scores=True, return_dict_in_generate=True)
    with torch.no_grad():
        out = GenerationMixin.generate(model, input_features=input_features, decoder_input_ids=start,
                                       generation_config=gen)
        first = model(input_features=input_features, decoder_input_ids=start).logits[:, 0] \
            if s.no_speech_token is not None else None
    scores = [sc.numpy() for sc in out.scores]   # per generated position: [B, V] after the processors
    result = []
    for i, row in enumerate(out.sequences):
        generated = row[len(s.start_sequence):].tolist()
        chosen = generated[: generated.index(s.end_token) + 1] if s.end_token in generated else generated
        chosen = chosen[: len(scores)]
        nsp = no_speech_probability(first[i].numpy(), s.no_speech_token) if first is not None else None
        result.append(Decoded(_strip(generated, s.end_token), nsp,
                              average_logprob([scores[j][i] for j in range(len(chosen))], chosen, s.end_token)))
    return result


def _strip(tokens: list[int], end: int) -> list[int]:
    return tokens[: tokens.index(end)] if end in tokens else tokens


StepFn = Callable[[np.ndarray, np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray, np.ndarray]]


def greedy_decode(step: StepFn, batch: int, decoder_layers: int, d_model: int, s: DecodingSettings) -> list[list[int]]:
    """Tokens only of ``greedy_decode_with_evidence``."""
    return [d.tokens for d in greedy_decode_with_evidence(step, batch, decoder_layers, d_model, s)]


def greedy_decode_with_evidence(step: StepFn, batch: int, decoder_layers: int, d_model: int,
                                s: DecodingSettings) -> list[Decoded]:
    """The SDK's loop: ``step(tokens, self_k, self_v) -> (logits, new_k, new_v)`` with the cross
    K/V bound inside ``step``; logits [B, S, V] (format 2: every input position) or [B, V]
    (format 1: the last). Suppressed tokens are -inf always, begin-suppressed ones at the first
    generated position; argmax; an item stops at the end token; all stop at max_new_tokens.
    The no-speech probability is read off the first step's position 0 before suppression (format
    2 only); the log-probabilities of the chosen tokens after suppression."""
    tokens = np.array([list(s.start_sequence)] * batch, dtype=np.int64)
    k = np.zeros((decoder_layers, batch, 0, d_model), dtype=np.float32)
    v = np.zeros_like(k)
    out: list[list[int]] = [[] for _ in range(batch)]
    chosen: list[list[int]] = [[] for _ in range(batch)]
    steps: list[list[np.ndarray]] = [[] for _ in range(batch)]
    nsp: list[float | None] = [None] * batch
    done = [False] * batch
    suppress = np.array(sorted(set(s.suppress_tokens)), dtype=np.int64)
    begin = np.array(list(s.begin_suppress_tokens), dtype=np.int64)
    for i in range(s.max_new_tokens):
        logits, k, v = step(tokens, k, v)
        if i == 0 and logits.ndim == 3 and s.no_speech_token is not None:
            nsp = [no_speech_probability(logits[j, 0], s.no_speech_token) for j in range(batch)]
        logits = (logits[:, -1] if logits.ndim == 3 else logits).copy()
        if suppress.size:
            logits[:, suppress] = -np.inf
        if i == 0 and begin.size:
            logits[:, begin] = -np.inf
        nxt = logits.argmax(-1)
        for j in range(batch):
            if not done[j]:
                chosen[j].append(int(nxt[j]))
                steps[j].append(logits[j])
                if int(nxt[j]) == s.end_token:
                    done[j] = True
                else:
                    out[j].append(int(nxt[j]))
        if all(done):
            break
        tokens = nxt[:, None].astype(np.int64)
    return [Decoded(out[j], nsp[j], average_logprob(steps[j], chosen[j], s.end_token)) for j in range(batch)]


def torch_step(step_module, cross_k: torch.Tensor, cross_v: torch.Tensor) -> StepFn:
    def run(tokens, k, v):
        with torch.no_grad():
            logits, nk, nv = step_module(torch.from_numpy(tokens), torch.from_numpy(k), torch.from_numpy(v), cross_k, cross_v)
        return logits.numpy(), nk.numpy(), nv.numpy()
    return run


def ort_step(session, cross_k: np.ndarray, cross_v: np.ndarray) -> StepFn:
    """One decoding step of an ONNX decoder; ``cross_k``/``cross_v`` stacked [layers, B, F, d], fed as
    they are or, to a decoder that takes them per layer (``cross_k_0``..., ``quantize``/``fuse``), one
    input per layer."""
    if any(i.name == "cross_k_0" for i in session.get_inputs()):
        cross = {f"{n}_{layer}": np.ascontiguousarray(a[layer])
                 for n, a in (("cross_k", cross_k), ("cross_v", cross_v)) for layer in range(a.shape[0])}
    else:
        cross = {"cross_k": cross_k, "cross_v": cross_v}

    def run(tokens, k, v):
        logits, nk, nv = session.run(["logits", "new_self_k", "new_self_v"],
                                     {"tokens": tokens, "self_k": k, "self_v": v, **cross})
        return logits, nk, nv
    return run


def encoder_outputs(session, log_mel: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(encoder_states, cross_k, cross_v) of an ONNX Whisper encoder, the K/V stacked [layers, B, F, d]
    whether the graph returns them stacked (as exported) or per layer (``cross_k_0``...)."""
    names = [o.name for o in session.get_outputs()]
    out = dict(zip(names, session.run(None, {"log_mel": log_mel})))
    if "cross_k" in out:
        return out["encoder_states"], out["cross_k"], out["cross_v"]
    layers = sum(1 for n in names if n.startswith("cross_k_"))
    return (out["encoder_states"], np.stack([out[f"cross_k_{i}"] for i in range(layers)]),
            np.stack([out[f"cross_v_{i}"] for i in range(layers)]))

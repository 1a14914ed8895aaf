"""Greedy Whisper decoding: the reference (Hugging Face ``generate``) and our loop over the
exported decoder step, which the Java SDK reimplements. Both must give the same tokens."""

from __future__ import annotations

from typing import Callable

import numpy as np
import torch
from transformers import GenerationConfig
from transformers.generation.utils import GenerationMixin

from .tokenization import DecodingSettings


def hf_generate(model, input_features: torch.Tensor, s: DecodingSettings) -> list[list[int]]:
    """Tokens from transformers' own greedy search with the bundle's settings, set explicitly
    (start sequence as decoder_input_ids, suppress/begin-suppress processors, end token). Returns
    the generated tokens per item, without the start sequence and without the end token."""
    b = input_features.shape[0]
    start = torch.tensor([list(s.start_sequence)] * b, dtype=torch.long)
    gen = GenerationConfig(do_sample=False, num_beams=1, max_new_tokens=s.max_new_tokens,
                           eos_token_id=s.end_token, pad_token_id=s.end_token,
                           decoder_start_token_id=s.start_sequence[0],
                           suppress_tokens=list(s.suppress_tokens) or None,
                           begin_suppress_tokens=list(s.begin_suppress_tokens) or None)
    with torch.no_grad():
        # GenerationMixin.generate, not WhisperGenerationMixin's (which adds language detection,
        # timestamps and its own forced tokens): the plain greedy search the SDK implements.
        out = GenerationMixin.generate(model, input_features=input_features, decoder_input_ids=start,
                                       generation_config=gen)
    seqs = out.sequences if hasattr(out, "sequences") else out
    return [_strip(row[len(s.start_sequence):].tolist(), s.end_token) for row in seqs]


def _strip(tokens: list[int], end: int) -> list[int]:
    return tokens[: tokens.index(end)] if end in tokens else tokens


StepFn = Callable[[np.ndarray, np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray, np.ndarray]]


def greedy_decode(step: StepFn, batch: int, decoder_layers: int, d_model: int, s: DecodingSettings) -> list[list[int]]:
    """The SDK's loop: ``step(tokens, self_k, self_v) -> (logits [B, V], new_k, new_v)`` with the
    cross K/V bound inside ``step``. Suppressed tokens are -inf always, begin-suppressed ones at the
    first generated position; argmax; an item stops at the end token; all stop at max_new_tokens."""
    tokens = np.array([list(s.start_sequence)] * batch, dtype=np.int64)
    k = np.zeros((decoder_layers, batch, 0, d_model), dtype=np.float32)
    v = np.zeros_like(k)
    out: list[list[int]] = [[] for _ in range(batch)]
    done = [False] * batch
    suppress = np.array(sorted(set(s.suppress_tokens)), dtype=np.int64)
    begin = np.array(list(s.begin_suppress_tokens), dtype=np.int64)
    for i in range(s.max_new_tokens):
        logits, k, v = step(tokens, k, v)
        logits = logits.copy()
        if suppress.size:
            logits[:, suppress] = -np.inf
        if i == 0 and begin.size:
            logits[:, begin] = -np.inf
        nxt = logits.argmax(-1)
        for j in range(batch):
            if not done[j]:
                if int(nxt[j]) == s.end_token:
                    done[j] = True
                else:
                    out[j].append(int(nxt[j]))
        if all(done):
            break
        tokens = nxt[:, None].astype(np.int64)
    return out


def torch_step(step_module, cross_k: torch.Tensor, cross_v: torch.Tensor) -> StepFn:
    def run(tokens, k, v):
        with torch.no_grad():
            logits, nk, nv = step_module(torch.from_numpy(tokens), torch.from_numpy(k), torch.from_numpy(v), cross_k, cross_v)
        return logits.numpy(), nk.numpy(), nv.numpy()
    return run


def ort_step(session, cross_k: np.ndarray, cross_v: np.ndarray) -> StepFn:
    def run(tokens, k, v):
        logits, nk, nv = session.run(["logits", "new_self_k", "new_self_v"],
                                     {"tokens": tokens, "self_k": k, "self_v": v, "cross_k": cross_k, "cross_v": cross_v})
        return logits, nk, nv
    return run

"""Whisper's evidence that an utterance holds speech, and the decision made from it (issue 11).

Definitions as openai-whisper's ``decoding.py`` and ``transcribe.py`` (faster-whisper and
whisper.cpp use the same thresholds):

- ``no_speech_prob``: softmax over the whole vocabulary of the first decoding step's logits at
  the start-of-transcript position (the first token of the start sequence), before any token
  suppression, at the no-speech token;
- ``avg_logprob``: the sum, over the generated tokens (the end token included when it was
  generated), of the log-softmax of the logits after suppression at the chosen token, divided by
  (generated tokens without the end token + 1);
- ``compression_ratio``: UTF-8 bytes of the transcript / bytes of their zlib compression
  (default level); 0.0 for an empty transcript.

The decision (``SpeechDecision.is_speech``): no speech when ``no_speech_prob >
no_speech_threshold`` and ``avg_logprob < logprob_threshold`` (transcribe.py's silence rule); also
no speech when ``compression_ratio > compression_ratio_threshold`` and ``avg_logprob <
logprob_threshold``: a repetitive, low-confidence transcript is a hallucination (openai-whisper
would retry at a higher temperature, which greedy decoding cannot). Without a no-speech token
(``no_speech_prob`` None) the model gives no verdict: the SDK's acoustic gate decides alone.
"""

from __future__ import annotations

import zlib
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np


@dataclass(frozen=True)
class SpeechDecision:
    """The thresholds written to the manifest's ``speech_decision`` (openai-whisper's defaults)."""

    no_speech_threshold: float = 0.6
    logprob_threshold: float = -1.0
    compression_ratio_threshold: float = 2.4

    def to_dict(self) -> dict[str, float]:
        return {k: float(v) for k, v in asdict(self).items()}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "SpeechDecision":
        return cls(**{k: float(d[k]) for k in ("no_speech_threshold", "logprob_threshold",
                                               "compression_ratio_threshold")})

    def is_speech(self, ev: "SpeechEvidence") -> bool:
        if ev.no_speech_prob is None:
            return True   # no model verdict: the acoustic gate decides
        low_confidence = ev.avg_logprob < self.logprob_threshold
        if ev.no_speech_prob > self.no_speech_threshold and low_confidence:
            return False
        return not (ev.compression_ratio > self.compression_ratio_threshold and low_confidence)


@dataclass(frozen=True)
class SpeechEvidence:
    no_speech_prob: float | None
    avg_logprob: float
    compression_ratio: float

    def to_dict(self) -> dict[str, float | None]:
        return {"no_speech_prob": self.no_speech_prob, "avg_logprob": self.avg_logprob,
                "compression_ratio": self.compression_ratio}


def compression_ratio(text: str) -> float:
    data = text.encode("utf-8")
    return len(data) / len(zlib.compress(data)) if data else 0.0


def log_softmax(x: np.ndarray) -> np.ndarray:
    x = x.astype(np.float64)
    m = np.max(x[np.isfinite(x)]) if np.isfinite(x).any() else 0.0
    return x - m - np.log(np.sum(np.exp(x - m)))


def no_speech_probability(first_position_logits: np.ndarray, no_speech_token: int) -> float:
    """softmax over the vocabulary of the raw (unsuppressed) logits at ``no_speech_token``."""
    return float(np.exp(log_softmax(first_position_logits)[no_speech_token]))


def average_logprob(step_logits: list[np.ndarray], chosen: list[int], end_token: int) -> float:
    """``step_logits[i]``: the suppressed logits [V] of generated position i; ``chosen[i]`` the
    token taken there (the last may be ``end_token``)."""
    total = sum(float(log_softmax(lg)[t]) for lg, t in zip(step_logits, chosen))
    n = len(chosen) - (1 if chosen and chosen[-1] == end_token else 0)
    return total / (n + 1)

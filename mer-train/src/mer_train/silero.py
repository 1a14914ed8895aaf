"""The SDK's speech gate in Python: Silero VAD v6 on onnxruntime, the same ONNX file and the same
rule as mer-sdk-vad's ``SileroSpeechDetector``, so that ``python -m mer_train evaluate`` decides
"speech or not" before the models as ``mer evaluate`` does.

The model is mer-sdk-vad's resource (``io/mersdk/vad/silero_vad_v6.onnx``, MIT, snakers4/silero-vad;
provenance in the NOTICE next to it), checked against its SHA-256 before use. Driven as Silero's
own ``OnnxWrapper`` drives it: windows of 512 samples at 16 kHz (256 at 8 kHz, the model's native
mode) with the previous window's last 64 (32) samples prepended, the recurrent state ``[2, 1, 128]``
carried from window to window; a final partial window is not run. Other rates are resampled to
16 kHz by the same windowed-sinc filter as the Java ``RateConverter``.

The rule is Silero's ``get_speech_timestamps``: a stretch starts at a window with probability >=
threshold (0.5) and ends once the probability has stayed below threshold - 0.15 for min_silence
(100 ms); stretches shorter than min_speech (250 ms) are dropped; speech when one remains.
``testdata/gate/silero-fixture.json`` (``scripts/make_gate_fixture.py``) holds this port's
probabilities and decisions; mer-sdk-vad's ``SileroFixtureTest`` holds the Java detector to them.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np

MODEL = Path(__file__).resolve().parents[3] / "mer-sdk-vad/src/main/resources/io/mersdk/vad/silero_vad_v6.onnx"
SHA256 = "1a153a22f4509e292a94e67d6f9b85e8deb25b4988682b7e174c65279d8788e3"
WINDOW_16K, CONTEXT_16K = 512, 64
THRESHOLD, HYSTERESIS = 0.5, 0.15
MIN_SPEECH_S, MIN_SILENCE_S, PADDING_S = 0.250, 0.100, 0.030
ZERO_CROSSINGS, ROLLOFF = 16, 0.9


@lru_cache(maxsize=1)
def session():
    import onnxruntime as ort

    data = MODEL.read_bytes()
    sha = hashlib.sha256(data).hexdigest()
    if sha != SHA256:
        raise ValueError(f"{MODEL}: SHA-256 is {sha}, must be {SHA256}")
    o = ort.SessionOptions()
    o.intra_op_num_threads = 1
    o.inter_op_num_threads = 1
    return ort.InferenceSession(data, o, providers=["CPUExecutionProvider"])


def resample(x: np.ndarray, in_rate: int, out_rate: int = 16000) -> np.ndarray:
    """The Java RateConverter: output n is the input at n * in/out under a Hann-windowed sinc."""
    step = in_rate / out_rate
    cutoff = ROLLOFF * min(1.0, out_rate / in_rate)
    half = math.ceil(ZERO_CROSSINGS / cutoff)
    x = np.asarray(x, dtype=np.float32)
    out = []
    n = 0
    while True:
        t = n * step
        centre = math.floor(t)
        if centre + half >= len(x):
            break
        k = np.arange(centre - half + 1, centre + half + 1)
        k = k[k >= 0]
        u = t - k
        xx = math.pi * cutoff * u
        with np.errstate(invalid="ignore", divide="ignore"):
            sinc = np.where(xx == 0, 1.0, np.sin(xx) / np.where(xx == 0, 1.0, xx))
        h = cutoff * sinc * (0.5 + 0.5 * np.cos(math.pi * u / half))
        out.append(np.float32(np.sum(x[k].astype(np.float64) * h)))
        n += 1
    return np.asarray(out, dtype=np.float32)


def probabilities(samples: np.ndarray, sample_rate: int) -> tuple[np.ndarray, float]:
    """Each full window's speech probability, and the window's length in seconds."""
    x = np.asarray(samples, dtype=np.float32)
    x = np.where(np.isfinite(x), x, 0).astype(np.float32)
    if sample_rate not in (8000, 16000):
        x = resample(x, sample_rate, 16000)
        sample_rate = 16000
    win = WINDOW_16K if sample_rate == 16000 else WINDOW_16K // 2
    ctx = CONTEXT_16K if sample_rate == 16000 else CONTEXT_16K // 2
    s = session()
    state = np.zeros((2, 1, 128), dtype=np.float32)
    context = np.zeros(ctx, dtype=np.float32)
    sr = np.array(sample_rate, dtype=np.int64)
    out = []
    for i in range(len(x) // win):
        chunk = np.concatenate([context, x[i * win:(i + 1) * win]])[None, :]
        p, state = s.run(None, {"input": chunk, "state": state, "sr": sr})
        out.append(float(p[0, 0]))
        context = chunk[0, -ctx:]
    return np.asarray(out, dtype=np.float32), win / sample_rate


def stretches(p: np.ndarray, window: float, length: float, threshold: float = THRESHOLD,
              min_speech: float = MIN_SPEECH_S, min_silence: float = MIN_SILENCE_S) -> list[tuple[float, float]]:
    """SileroSpeechDetector.stretches: Silero's rule over the window probabilities."""
    neg = max(0.01, threshold - HYSTERESIS)
    out: list[tuple[float, float]] = []
    triggered, start, temp_end = False, 0.0, -1.0
    for i, v in enumerate(p):
        at = i * window
        if v >= threshold:
            temp_end = -1.0
            if not triggered:
                triggered, start = True, at
            continue
        if triggered and v < neg:
            if temp_end < 0:
                temp_end = at
            if at + window - temp_end >= min_silence:
                if temp_end - start >= min_speech:
                    out.append((start, temp_end))
                triggered, temp_end = False, -1.0
    if triggered:
        end = min(length, len(p) * window)
        if end - start >= min_speech:
            out.append((start, end))
    return out


@dataclass(frozen=True)
class Evidence:
    probabilities: np.ndarray
    window: float
    length: float
    stretches: list[tuple[float, float]] = field(default_factory=list)

    @property
    def is_speech(self) -> bool:
        return bool(self.stretches)

    @property
    def speech_seconds(self) -> float:
        total, last = 0.0, 0.0
        for a, b in self.stretches:
            a, b = max(last, max(0.0, a - PADDING_S)), min(self.length, b + PADDING_S)
            if b > a:
                total, last = total + b - a, b
        return total

    def to_dict(self) -> dict:
        return {"is_speech": self.is_speech, "windows": int(len(self.probabilities)),
                "max_probability": round(float(self.probabilities.max()) if len(self.probabilities) else 0.0, 3),
                "stretches": len(self.stretches)}


def evidence(samples: np.ndarray, sample_rate: int, threshold: float = THRESHOLD,
             min_speech: float = MIN_SPEECH_S, min_silence: float = MIN_SILENCE_S) -> Evidence:
    p, w = probabilities(samples, sample_rate)
    length = len(samples) / sample_rate
    return Evidence(p, w, length, stretches(p, w, length, threshold, min_speech, min_silence))


def is_speech(samples: np.ndarray, sample_rate: int) -> bool:
    return evidence(samples, sample_rate).is_speech

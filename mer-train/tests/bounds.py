"""Bounds for comparisons between two float32 computations, derived from what is compared (never
from the machine that made a fixture); docs/testing.md, "Bounds".

Two float32 runs of the same formula on different CPUs differ because the kernels (MKL's FFT and
GEMM, PyTorch's AVX2/AVX-512/scalar loops, oneDNN, SLEEF's log10) sum in different orders and fuse
multiply-adds differently. Each run is within a rounding bound of the exact value, so they are within
twice that of each other. The unit roundoff is u = 2^-24 (float32). Every ``check`` below is recorded
(largest difference, its bound) in a JSON-lines report: build/bounds-python.jsonl or $MER_BOUNDS_REPORT.
"""

from __future__ import annotations

import json
import math
import os
from pathlib import Path

import numpy as np
import torch

U32 = 2.0 ** -24
# The FFT's rounding error: Higham (Accuracy and Stability of Numerical Algorithms, thm. 24.2)
# bounds ||dX||_2 <= ~7 log2(N) u ||X||_2 in the worst case; its statistical size (errors of the
# log2(N) butterfly stages add as a random walk, spread evenly over the N bins) is
# u sqrt(log2 N) ||x||_2 per bin. We take that per-bin figure times FFT_SIGMAS (two runs' errors,
# sqrt(2), nine standard deviations each): the worst-case form is ~50x wider at N = 400 and, carried
# through the model, would pass an encoder whose states are off by 1e-2. Nine, not six: over the
# ~10^5 elements of a case the largest of one run's errors reaches ~4-5 sigma, and the errors are not
# Gaussian in the weakest bins; test_fixtures.py checks that this machine's float32 features are
# within half of the bound of the float64 formula, so that any two runs, each
# no worse than that, stay within it.
FFT_SIGMAS = 9.0 * math.sqrt(2.0)

REPORT: dict[tuple[str, str], dict] = {}


def check(test: str, what: str, actual, expected, bound) -> None:
    """Assert |actual - expected| <= bound elementwise (bound a scalar or an array of the same
    shape) and record the largest difference with the bound at the same element."""
    a = np.asarray(actual, np.float64)
    b = np.asarray(expected, np.float64)
    assert a.shape == b.shape, f"{what}: shape {a.shape} != {b.shape}"
    bound = np.broadcast_to(np.asarray(bound, np.float64), a.shape)
    diff = np.abs(a - b)
    if diff.size:
        worst = np.unravel_index(np.argmax(diff / np.maximum(bound, 1e-300)), diff.shape)
        entry = {"test": test, "what": what, "diff": float(diff.max()), "bound": float(bound[worst]),
                 "ratio": float(diff[worst] / max(float(bound[worst]), 1e-300)),
                 "min_bound": float(bound.min())}
        old = REPORT.get((test, what))
        if old is None or entry["ratio"] > old["ratio"]:
            REPORT[(test, what)] = entry
        assert np.all(diff <= bound), (f"{what}: |diff| {diff[worst]:.3e} > bound {bound[worst]:.3e} at {worst} "
                                       f"(largest diff {diff.max():.3e})")


def write_report(default: Path) -> Path | None:
    if not REPORT:
        return None
    out = Path(os.environ.get("MER_BOUNDS_REPORT", default))
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("a" if "MER_BOUNDS_REPORT" in os.environ else "w") as f:
        for e in sorted(REPORT.values(), key=lambda e: (e["test"], e["what"])):
            f.write(json.dumps({"suite": "python", "setting": os.environ.get("MER_BOUNDS_SETTING", ""), **e}) + "\n")
    return out


def log_mel_bound(feature_extractor, samples: np.ndarray) -> np.ndarray:
    """Elementwise bound [n_mels, frames] on |a - b| for two float32 runs of Whisper's features
    (transformers' WhisperFeatureExtractor: torch.stft, |X|^2, mel filters, log10, max - 8, (x + 4) / 4).

    Per frame t each bin's error is e_t = FFT_SIGMAS sqrt(log2 N) u ||x_t||_2 (x_t the windowed
    frame; see FFT_SIGMAS), so |d|X_f|^2| <= 2 |X_f| e_t + e_t^2; the mel
    sums of positive terms add F u M for each run, 2 F u M between two (F = n_fft/2 + 1 bins); log10 turns dM into dM / (M ln 10). The
    weakest bins of a frame (small M against the frame's energy) get the widest bound, as they should:
    that is where another CPU's FFT differs most. Floored elements (max - 8) carry the peak's error.
    The spectrum is recomputed here in float64 from the same float32 samples."""
    fe = feature_extractor
    n = fe.n_fft
    fr, mag, filters, mel = _float64_spectrum(fe, samples)
    e = FFT_SIGMAS * math.sqrt(math.log2(n)) * U32 * np.linalg.norm(fr, axis=1, keepdims=True)
    d_mel = (2 * mag * e + e ** 2) @ filters + 2 * filters.shape[0] * U32 * mel  # two runs' sums
    clamped = np.maximum(mel, 1e-10)
    log_mel = np.log10(clamped)
    d_log = d_mel / (clamped * math.log(10))
    peak = np.unravel_index(np.argmax(log_mel), log_mel.shape)
    d_peak = d_log[peak]
    floor = log_mel[peak] - 8.0
    above = log_mel - d_log > floor + d_peak
    below = log_mel + d_log < floor - d_peak
    b = np.where(above, d_log, np.where(below, d_peak, np.maximum(d_log, d_peak)))
    # float32 log10 (SLEEF or libm, a few ulp) and the output's own rounding, then (x + 4) / 4
    b = b + 4 * U32 * (np.abs(np.maximum(log_mel, floor)) + 4)
    return (b / 4).T.astype(np.float64)


def _float64_spectrum(fe, samples: np.ndarray):
    """Whisper's framing, periodic Hann window, |rfft|^2 and mel sums, in float64 from the same
    float32 samples: (windowed frames, |X|, mel filters [F, n_mels], mel [frames, n_mels])."""
    n, hop = fe.n_fft, fe.hop_length
    x = np.zeros(fe.n_samples, np.float64)
    x[:min(len(samples), fe.n_samples)] = np.asarray(samples, np.float64)[:fe.n_samples]
    xp = np.pad(x, n // 2, mode="reflect")
    frames = 1 + (len(xp) - n) // hop - 1  # transformers drops the last frame
    window = 0.5 - 0.5 * np.cos(2 * np.pi * np.arange(n) / n)  # periodic Hann
    fr = xp[np.arange(n)[None, :] + hop * np.arange(frames)[:, None]] * window
    mag = np.abs(np.fft.rfft(fr, axis=1))
    filters = np.asarray(fe.mel_filters, np.float64)  # [F, n_mels]
    return fr, mag, filters, (mag ** 2) @ filters


def log_mel_float64(feature_extractor, samples: np.ndarray) -> np.ndarray:
    """Whisper's features [n_mels, frames] computed in float64: the value both float32 runs
    approximate, against which one run's own error is measured."""
    _, _, _, mel = _float64_spectrum(feature_extractor, samples)
    log_mel = np.log10(np.maximum(mel, 1e-10))
    log_mel = np.maximum(log_mel, log_mel.max() - 8.0)
    return ((log_mel + 4.0) / 4.0).T


def matmuls(*modules: torch.nn.Module | None) -> tuple[int, int]:
    """(number of Linear/Conv layers, longest reduction) of the modules: a float32 network's output
    differs between two kernel orders by at most ~ layers * sqrt(reduction) * u * |output| (each
    product's error is a random walk over its reduction; we count every Linear, parallel q/k/v
    included, which also covers the softmax, layer norm and GELU between them)."""
    count, longest = 0, 1
    for mod in modules:
        if mod is None:
            continue
        for m in mod.modules():
            if isinstance(m, torch.nn.Linear):
                count, longest = count + 1, max(longest, m.in_features)
            elif isinstance(m, torch.nn.modules.conv._ConvNd):
                k = int(np.prod(m.kernel_size)) * m.in_channels // m.groups
                count, longest = count + 1, max(longest, k)
    return count, longest


def rounding(values, layers_and_reduction: tuple[int, int]) -> float:
    """Two runs' own float32 rounding: 2 * layers * sqrt(reduction) * u * max|values|."""
    layers, reduction = layers_and_reduction
    v = np.asarray(values, np.float64)
    magnitude = float(np.abs(v).max()) if v.size else 0.0
    return 2.0 * max(layers, 1) * math.sqrt(reduction) * U32 * max(magnitude, 1.0)

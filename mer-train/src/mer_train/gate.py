"""The SDK's acoustic speech gate in numpy: a port of mer-sdk-vad's ``FrameClassifier`` and
``SpeechEvidence`` (``SpectralSpeechDetector``), so that ``python -m mer_train evaluate`` decides
"speech or not" before the models as ``mer evaluate`` does.

Per 10 ms frame (analysis window the last 40 ms, zeros before the stream's start, mean removed,
Hann): the RMS level (below -75 dBFS the frame is silent); the voicing, the highest normalised
autocorrelation peak over the lags of a 60-400 Hz pitch of the window band-passed to 100-2500 Hz
in its 1024-point spectrum, divided by the Hann window's own autocorrelation (below 0.6 the frame
is unvoiced); the pitch, at the first peak within 10 % of the highest, refined by a parabola; and
the movement of a pitch track of 5 or more frames whose steps stay under 0.10 (log ratio):
steady when the pitch moved less than 0.004 over the last 20 ms, moving otherwise. The clip holds
speech when at least 10 frames move and they are at least half of the frames on a track.

The constants and their measured reasons are the Java class's (docs/audio.md, "The acoustic
gate"); Java computes the spectra with its own radix-2 FFT, this port with numpy's, so the
voicing values agree to about 1e-12 and a frame's kind can differ only when a value sits on a
threshold to that precision. ``testdata/gate/gate-fixture.json`` (written by
``scripts/make_gate_fixture.py``) holds this port's decisions and frame evidence;
mer-sdk-vad's ``GateFixtureTest`` holds the Java detector to them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

# FrameClassifier's constants (mer-sdk-vad, io.mersdk.vad.FrameClassifier)
HOP_SECONDS = 0.010
WINDOW_SECONDS = 0.040
MIN_PITCH_HZ = 60.0
MAX_PITCH_HZ = 400.0
BAND_LOW_HZ = 100.0
BAND_HIGH_HZ = 2500.0
SILENT_DB = -75.0
VOICED = 0.6
MAX_STEP = 0.10
MIN_GLIDE = 0.004
TRACK_FRAMES = 5
# SpeechEvidence's rule
MIN_MOVING_FRAMES = 10
MIN_MOVING_SHARE = 0.5

SILENT, UNVOICED, VOICED_KIND, STEADY, MOVING = "SILENT", "UNVOICED", "VOICED", "STEADY", "MOVING"
KIND_LETTER = {SILENT: "s", UNVOICED: "u", VOICED_KIND: "v", STEADY: "t", MOVING: "m"}


def _round(x: float) -> int:
    """Java's Math.round (half up), not Python's round (half to even)."""
    return int(math.floor(x + 0.5))


@dataclass(frozen=True)
class Frames:
    """Per-frame evidence: kinds (one of the five), RMS level in dBFS, voicing and pitch (0 when
    the frame is silent or unvoiced, as the Java classifier's lastVoicing/lastPitchHz)."""

    kinds: list[str]
    level_db: np.ndarray
    voicing: np.ndarray
    pitch_hz: np.ndarray
    hop: int

    def letters(self) -> str:
        return "".join(KIND_LETTER[k] for k in self.kinds)


@dataclass(frozen=True)
class GateEvidence:
    """SpeechEvidence: frame counts and the decision."""

    frames: int
    voiced: int
    steady: int
    moving: int
    hop_seconds: float

    @property
    def moving_share(self) -> float:
        return 0.0 if self.moving + self.steady == 0 else self.moving / (self.moving + self.steady)

    @property
    def is_speech(self) -> bool:
        return self.moving >= MIN_MOVING_FRAMES and self.moving >= MIN_MOVING_SHARE * (self.moving + self.steady)

    @property
    def speech_seconds(self) -> float:
        return (self.voiced + self.steady + self.moving) * self.hop_seconds if self.is_speech else 0.0

    def to_dict(self) -> dict:
        return {"is_speech": self.is_speech, "frames": self.frames, "voiced": self.voiced,
                "steady": self.steady, "moving": self.moving}


class FrameClassifier:
    """The fixed parts of the analysis at one sample rate (sizes, window, band, lags)."""

    def __init__(self, sample_rate: int) -> None:
        if sample_rate <= 0:
            raise ValueError(f"sample_rate: must be > 0, got {sample_rate}")
        sr = sample_rate
        self.sample_rate = sr
        self.hop = max(1, _round(sr * HOP_SECONDS))
        self.window = max(self.hop, _round(sr * WINDOW_SECONDS))
        self.min_lag = max(2, int(math.floor(sr / MAX_PITCH_HZ)))
        self.max_lag = min(self.window - 2, int(math.ceil(sr / MIN_PITCH_HZ)))
        m = max(2, self.window + self.max_lag + 1) - 1
        self.size = max(4, (1 << (m.bit_length() - 1)) << 1)
        i = np.arange(self.window, dtype=np.float64)
        self.hann = 0.5 - 0.5 * np.cos(2 * np.pi * (i + 0.5) / self.window)
        w0 = float(np.sum(self.hann * self.hann))
        acf = np.zeros(max(0, self.max_lag + 2))
        for lag in range(min(len(acf), self.window)):
            acf[lag] = float(np.sum(self.hann[: self.window - lag] * self.hann[lag:])) / w0
        self.window_acf = acf
        self.band_low = max(1, _round(BAND_LOW_HZ * self.size / sr))
        self.band_high = min(self.size // 2, _round(BAND_HIGH_HZ * self.size / sr))

    def frames(self, samples: np.ndarray) -> Frames:
        x = np.asarray(samples, dtype=np.float32).astype(np.float64)
        n = len(x) // self.hop
        w, hop = self.window, self.hop
        if n == 0:
            return Frames([], np.zeros(0), np.zeros(0), np.zeros(0), hop)
        padded = np.concatenate([np.zeros(w), x])
        idx = (np.arange(1, n + 1) * hop)[:, None] + np.arange(w)[None, :]
        win = padded[idx]                                      # [n, window], oldest first
        win = win - win.mean(axis=1, keepdims=True)
        energy = np.sum(win * win, axis=1)
        with np.errstate(divide="ignore"):
            level = np.where(energy > 0, 10 * np.log10(energy / w), -200.0)
        voicing, pitch = self._voicing(win * self.hann)
        kinds: list[str] = []
        out_v = np.zeros(n)
        out_p = np.zeros(n)
        pitch1 = pitch2 = math.nan
        track = 0
        for f in range(n):
            if not level[f] >= SILENT_DB:
                kinds.append(SILENT)
                track, pitch1, pitch2 = 0, math.nan, math.nan
                continue
            if voicing[f] < VOICED:
                kinds.append(UNVOICED)
                track, pitch1, pitch2 = 0, math.nan, math.nan
                continue
            out_v[f], out_p[f] = voicing[f], pitch[f]
            p = math.log(pitch[f])
            track = track + 1 if (not math.isnan(pitch1) and abs(p - pitch1) < MAX_STEP) else 1
            kind = VOICED_KIND
            if track >= TRACK_FRAMES:
                kind = STEADY if abs(p - pitch2) < MIN_GLIDE else MOVING
            pitch2, pitch1 = pitch1, p
            kinds.append(kind)
        return Frames(kinds, level, out_v, out_p, hop)

    def _voicing(self, windowed: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Voicing and pitch of every frame (the Java ``voicing()``), as arrays."""
        n = windowed.shape[0]
        if self.max_lag <= self.min_lag + 1 or self.band_high <= self.band_low:
            return np.zeros(n), np.zeros(n)
        spec = np.fft.rfft(windowed, n=self.size, axis=1)
        power = spec.real ** 2 + spec.imag ** 2
        power[:, : self.band_low] = 0
        power[:, self.band_high + 1:] = 0
        r = np.fft.irfft(power, n=self.size, axis=1)          # autocorrelation of the band (Wiener-Khinchin)
        r0 = r[:, 0]
        ok = r0 > 0
        lo, hi = self.min_lag, self.max_lag
        with np.errstate(divide="ignore", invalid="ignore"):
            # norm over lags lo-1 .. hi+1
            norm = r[:, lo - 1: hi + 2] / r0[:, None] / self.window_acf[lo - 1: hi + 2][None, :]
        v = norm[:, 1:-1]
        left, right = norm[:, :-2], norm[:, 2:]
        best = np.max(v, axis=1)
        cond = (v >= 0.9 * best[:, None]) & (v >= left) & (v >= right)
        voicing = np.zeros(n)
        pitch = np.zeros(n)
        for f in np.nonzero(ok)[0]:
            hits = np.nonzero(cond[f])[0]
            if len(hits) == 0:
                voicing[f] = best[f]
                pitch[f] = self.sample_rate / lo
                continue
            k = hits[0]
            a, c, val = left[f, k], right[f, k], v[f, k]
            d = a - 2 * val + c
            shift = 0.5 * (a - c) / d if d < 0 else 0.0
            pitch[f] = self.sample_rate / (lo + k + max(-0.5, min(0.5, shift)))
            voicing[f] = val
        return voicing, pitch


def frames(samples: np.ndarray, sample_rate: int) -> Frames:
    return FrameClassifier(sample_rate).frames(samples)


def evidence(samples: np.ndarray, sample_rate: int) -> GateEvidence:
    """SpectralSpeechDetector.evidence: the frame counts of the clip and the decision."""
    fr = frames(samples, sample_rate)
    count = {k: 0 for k in KIND_LETTER}
    for k in fr.kinds:
        count[k] += 1
    return GateEvidence(len(fr.kinds), count[VOICED_KIND], count[STEADY], count[MOVING], fr.hop / sample_rate)


def is_speech(samples: np.ndarray, sample_rate: int) -> bool:
    return evidence(samples, sample_rate).is_speech

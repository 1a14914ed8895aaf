"""Non-speech clips and noisy speech, generated with numpy from a seed (issue 11).

Why: an ASR that never heard silence, noise or music transcribes them anyway (Whisper's
no-speech token exists for that: Whisper learned it from non-speech segments). The demo ASR
trains on these clips with the no-speech token as target, and on speech mixed into noise or made
quiet with the transcript as target; the evaluation set is the same generator with other seeds.

Kinds: digital silence, room tone, white/pink/brown noise at several levels, mains hum (50 or
60 Hz with harmonics), pure tones, chords, clicks and short melodies. Every clip is float32 mono
in [-1, 1] at the requested rate; levels are RMS in dBFS (full-scale sine = -3 dBFS).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

KINDS = ("silence", "room_tone", "white", "pink", "brown", "hum", "tone", "chord", "clicks", "melody")
NOISE_KINDS = ("white", "pink", "brown", "room_tone", "hum")   # what speech is mixed into


@dataclass(frozen=True)
class Clip:
    name: str            # kind-index, e.g. "pink-0007"
    kind: str
    audio: np.ndarray    # float32 [samples]
    level_dbfs: float    # RMS level the clip was made at (-inf for digital silence)


def rng_for(seed: int, purpose: str) -> np.random.Generator:
    """A generator per (seed, purpose): training and evaluation sets never share a stream."""
    return np.random.default_rng(np.random.SeedSequence([seed, *purpose.encode()]))


def rms_dbfs(x: np.ndarray) -> float:
    r = float(np.sqrt(np.mean(np.square(x, dtype=np.float64)))) if x.size else 0.0
    return 20 * np.log10(r) if r > 0 else float("-inf")


def set_level(x: np.ndarray, dbfs: float) -> np.ndarray:
    """Scaled to the RMS level ``dbfs``, peaks clipped at +-1 (only loud noise ever reaches them)."""
    r = np.sqrt(np.mean(np.square(x, dtype=np.float64)))
    if r == 0:
        return x.astype(np.float32)
    return np.clip(x * (10 ** (dbfs / 20) / r), -1.0, 1.0).astype(np.float32)


def coloured_noise(n: int, rng: np.random.Generator, exponent: float) -> np.ndarray:
    """Gaussian noise whose power spectrum falls as 1/f**exponent (0 white, 1 pink, 2 brown),
    shaped in the frequency domain; unit RMS."""
    spec = np.fft.rfft(rng.standard_normal(n))
    f = np.fft.rfftfreq(n)
    f[0] = f[1] if n > 1 else 1.0
    spec *= f ** (-exponent / 2)
    x = np.fft.irfft(spec, n)
    return x / (np.std(x) + 1e-12)


def _envelope(n: int, sr: int, attack: float = 0.01, release: float = 0.05) -> np.ndarray:
    env = np.ones(n)
    a, r = min(n, int(attack * sr)), min(n, int(release * sr))
    if a:
        env[:a] = np.linspace(0, 1, a)
    if r:
        env[n - r:] *= np.linspace(1, 0, r)
    return env


def _note(freq: float, n: int, sr: int, rng: np.random.Generator) -> np.ndarray:
    """A tone with a few harmonics of random weight (so chords and melodies are not pure sines)."""
    t = np.arange(n) / sr
    x = np.zeros(n)
    for h in range(1, 5):
        if freq * h < sr / 2:
            x += rng.uniform(0.2, 1.0) / h * np.sin(2 * np.pi * freq * h * t + rng.uniform(0, 2 * np.pi))
    return x * _envelope(n, sr)


def make_clip(kind: str, rng: np.random.Generator, seconds: float, sr: int = 16000) -> tuple[np.ndarray, float]:
    """One clip of ``kind``: (audio, RMS level in dBFS)."""
    n = max(1, int(round(seconds * sr)))
    t = np.arange(n) / sr
    if kind == "silence":
        return np.zeros(n, dtype=np.float32), float("-inf")
    if kind == "room_tone":   # a quiet room: brown-ish noise, a faint hum, nothing else
        level = rng.uniform(-65, -45)
        hum = np.sin(2 * np.pi * rng.choice([50.0, 60.0]) * t) * rng.uniform(0.0, 0.3)
        return set_level(coloured_noise(n, rng, rng.uniform(1.2, 2.0)) + hum, level), level
    if kind in ("white", "pink", "brown"):
        level = rng.uniform(-50, -12)
        return set_level(coloured_noise(n, rng, {"white": 0.0, "pink": 1.0, "brown": 2.0}[kind]), level), level
    if kind == "hum":         # mains hum: fundamental and odd/even harmonics decaying
        f0, level = float(rng.choice([50.0, 60.0])), rng.uniform(-45, -15)
        x = sum(rng.uniform(0.3, 1.0) / k * np.sin(2 * np.pi * f0 * k * t + rng.uniform(0, 2 * np.pi))
                for k in range(1, 8))
        return set_level(x + 0.01 * coloured_noise(n, rng, 1.0), level), level
    if kind == "tone":
        level = rng.uniform(-35, -10)
        return set_level(np.sin(2 * np.pi * rng.uniform(100, 4000) * t) * _envelope(n, sr), level), level
    if kind == "chord":       # three or four notes of an equal-tempered scale, sustained
        level = rng.uniform(-35, -10)
        root = rng.integers(40, 70)  # MIDI note
        chords = ([0, 4, 7], [0, 3, 7], [0, 4, 7, 11], [0, 5, 9], [0, 3, 7, 10])
        steps = chords[int(rng.integers(len(chords)))]
        x = sum(_note(440.0 * 2 ** ((root + s - 69) / 12), n, sr, rng) for s in steps)
        return set_level(x, level), level
    if kind == "clicks":      # impulses (short decaying bursts) at random times over a low floor
        level = rng.uniform(-40, -15)
        x = 0.02 * coloured_noise(n, rng, 1.0)
        rate = rng.uniform(1, 12)  # clicks per second
        width = int(0.003 * sr)
        for pos in rng.integers(0, max(1, n - width), size=max(1, int(rate * seconds))):
            x[pos:pos + width] += rng.choice([-1, 1]) * np.exp(-np.arange(width) / (width / 5))[: n - pos]
        return set_level(x, level), level
    if kind == "melody":      # notes of 0.1-0.5 s from a pentatonic scale
        level = rng.uniform(-35, -10)
        x, pos, root = np.zeros(n), 0, rng.integers(55, 75)
        scale = [0, 2, 4, 7, 9, 12]
        while pos < n:
            m = min(n - pos, int(rng.uniform(0.1, 0.5) * sr))
            x[pos:pos + m] = _note(440.0 * 2 ** ((root + rng.choice(scale) - 69) / 12), m, sr, rng)
            pos += m
        return set_level(x, level), level
    raise ValueError(f"nonspeech kind {kind!r}: not one of {KINDS}")


def nonspeech_clips(count: int, seed: int, purpose: str, sr: int = 16000, min_seconds: float = 0.5,
                    max_seconds: float = 8.0) -> list[Clip]:
    """``count`` clips cycling through every kind, durations uniform in [min_seconds, max_seconds]."""
    rng = rng_for(seed, purpose)
    clips = []
    for i in range(count):
        kind = KINDS[i % len(KINDS)]
        audio, level = make_clip(kind, rng, float(rng.uniform(min_seconds, max_seconds)), sr)
        clips.append(Clip(f"{kind}-{i:04d}", kind, audio, level))
    return clips


def mix_at_snr(speech: np.ndarray, rng: np.random.Generator, snr_db: float, kind: str | None = None,
               sr: int = 16000) -> np.ndarray:
    """``speech`` plus noise of ``kind`` (random among NOISE_KINDS if None) at ``snr_db`` (RMS
    ratio over the whole clip); the sum is scaled down if it would clip."""
    kind = kind or str(rng.choice(NOISE_KINDS))
    noise, _ = make_clip(kind, rng, len(speech) / sr, sr)
    noise = noise[: len(speech)].astype(np.float64)
    s_rms = np.sqrt(np.mean(np.square(speech, dtype=np.float64)))
    n_rms = np.sqrt(np.mean(np.square(noise)))
    if s_rms == 0 or n_rms == 0:
        return speech.astype(np.float32)
    x = speech + noise * (s_rms / n_rms) * 10 ** (-snr_db / 20)
    peak = np.max(np.abs(x))
    return (x / peak * 0.99 if peak > 0.99 else x).astype(np.float32)

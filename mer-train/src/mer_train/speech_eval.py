"""How a bundle's model-side speech decision does on non-speech and on hard speech (issue 11).

Sets, all reproducible from seeds distinct from the demo ASR's training streams
(``nonspeech.rng_for(seed, purpose)`` with other purposes):

- ``nonspeech``: clips of every ``nonspeech.KINDS`` (digital silence, room tone, white/pink/brown
  noise, mains hum, tones, chords, clicks, melodies), 0.5-8 s;
- ``clean``: held-out utterances as recorded;
- ``snr20``, ``snr10``, ``snr5``: the same utterances mixed into noise (``nonspeech.NOISE_KINDS``)
  at that SNR;
- ``quiet``: the same utterances at -30 dBFS.

Each item runs through ``OnnxPipeline`` (the SDK's stages in Python; its evidence equals the PyTorch
reference's within 1e-6, see the parity tests). Reported per set: how many items the bundle's
thresholds call no speech, and the distributions of ``no_speech_prob`` and ``avg_logprob``.
This is the model-side rule only: the SDK's acoustic gate runs before it.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import numpy as np
import soundfile as sf

from .nonspeech import mix_at_snr, nonspeech_clips, rng_for, set_level
from .onnx_pipeline import OnnxPipeline

log = logging.getLogger(__name__)

SPEECH_SETS = ("clean", "snr20", "snr10", "snr5", "quiet")


def _summary(values: list[float | None]) -> dict[str, float] | None:
    """Percentiles; None when there are no values (a bundle without a no-speech token)."""
    values = [v for v in values if v is not None]
    if not values:
        return None
    a = np.array(values, dtype=np.float64)
    q = np.percentile(a, [0, 10, 50, 90, 100])
    return {k: round(float(v), 4) for k, v in zip(("min", "p10", "median", "p90", "max"), q)}


def speech_sets(waves: list[tuple[str, np.ndarray]], seed: int) -> dict[str, list[tuple[str, np.ndarray]]]:
    """The held-out utterances as recorded, in noise at 20/10/5 dB SNR and quiet."""
    rng = rng_for(seed, "eval-speech-mix")
    out: dict[str, list[tuple[str, np.ndarray]]] = {s: [] for s in SPEECH_SETS}
    for name, w in waves:
        out["clean"].append((name, w))
        for snr in (20, 10, 5):
            out[f"snr{snr}"].append((name, mix_at_snr(w, rng, float(snr))))
        out["quiet"].append((name, set_level(w, -30.0)))
    return out


def evaluate(bundle: Path | str, speech: list[tuple[str, np.ndarray]], n_nonspeech: int = 40, seed: int = 0,
             clips_out: Path | str | None = None, threads: int = 2) -> dict[str, Any]:
    """Runs every set through the bundle; ``clips_out``: also write the non-speech clips there as
    16-bit WAV (for the CLI and API checks of the whole SDK)."""
    pipe = OnnxPipeline(bundle, threads=threads)
    if "whisper_decoder" not in pipe.sessions:
        raise ValueError(f"{bundle}: the bundle does not decode (no text modality): no model-side evidence")
    rate = pipe.m["audio"]["sample_rate"]
    max_seconds = min(8.0, pipe.m["audio"]["chunk_seconds"])
    clips = nonspeech_clips(n_nonspeech, seed, "eval-nonspeech", rate, max_seconds=max_seconds)
    if clips_out is not None:
        folder = Path(clips_out)
        folder.mkdir(parents=True, exist_ok=True)
        for c in clips:
            sf.write(str(folder / f"{c.name}.wav"), c.audio, rate, subtype="PCM_16")
    sets = {"nonspeech": [(c.name, c.audio) for c in clips], **(speech_sets(speech, seed) if speech else {})}
    report: dict[str, Any] = {"bundle": str(bundle), "thresholds": pipe.speech_decision.to_dict(), "sets": {}}
    for name, items in sets.items():
        nsp, lp, flagged, by_kind = [], [], [], {}
        for item, wave in items:
            r = pipe.run(wave)
            nsp.append(r.evidence.no_speech_prob)
            lp.append(r.evidence.avg_logprob)
            if not r.is_speech:
                flagged.append(item)
            if name == "nonspeech":
                kind = item.rsplit("-", 1)[0]
                k = by_kind.setdefault(kind, [0, 0])
                k[0] += 1
                k[1] += 0 if r.is_speech else 1
        entry = {"items": len(items), "called_no_speech": len(flagged), "no_speech_prob": _summary(nsp),
                 "avg_logprob": _summary(lp)}
        if name == "nonspeech":
            entry["by_kind"] = {k: {"items": v[0], "called_no_speech": v[1]} for k, v in by_kind.items()}
            entry["answered_with_an_emotion"] = sorted(set(i for i, _ in items) - set(flagged))
        else:
            entry["called_no_speech_items"] = flagged
        report["sets"][name] = entry
        log.info("speech decision on %s: %d of %d called no speech", name, len(flagged), len(items))
    return report


def markdown_table(report: dict[str, Any]) -> str:
    rows = ["| set | items | called no speech | no_speech_prob median (p10-p90) | avg_logprob median (p10-p90) |",
            "|---|---|---|---|---|"]
    names = {"nonspeech": "non-speech clips", "clean": "held-out speech", "snr20": "speech in noise, 20 dB SNR",
             "snr10": "speech in noise, 10 dB SNR", "snr5": "speech in noise, 5 dB SNR",
             "quiet": "quiet speech, -30 dBFS"}
    for key, e in report["sets"].items():
        p, lp = e["no_speech_prob"], e["avg_logprob"]
        nsp = f"{p['median']:.3f} ({p['p10']:.3f}-{p['p90']:.3f})" if p else "none (no no-speech token)"
        rows.append(f"| {names.get(key, key)} | {e['items']} | {e['called_no_speech']} "
                    f"({100 * e['called_no_speech'] / e['items']:.1f} %) | {nsp} "
                    f"| {lp['median']:.2f} ({lp['p10']:.2f}-{lp['p90']:.2f}) |")
    return "\n".join(rows)


def write_report(report: dict[str, Any], path: Path | str) -> None:
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    Path(path).write_text(json.dumps(report, indent=1) + "\n")

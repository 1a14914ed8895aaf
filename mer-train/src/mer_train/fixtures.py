"""Parity fixtures: real speech (espeak-ng, resampled by sox) and two non-speech clips (white
noise, digital silence) run through the PyTorch reference, every stage written out for the ONNX
and Java parity tests.

Layout of ``<dir>/fixtures.json``: bundle_id, tolerances, and cases with the utterance, small
integer/probability vectors inline, and larger float arrays as raw little-endian files beside it
(``arrays``: name -> {file, dtype, shape}). See docs/model-bundle.md.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
import soundfile as sf

from .export import BundleParts
from .nonspeech import coloured_noise, rng_for, set_level
from .reference import ReferencePipeline, fitted_window_encoder_states

SENTENCES = (
    ("won", "I can't believe we finally won the game today!"),
    ("alone", "Please just leave me alone, I am so tired of all this."),
)


def nonspeech_cases(sample_rate: int = 16000) -> tuple[tuple[str, np.ndarray], ...]:
    """2 s of white noise at -20 dBFS (fixed seed) and 2 s of digital silence."""
    n = 2 * sample_rate
    noise = set_level(coloured_noise(n, rng_for(0, "fixture-white-noise"), 0.0), -20.0)
    return ("noise", noise), ("silence", np.zeros(n, np.float32))


# Stated tolerances (max abs difference) for fp32 ONNX Runtime / Java vs the PyTorch reference;
# speech_evidence: no_speech_prob and avg_logprob (compression_ratio follows from the transcript).
TOLERANCES = {"log_mel": 1e-3, "encoder_states": 1e-4, "hidden_states": 1e-4, "logits": 1e-3,
              "probabilities": 1e-4, "speech_evidence": 1e-4}


def evidence_fields(r) -> dict[str, Any]:
    """The speech evidence of a reference result as fixture fields (empty when it did not decode)."""
    if r.evidence is None:
        return {}
    return {"no_speech_prob": r.evidence.no_speech_prob, "avg_logprob": r.evidence.avg_logprob,
            "compression_ratio": r.evidence.compression_ratio, "is_speech": r.is_speech}


def speak(text: str, sample_rate: int = 16000, voice: str = "en-us", speed: int = 160) -> np.ndarray:
    """espeak-ng speech converted to ``sample_rate`` mono by sox; float32 in [-1, 1]."""
    for tool in ("espeak-ng", "sox"):
        if shutil.which(tool) is None:
            raise RuntimeError(f"{tool} is not installed (apt-get install -y espeak-ng sox)")
    with tempfile.TemporaryDirectory() as d:
        raw, out = Path(d) / "raw.wav", Path(d) / "out.wav"
        subprocess.run(["espeak-ng", "-v", voice, "-s", str(speed), "-w", str(raw), text], check=True)
        subprocess.run(["sox", "-D", str(raw), "-r", str(sample_rate), "-c", "1", "-b", "16", str(out)], check=True)
        samples, rate = sf.read(str(out), dtype="float32")
    assert rate == sample_rate
    return samples


def _write_array(folder: Path, case: str, name: str, arr: np.ndarray) -> dict[str, Any]:
    dtype = "int64" if np.issubdtype(arr.dtype, np.integer) else "float32"
    arr = arr.astype("<i8" if dtype == "int64" else "<f4")
    fname = f"{case}.{name}.{'i64' if dtype == 'int64' else 'f32'}"
    arr.tofile(folder / fname)
    return {"file": fname, "dtype": dtype, "shape": list(arr.shape)}


def write_fixtures(parts: BundleParts, bundle_id: str, folder: Path | str) -> dict[str, Any]:
    folder = Path(folder)
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    ref = ReferencePipeline(parts)
    v = parts.head_config.variant
    cases = []
    inputs = [("speech", name, sentence, speak(sentence)) for name, sentence in SENTENCES]
    inputs += [("nonspeech", name, "", samples) for name, samples in nonspeech_cases()]
    for kind, name, sentence, samples in inputs:
        r = ref.run(samples)
        case: dict[str, Any] = {"name": name, "kind": kind, "sentence": sentence, "num_samples": len(samples),
                                "asr_tokens": r.asr_tokens, "transcript": r.transcript, "text_ids": r.text_ids,
                                "logits": r.logits.tolist(), "probabilities": r.probabilities.tolist(),
                                "label": parts.head_config.labels[int(r.probabilities.argmax())],
                                **evidence_fields(r)}
        arrays = {"waveform": _write_array(folder, name, "waveform", samples)}
        if r.log_mel is not None:
            arrays["log_mel"] = _write_array(folder, name, "log_mel", r.log_mel)
        if v.has("context"):
            arrays["encoder_states"] = _write_array(folder, name, "encoder_states", r.encoder_states)
        if v.needs_asr:
            # the opt-in fitted ASR window's oracle (Java FitAsrWindowTest)
            arrays["encoder_states_fitted"] = _write_array(folder, name, "encoder_states_fitted",
                                                           fitted_window_encoder_states(parts, samples))
        if r.wavlm_hidden_states is not None:
            arrays["wavlm_hidden_states"] = _write_array(folder, name, "wavlm_hidden_states", r.wavlm_hidden_states)
        if r.roberta_hidden_states is not None:
            arrays["roberta_hidden_states"] = _write_array(folder, name, "roberta_hidden_states", r.roberta_hidden_states)
        if v.has("text"):
            supplied = ref.run(samples, transcript=sentence)
            case["sentence_text_ids"] = supplied.text_ids
            case["probabilities_supplied"] = supplied.probabilities.tolist()
        case["arrays"] = arrays
        cases.append(case)
    doc = {"bundle_id": bundle_id, "made_by": "python -m mer_train make-test-bundle", "tolerances": TOLERANCES,
           "cases": cases}
    (folder / "fixtures.json").write_text(json.dumps(doc, indent=1) + "\n")
    return doc


def read_array(folder: Path, entry: dict[str, Any]) -> np.ndarray:
    dtype = "<i8" if entry["dtype"] == "int64" else "<f4"
    return np.fromfile(Path(folder) / entry["file"], dtype=dtype).reshape(entry["shape"])

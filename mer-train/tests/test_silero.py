"""mer_train.silero (the Python side of the default speech gate) against its committed fixture,
testdata/gate/silero-fixture.json (scripts/make_gate_fixture.py --silero-only), which
mer-sdk-vad's SileroFixtureTest also holds the Java detector to."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from mer_train import silero

REPO = Path(__file__).resolve().parents[2]
FIXTURE = json.loads((REPO / "testdata/gate/silero-fixture.json").read_text(encoding="utf-8"))
# onnxruntime versions and CPUs may pick other float32 kernels: see SileroFixtureTest's tolerance.
TOLERANCE = 1e-3


@pytest.mark.parametrize("case", FIXTURE["cases"], ids=lambda c: c["name"])
def test_probabilities_and_decision(case):
    x, sr = sf.read(str(REPO / case["audio"]), dtype="float32")
    ev = silero.evidence(x, sr)
    want = np.asarray(case["probabilities"])
    assert len(ev.probabilities) == len(want)
    assert np.max(np.abs(ev.probabilities - want), initial=0) <= TOLERANCE
    near = np.any(np.abs(want - 0.5) <= TOLERANCE) or np.any(np.abs(want - 0.35) <= TOLERANCE)
    if not near:
        assert ev.is_speech == case["is_speech"]
    if "truth_is_speech" in case:
        assert ev.is_speech == case["truth_is_speech"]


def test_the_model_is_checked():
    assert FIXTURE["sha256"] == silero.SHA256
    assert silero.session() is not None


def test_any_rate_and_empty_input():
    assert not silero.evidence(np.zeros(0, np.float32), 16000).is_speech
    t = np.arange(22050 * 2) / 22050
    assert not silero.evidence((0.3 * np.sin(2 * np.pi * 440 * t)).astype(np.float32), 22050).is_speech

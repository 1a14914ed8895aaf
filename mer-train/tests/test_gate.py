"""mer_train.gate, the numpy port of mer-sdk-vad's acoustic gate: it still gives the committed
fixture (testdata/gate/gate-fixture.json), which mer-sdk-vad's GateFixtureTest holds the Java
detector to; and the rule on bare counts is SpeechEvidence's."""

from __future__ import annotations

import json

import numpy as np
import pytest
import soundfile as sf

from mer_train import gate

from .conftest import REPO, TESTDATA

FIXTURE = json.loads((TESTDATA / "gate" / "gate-fixture.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("case", FIXTURE["cases"], ids=[c["name"] for c in FIXTURE["cases"]])
def test_the_port_gives_the_committed_fixture(case: dict) -> None:
    x, sr = sf.read(str(REPO / case["audio"]), dtype="float32")
    assert sr == case["sample_rate"]
    fr = gate.frames(x, sr)
    assert gate.evidence(x, sr).to_dict() == case["evidence"]
    assert fr.letters() == case["kinds"]
    np.testing.assert_allclose(fr.voicing, case["voicing"], rtol=0, atol=1e-9)


def test_the_fixture_holds_both_decisions() -> None:
    decisions = {c["evidence"]["is_speech"] for c in FIXTURE["cases"]}
    assert decisions == {True, False}


@pytest.mark.parametrize("steady,moving,speech", [(0, 9, False), (0, 10, True), (10, 10, True),
                                                  (11, 10, False), (100, 120, True)])
def test_the_rule_on_counts(steady: int, moving: int, speech: bool) -> None:
    assert gate.GateEvidence(500, 0, steady, moving, 0.01).is_speech is speech


def test_empty_and_short_audio_have_no_speech() -> None:
    assert gate.evidence(np.zeros(0, np.float32), 16000).frames == 0
    assert not gate.is_speech(np.zeros(100, np.float32), 16000)

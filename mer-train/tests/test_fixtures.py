"""The committed tiny bundles and fixtures: made by the script (reproducible from the seed), and the
bundle run stage by stage with ONNX Runtime (as the Java SDK does) matches the PyTorch reference."""

from __future__ import annotations

import json

import pytest

from mer_train.bundle import load_bundle
from mer_train.fixtures import read_array
from mer_train.onnx_pipeline import OnnxPipeline
from mer_train.reference import ReferencePipeline
from mer_train.testbundles import build_parts

from .conftest import TESTDATA, TINY, max_diff


def _fixtures(name):
    folder = TESTDATA / "fixtures" / name
    return folder, json.loads((folder / "fixtures.json").read_text())


@pytest.mark.parametrize("name", TINY)
def test_committed_bundle_is_valid_and_small(name):
    folder = TESTDATA / "bundles" / name
    manifest = load_bundle(folder)
    assert manifest["bundle_id"] == name
    assert sum(e["bytes"] for e in manifest["files"].values()) < 5 * 1024 * 1024


def test_two_differently_shaped_bundles():
    a, b = (load_bundle(TESTDATA / "bundles" / n, verify=False) for n in TINY)
    assert a["labels"] != b["labels"]
    assert a["variant"]["modalities"] != b["variant"]["modalities"]
    assert a["wavlm"] != b["wavlm"] and a["text"] != b["text"] and a["whisper"]["d_model"] != b["whisper"]["d_model"]


@pytest.mark.parametrize("name", TINY)
def test_fixtures_are_reproduced_by_the_reference(name):
    folder, fx = _fixtures(name)
    ref = ReferencePipeline(build_parts(name, seed=0))
    for case in fx["cases"]:
        r = ref.run(read_array(folder, case["arrays"]["waveform"]))
        assert r.asr_tokens == case["asr_tokens"]
        assert r.transcript == case["transcript"]
        assert r.text_ids == case["text_ids"]
        assert max_diff(r.probabilities, case["probabilities"]) <= 1e-5


@pytest.mark.parametrize("name", TINY)
def test_onnx_pipeline_matches_fixtures(name):
    folder, fx = _fixtures(name)
    tol = fx["tolerances"]
    pipe = OnnxPipeline(TESTDATA / "bundles" / name)
    for case in fx["cases"]:
        arrays = {k: read_array(folder, e) for k, e in case["arrays"].items()}
        r = pipe.run(arrays["waveform"])
        assert max_diff(r.log_mel[0], arrays["log_mel"]) <= tol["log_mel"]
        if "encoder_states" in arrays:
            assert max_diff(r.encoder_states, arrays["encoder_states"]) <= tol["encoder_states"]
        assert r.asr_tokens == case["asr_tokens"]
        assert r.transcript == case["transcript"]
        assert r.text_ids == case["text_ids"]
        assert max_diff(r.wavlm_hidden_states, arrays["wavlm_hidden_states"]) <= tol["hidden_states"]
        assert max_diff(r.roberta_hidden_states, arrays["roberta_hidden_states"]) <= tol["hidden_states"]
        assert max_diff(r.logits, case["logits"]) <= tol["logits"]
        assert max_diff(r.probabilities, case["probabilities"]) <= tol["probabilities"]
        assert r.label == case["label"]
        supplied = pipe.run(arrays["waveform"], transcript=case["sentence"])
        assert supplied.text_ids == case["sentence_text_ids"]
        assert max_diff(supplied.probabilities, case["probabilities_supplied"]) <= tol["probabilities"]

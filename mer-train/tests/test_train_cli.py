"""``python -m mer_train train`` as a user runs it: the variant options reach the trained model and
its bundle, every fold exports its own bundle, which reproduces that fold's predictions, and
``--restart`` retrains only the folds named. Tiny random encoders (``random:tiny``) on a corpus
of two sessions; about a minute and a half on two cores."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import numpy as np
import pytest
import torch

from mer_train.__main__ import main
from mer_train.bundle import load_bundle
from mer_train.corpus import CorpusConfig, make_corpus
from mer_train.iemocap import load_iemocap
from mer_train.onnx_pipeline import OnnxPipeline
from mer_train.train import read_wave

# The exported bundle against the fold's own predictions.jsonl (PyTorch, 6 decimals written):
# ONNX Runtime and PyTorch agree within 1e-4 on probabilities (test_variants), the file's rounding
# adds 5e-7.
SPEECH_TOLERANCE = 1e-4
# With context the training run reads Whisper's encoder states from its float16 cache
# (WhisperCache) while the bundle computes them in float32: the rounding (relative 2^-11) reaches
# the probabilities. Measured 1.3e-4 here (2026-12-01); speech-only folds 5e-7 to 8e-7, and
# fold 1's bundle on fold 2's utterances 0.46.
CONTEXT_TOLERANCE = 1e-3

SMALL = ["--wavlm", "random:tiny", "--roberta", "random:tiny", "--whisper", "random:tiny",
         "--transcripts", "reference", "--epochs", "1", "--batch-size", "8", "--head-d-model", "32",
         "--head-heads", "2", "--head-ffn", "64", "--threads", "2"]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("cli-corpus")
    make_corpus(root, CorpusConfig(sessions=2, utterances_per_emotion=2, dialogs_per_session=1, seed=0),
                progress=False)
    return root


def train(corpus: Path, out: Path, *options: str) -> int:
    return main(["train", "--corpus", str(corpus), "--out", str(out), *SMALL, *options])


def predictions(fold_dir: Path) -> list[dict]:
    return [json.loads(line) for line in (fold_dir / "predictions.jsonl").read_text().splitlines()]


def replay(bundle: Path, corpus: Path, fold_dir: Path, transcripts: bool) -> float:
    """Largest |bundle - predictions.jsonl| over the fold's test utterances, run through ONNX Runtime."""
    by_id = {u.id: u for u in load_iemocap(corpus)}
    pipe = OnnxPipeline(bundle)
    worst = 0.0
    for p in predictions(fold_dir):
        u = by_id[p["id"]]
        r = pipe.run(read_wave(u.wav), transcript=u.transcript if transcripts else None)
        worst = max(worst, float(np.abs(r.probabilities - np.array(p["probabilities"])).max()))
    return worst


@pytest.fixture(scope="module")
def speech_run(corpus, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("speech-run")
    assert train(corpus, out, "--modalities", "speech", "--no-layer-adapter", "--no-fusion",
                 "--fold", "1", "--fold", "2", "--bundle-prefix", "cli") == 0
    return out


def test_variant_options_reach_the_head_and_the_bundle(speech_run):
    for fold in (1, 2):
        d = speech_run / f"fold{fold}"
        m = load_bundle(d / "bundle")   # schema, checksums and graphs checked
        assert m["variant"] == {"modalities": ["speech"], "layer_adapter": False, "multimodal_fusion": False}
        assert set(m["graphs"]) == {"wavlm", "head"}
        assert "whisper" not in m and "text" not in m
        ck = torch.load(str(d / "head.pt"), map_location="cpu", weights_only=False)
        assert ck["train_config"]["modalities"] == ["speech"]
        assert ck["train_config"]["layer_adapter"] is False and ck["train_config"]["multimodal_fusion"] is False
        # without the layer adapter: the last layer only, through one block, no layer weights (eq. 2);
        # without MF: no fusion block (eqs. 3-8)
        names = list(ck["head"])
        assert not any("layer_weights" in n for n in names), names
        assert {n.split(".")[3] for n in names if n.startswith("adapters.speech.adapters.")} == {"0"}
        assert not any(n.startswith("fusion.") for n in names), names


def test_every_fold_exports_its_own_bundle(speech_run, corpus):
    results = json.loads((speech_run / "results.json").read_text())
    assert sorted(results["folds"]) == ["1", "2"]
    utts = load_iemocap(corpus)
    worst = {}
    for fold in (1, 2):
        d = speech_run / f"fold{fold}"
        done = json.loads((d / "metrics.json").read_text())
        assert done["bundle"] == str(d / "bundle") == results["bundles"][str(fold)]
        m = load_bundle(d / "bundle")
        assert m["bundle_id"] == f"cli-fold{fold}"
        assert f"test session {fold} held out" in m["description"]
        ids = [p["id"] for p in predictions(d)]
        assert sorted(ids) == sorted(u.id for u in utts if u.session == fold)
        assert results["folds"][str(fold)]["n"] == len(ids) == done["n_test"]
        worst[fold] = replay(d / "bundle", corpus, d, transcripts=False)
        assert worst[fold] < SPEECH_TOLERANCE, f"fold {fold}: bundle vs predictions.jsonl {worst[fold]:.2e}"
    # and each bundle is that fold's model: fold 1's bundle does not reproduce fold 2's predictions
    swapped = replay(speech_run / "fold1" / "bundle", corpus, speech_run / "fold2", transcripts=False)
    print(f"\nbundle vs predictions.jsonl: fold 1 {worst[1]:.2e}, fold 2 {worst[2]:.2e}; swapped {swapped:.2e}")
    assert swapped > 100 * SPEECH_TOLERANCE, f"fold 1's bundle on fold 2's test set: {swapped:.2e}"


def test_a_finished_fold_is_kept_and_restart_retrains_only_the_folds_named(speech_run, corpus, caplog):
    variant = ["--modalities", "speech", "--no-layer-adapter", "--no-fusion", "--bundle-prefix", "cli"]
    fold1, fold2 = speech_run / "fold1" / "metrics.json", speech_run / "fold2" / "metrics.json"
    before1, before2 = fold1.read_text(), fold2.read_text()
    stamp1 = fold1.stat().st_mtime_ns
    head2 = (speech_run / "fold2" / "head.pt").read_bytes()

    # the same run again, even with another learning rate: finished folds are not retrained
    with caplog.at_level(logging.INFO, logger="mer_train.train"):
        assert train(corpus, speech_run, *variant, "--fold", "2", "--lr", "1e-2") == 0
    assert "fold 2: already finished" in caplog.text
    assert fold2.read_text() == before2
    assert (speech_run / "fold2" / "head.pt").read_bytes() == head2

    # --restart discards fold 2 and trains it with the new settings; fold 1 is untouched
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="mer_train.train"):
        assert train(corpus, speech_run, *variant, "--fold", "2", "--lr", "1e-2", "--restart") == 0
    assert "fold 2: already finished" not in caplog.text
    ck = torch.load(str(speech_run / "fold2" / "head.pt"), map_location="cpu", weights_only=False)
    assert ck["train_config"]["lr"] == pytest.approx(1e-2)
    assert (speech_run / "fold2" / "head.pt").read_bytes() != head2
    assert fold1.read_text() == before1 and fold1.stat().st_mtime_ns == stamp1
    assert replay(speech_run / "fold2" / "bundle", corpus, speech_run / "fold2", transcripts=False) \
        < SPEECH_TOLERANCE


def test_text_and_context_without_speech(corpus, tmp_path):
    out = tmp_path / "run"
    assert train(corpus, out, "--modalities", "text,context", "--fold", "2") == 0
    d = out / "fold2"
    m = load_bundle(d / "bundle")
    assert m["variant"] == {"modalities": ["text", "context"], "layer_adapter": True, "multimodal_fusion": True}
    assert "wavlm" not in m["graphs"] and {"roberta", "whisper_encoder", "head"} <= set(m["graphs"])
    names = list(torch.load(str(d / "head.pt"), map_location="cpu", weights_only=False)["head"])
    assert "adapters.text.layer_weights" in names and any(n.startswith("fusion.") for n in names)
    worst = replay(d / "bundle", corpus, d, transcripts=True)
    print(f"\ntext+context bundle vs predictions.jsonl: {worst:.2e}")
    assert worst < CONTEXT_TOLERANCE, f"bundle vs predictions.jsonl {worst:.2e}"


def test_an_unknown_modality_is_refused_by_name(corpus, tmp_path, capsys):
    assert train(corpus, tmp_path / "run", "--modalities", "speech,video", "--fold", "2") == 2
    err = capsys.readouterr().err
    assert "modalities" in err and "video" in err
    assert not (tmp_path / "run" / "fold2" / "metrics.json").exists()


# --- training on a labelled-audio manifest (issue 15) ---------------------------------------------

THREE = ("neutral", "fearful", "surprised")


@pytest.fixture(scope="module")
def manifest(tmp_path_factory) -> Path:
    """Three labels (none of IEMOCAP's four but neutral), four speakers, group = speaker."""
    from mer_train.corpus import make_manifest_corpus
    root = tmp_path_factory.mktemp("manifest-corpus")
    return make_manifest_corpus(root, CorpusConfig(sessions=2, utterances_per_emotion=2, dialogs_per_session=1,
                                                   emotions=THREE, seed=0), progress=False)


def train_manifest(manifest: Path, out: Path, *options: str) -> int:
    return main(["train", "--manifest", str(manifest), "--out", str(out), *SMALL, *options])


def test_a_manifest_trains_with_its_own_labels_in_its_order_and_exports_them(manifest, tmp_path):
    from mer_train.dataset import read_manifest
    out = tmp_path / "run"
    assert train_manifest(manifest, out, "--modalities", "speech", "--fold", "Ses02F", "--labels",
                          "surprised,neutral,fearful", "--bundle-prefix", "m") == 0
    d = out / "foldSes02F"
    m = load_bundle(d / "bundle")
    assert m["labels"] == ["surprised", "neutral", "fearful"]
    assert m["bundle_id"] == "m-foldSes02F" and "test groups Ses02F" in m["description"]
    ck = torch.load(str(d / "head.pt"), map_location="cpu", weights_only=False)
    assert ck["head_config"]["labels"] == ["surprised", "neutral", "fearful"]
    preds = predictions(d)
    items = [it for it in read_manifest(manifest).items if it.group == "Ses02F"]
    assert sorted(p["audio"] for p in preds) == sorted(str(it.audio) for it in items)
    assert all(len(p["probabilities"]) == 3 and p["group"] == "Ses02F" for p in preds)
    pipe = OnnxPipeline(d / "bundle")
    worst = max(float(np.abs(pipe.run(it.load()).probabilities - np.array(p["probabilities"])).max())
                for it, p in zip(sorted(items, key=lambda it: str(it.audio)), sorted(preds, key=lambda p: p["audio"])))
    assert worst < SPEECH_TOLERANCE


def test_a_manifest_without_labels_option_sorts_its_labels(manifest, tmp_path):
    out = tmp_path / "run"
    assert train_manifest(manifest, out, "--modalities", "text", "--fold", "Ses01M", "--no-export") == 0
    results = json.loads((out / "results.json").read_text())
    assert results["labels"] == sorted(THREE)
    assert sorted(results["folds"]) == ["Ses01M"]


def test_reference_transcripts_missing_from_the_manifest_name_the_rows(manifest, tmp_path, capsys):
    lines = manifest.read_text().splitlines()
    header = lines[0].split(",")
    col = header.index("transcript")
    bad = tmp_path / "no-text.csv"
    rows = [lines[0]] + lines[1:]
    import csv
    import io
    parsed = list(csv.reader(io.StringIO("\n".join(rows))))
    parsed[2][col] = ""      # line 3 of the file
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(parsed)
    bad.write_text(buf.getvalue())
    for f in manifest.parent.iterdir():
        if f.is_dir():
            (tmp_path / f.name).symlink_to(f)
    assert train_manifest(bad, tmp_path / "run", "--modalities", "text", "--fold", "Ses01M") == 2
    err = capsys.readouterr().err
    assert "no-text.csv:3: transcript: missing" in err and "--transcripts asr" in err
    assert "no-text.csv:2:" not in err


def test_the_validation_part_picks_the_epoch_and_stops_early(manifest, tmp_path):
    out = tmp_path / "run"
    assert train_manifest(manifest, out, "--modalities", "speech", "--fold", "Ses02F", "--validation", "0.3",
                          "--patience", "2", "--epochs", "6", "--no-export") == 0
    done = json.loads((out / "foldSes02F" / "metrics.json").read_text())
    val = [h["validation_uar"] for h in done["history"]]
    assert done["n_validation"] > 0 and len(val) == len(done["history"])
    best = max(val)
    assert done["chosen_epoch"] == max(i + 1 for i, u in enumerate(val) if u == best)   # ties: the later epoch
    if done["stopped_after"] is not None:       # stopped: `patience` epochs without a better one
        assert done["stopped_after"] == len(val) == done["chosen_epoch"] + 2 < 6
    else:
        assert len(val) == 6


def test_cuda_without_a_gpu_is_refused_before_any_work(manifest, tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    assert train_manifest(manifest, tmp_path / "run", "--device", "cuda", "--fold", "Ses02F") == 2
    assert "torch.cuda.is_available() is False" in capsys.readouterr().err
    assert not (tmp_path / "run").exists()

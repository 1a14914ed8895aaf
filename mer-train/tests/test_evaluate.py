"""`python -m mer_train evaluate`: the committed expected reports (testdata/evaluate/expected.json,
which examples' EvaluateEqualityTest also holds `mer evaluate --format json` to), its refusals and
exit codes, and its metrics by their definitions."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from mer_train.evaluate import EvaluationError, Metrics, evaluate

from .conftest import TESTDATA

EXPECTED = json.loads((TESTDATA / "evaluate" / "expected.json").read_text(encoding="utf-8"))
CASES = EXPECTED["cases"]


def _id(c: dict) -> str:
    return f"{c['bundle']}-{c['manifest']}-{'-'.join(o.strip('-') for o in c['options'])}"


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "mer_train", "evaluate", *args], capture_output=True, text=True,
                          timeout=600)


@pytest.mark.parametrize("case", CASES, ids=[_id(c) for c in CASES])
def test_the_committed_report(case: dict) -> None:
    o = case["options"]
    ev = evaluate(TESTDATA / "bundles" / case["bundle"], TESTDATA / "evaluate" / case["manifest"],
                  transcripts=o[o.index("--transcripts") + 1], speech_gate="--no-speech-gate" not in o)
    assert ev.to_json() == case["report"]   # exactly: the same doubles, not merely close


def test_the_cli_prints_the_json_with_the_exit_code() -> None:
    case = next(c for c in CASES if c["bundle"] == "tiny-f" and "manifest" in c["options"])
    run = _cli(str(TESTDATA / "bundles" / "tiny-f"), str(TESTDATA / "evaluate" / case["manifest"]),
               "--format", "json", *case["options"])
    assert run.returncode == case["exit_code"] == 1, run.stderr   # the row cut past its file's end failed
    assert json.loads(run.stdout) == case["report"]
    assert case["report"]["labels"] == ["neutral", "calm", "happy", "sad", "angry", "fearful", "disgust", "surprised"]
    assert "ravdess8.csv:7" in run.stderr and "past the end" in run.stderr
    table = _cli(str(TESTDATA / "bundles" / "tiny-f"), str(TESTDATA / "evaluate" / case["manifest"]))
    assert "confusion matrix (rows: true label, columns: predicted)" in table.stdout
    assert "9 recognised, 2 no speech, 1 failed" in table.stdout


def test_manifest_transcripts_on_a_bundle_without_text_are_refused() -> None:
    with pytest.raises(EvaluationError, match="reads no text") as e:
        evaluate(TESTDATA / "bundles" / "tiny-c", TESTDATA / "evaluate" / "two.csv", transcripts="manifest")
    assert e.value.code == 2


def test_rows_without_a_transcript_are_named(tmp_path) -> None:
    m = tmp_path / "m.csv"
    audio = TESTDATA / "gate" / "espeak-en-us.wav"
    m.write_text(f"audio,label,transcript\n{audio},happy,hello\n{audio},sad,\n", encoding="utf-8")
    with pytest.raises(EvaluationError) as e:
        evaluate(TESTDATA / "bundles" / "tiny-a", m, transcripts="manifest")
    assert e.value.problems == [f"{m}:3: transcript: missing (--transcripts manifest needs one on every row)"]


def test_bad_rows_and_unknown_labels_exit_2_naming_the_lines(tmp_path) -> None:
    m = tmp_path / "bad.csv"
    m.write_text("audio,label,start\na.wav,happy,1.5s\nb.wav,,\n", encoding="utf-8")
    run = _cli(str(TESTDATA / "bundles" / "tiny-c"), str(m))
    assert run.returncode == 2 and run.stdout == ""
    assert f"{m}:2: start" in run.stderr and f"{m}:3: label" in run.stderr
    u = tmp_path / "unknown.csv"
    u.write_text("audio,label\na.wav,calm\nb.wav,bored\n", encoding="utf-8")
    run = _cli(str(TESTDATA / "bundles" / "tiny-c"), str(u))
    assert run.returncode == 2
    assert run.stderr.strip() == (f"mer_train evaluate: {u}:3: label: 'bored' is not one of the bundle's labels "
                                  "[calm, agitated]")


def test_metrics_by_their_definitions() -> None:
    m = Metrics.of(["a", "b", "c"], ["a", "a", "b", "b", "b", "c"], ["a", "b", "b", "b", "a", "a"])
    assert m.confusion == [[1, 1, 0], [1, 2, 0], [1, 0, 0]]
    assert m.accuracy() == 3 / 6
    assert m.uar() == (1 / 2 + 2 / 3 + 0) / 3
    assert m.macro_f1() == (2 / 5 + 4 / 6 + 0) / 3


def test_the_reader_cases_are_what_the_reader_gives(tmp_path) -> None:
    """testdata/evaluate/reader-cases.json (mer-sdk-dataset's ReaderAgreementTest holds the Java
    reader to it) is still what mer_train.dataset reads."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("make_reader_fixture",
                                                  TESTDATA.parent / "scripts" / "make_reader_fixture.py")
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    committed = json.loads((TESTDATA / "evaluate" / "reader-cases.json").read_text(encoding="utf-8"))["cases"]
    assert [c["name"] for c in committed] == [n for n, _ in script.CASES]
    for case in committed:
        p = tmp_path / case["name"]
        p.write_bytes(case["text"].encode("utf-8"))
        assert {"name": case["name"], "text": case["text"], **script.outcome(p)} == case


def test_the_demo_bundle_on_its_held_out_recordings_gives_scikit_learns_figures(tmp_path) -> None:
    """A trained bundle (its predictions vary): the figures of testdata/metrics/demo-evaluate.json
    (scikit-learn on the PyTorch reference's predictions), which examples' EvaluateCommandTest also
    holds `mer evaluate` to."""
    bundle = TESTDATA.parent / "mer-sdk-demo-bundle" / "src" / "main" / "resources" / "io" / "mersdk" / "demo" / "bundle"
    case = json.loads((TESTDATA / "metrics" / "demo-evaluate.json").read_text(encoding="utf-8"))["case"]
    m = tmp_path / "demo.csv"
    m.write_text("audio,label\n" + "".join(f"{TESTDATA.parent / f},{t}\n" for f, t in zip(case["files"], case["y_true"])),
                 encoding="utf-8")
    r = evaluate(bundle, m).to_json()
    assert (r["samples"], r["failed"], r["no_speech"]) == (len(case["files"]), 0, 0)
    assert r["labels"] == case["labels"]
    assert r["confusion_matrix"] == case["confusion_matrix"]
    for key in ("accuracy", "uar", "macro_f1"):
        assert r[key] == pytest.approx(case[key], abs=1e-12)

"""Writes testdata/evaluate/: small labelled dataset manifests (CSV) over committed audio, and
expected.json, what `python -m mer_train evaluate` reports on the committed tiny bundles with
them. The equality proof of issue 15: mer-train's tests/test_evaluate.py re-runs every case and
compares with expected.json, examples' EvaluateEqualityTest runs `mer evaluate --format json` on
the same bundles and manifests and asserts the same JSON (UAR, macro-F1, accuracy, per-label
figures, confusion matrix, samples, no-speech and failed counts).

The rows: the four recordings of examples/recordings (one cut twice inside the file with start and
end, and once past its end: a failed row), the 16 kHz espeak-ng clips of testdata/gate (clean,
in pink noise, quiet) and two non-speech clips (silence and a tone: the acoustic gate's no speech).
Every row has a transcript, for --transcripts manifest (one with a comma and quotes). The labels
are cycled through each label set (four: tiny-a, tiny-b, tiny-e; two: tiny-c; three: tiny-d;
ravdess8: tiny-f, the eight RAVDESS labels).

    .venv/bin/python scripts/make_evaluate_fixture.py
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "mer-train" / "src"))
from mer_train.dataset import Item, write_manifest  # noqa: E402
from mer_train.evaluate import evaluate  # noqa: E402

OUT = REPO / "testdata" / "evaluate"
REC = REPO / "examples" / "recordings"
GATE = REPO / "testdata" / "gate"

# (audio, start, end, transcript)
ROWS = [
    (REC / "neutral-Ses05F_impro01_F003.wav", None, None, "I think we should go home now."),
    (REC / "happy-Ses05F_impro01_F001.wav", None, None, "That is wonderful news, thank you!"),
    (REC / "angry-Ses05F_impro01_M000.wav", None, None, 'He said "never again", and he meant it.'),
    (REC / "sad-Ses05F_impro01_F000.wav", 0.5, 2.25, "I miss them"),
    (REC / "sad-Ses05F_impro01_F000.wav", 2.25, 4.5, "so much"),
    (REC / "sad-Ses05F_impro01_F000.wav", 3.0, 9.0, "past the end of the file"),
    (GATE / "espeak-en-us.wav", None, None, "The meeting moved to Thursday."),
    (GATE / "espeak-en-gb-f3.wav", None, None, "You did that again!"),
    (GATE / "espeak-pink-10db.wav", None, None, "You did that again!"),
    (GATE / "espeak-quiet-40dbfs.wav", None, None, "The meeting moved to Thursday."),
    (GATE / "nonspeech-silence.wav", None, None, "(silence)"),
    (GATE / "nonspeech-tone.wav", 0.0, 0.75, "(a tone)"),
]
LABEL_SETS = {
    "four": ["neutral", "happy", "angry", "sad", "sad", "sad", "neutral", "angry", "happy", "neutral", "sad",
             "happy"],
    "two": ["calm", "agitated"],
    "three": ["neutral", "positive", "negative"],
    "ravdess8": ["neutral", "calm", "happy", "sad", "angry", "fearful", "disgust", "surprised"],
}
CASES = [  # (bundle, manifest, transcripts, speech gate)
    ("tiny-a", "four", "asr", True), ("tiny-a", "four", "manifest", True), ("tiny-a", "four", "asr", False),
    ("tiny-b", "four", "asr", True), ("tiny-c", "two", "asr", True), ("tiny-c", "two", "asr", False),
    ("tiny-d", "three", "asr", True), ("tiny-d", "three", "manifest", True), ("tiny-e", "four", "asr", True),
    ("tiny-f", "ravdess8", "asr", True), ("tiny-f", "ravdess8", "manifest", True),
    ("tiny-f", "ravdess8", "asr", False),
]


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for name, labels in LABEL_SETS.items():
        items = [Item(audio=a, label=labels[i % len(labels)], group=f"s{i % 3}", transcript=t, start=s, end=e)
                 for i, (a, s, e, t) in enumerate(ROWS)]
        write_manifest(OUT / f"{name}.csv", items)
    cases = []
    for bundle, manifest, transcripts, speech_gate in CASES:
        ev = evaluate(REPO / "testdata" / "bundles" / bundle, OUT / f"{manifest}.csv", transcripts=transcripts,
                      speech_gate=speech_gate)
        assert ev.metrics is not None, (bundle, manifest)
        options = ["--transcripts", transcripts] + ([] if speech_gate else ["--no-speech-gate"])
        cases.append({"bundle": bundle, "manifest": f"{manifest}.csv", "options": options,
                      "exit_code": 0 if ev.failed == 0 else 1, "report": ev.to_json()})
        r = ev.to_json()
        print(f"{bundle} {manifest:9s} {' '.join(options):38s} samples {r['samples']:2d} failed {r['failed']} "
              f"no_speech {r['no_speech']} uar {r['uar']:.4f} macro_f1 {r['macro_f1']:.4f}")
    doc = {"generator": "scripts/make_evaluate_fixture.py (python -m mer_train evaluate)",
           "paths": "bundle: testdata/bundles/<bundle>; manifest: testdata/evaluate/<manifest>",
           "cases": cases}
    (OUT / "expected.json").write_text(json.dumps(doc, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()

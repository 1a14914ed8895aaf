"""Writes testdata/metrics/demo-evaluate.json: what `mer evaluate` must report for the demo bundle on
its held-out recordings, computed by scikit-learn from the PyTorch reference's predictions (the oracle
of examples/src/test/java/io/mersdk/examples/EvaluateCommandTest.java).

The set: the four recordings of examples/recordings (labels.tsv) and the other held-out utterances
the demo bundle's fixtures hold (mer-sdk-demo-bundle/src/test/resources/io/mersdk/demo/fixtures,
written by `python -m mer_train make-demo-bundle` with the PyTorch label of each). A recording's
prediction is its utterance's fixture label; the script checks that the two files hold the same
samples. Metrics as in make_metrics_fixture.py (scikit-learn, every label, zero_division=0).

    .venv/bin/python scripts/make_demo_evaluate_fixture.py   (any Python with scikit-learn, soundfile)
"""
from __future__ import annotations

import csv
import importlib.util
import json
from pathlib import Path

import numpy as np
import sklearn
import soundfile as sf

REPO = Path(__file__).resolve().parent.parent
OUT = REPO / "testdata" / "metrics" / "demo-evaluate.json"
RECORDINGS = REPO / "examples" / "recordings"
FIXTURES = REPO / "mer-sdk-demo-bundle" / "src" / "test" / "resources" / "io" / "mersdk" / "demo" / "fixtures"


def _metrics_script():
    spec = importlib.util.spec_from_file_location("make_metrics_fixture", REPO / "scripts" / "make_metrics_fixture.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _utterance(path: Path) -> str:
    return path.stem.split("-", 1)[-1]   # "angry-Ses05F_impro01_M000" -> "Ses05F_impro01_M000"


def evaluation_set() -> dict:
    fx = json.loads((FIXTURES / "fixtures.json").read_text(encoding="utf-8"))
    by_utt = {Path(c["audio"]).stem: c for c in fx["cases"]}
    files, y_true, y_pred = [], [], []
    used = set()
    # labels.tsv is a dataset manifest (header audio<TAB>label; docs/training.md, "Your own data")
    rows = csv.DictReader((RECORDINGS / "labels.tsv").read_text(encoding="utf-8").splitlines(), delimiter="\t")
    for row in rows:
        name, label = row["audio"], row["label"]
        utt = _utterance(Path(name))
        case = by_utt[utt]
        rec, _ = sf.read(str(RECORDINGS / name), dtype="float32")
        flac, _ = sf.read(str(FIXTURES / case["audio"]), dtype="float32")
        if rec.shape != flac.shape or not np.array_equal(rec, flac):
            raise SystemExit(f"{name}: not the samples of {case['audio']}; its prediction is unknown")
        if label != case["true_label"]:
            raise SystemExit(f"{name}: labels.tsv says {label}, the fixture {case['true_label']}")
        files.append(str((RECORDINGS / name).relative_to(REPO)))
        y_true.append(label)
        y_pred.append(case["label"])
        used.add(utt)
    for utt, case in by_utt.items():
        # the non-speech cases (noise, silence; true_label null) have no emotion to score: mer
        # evaluate counts them apart from the metrics
        if utt not in used and case.get("true_label") is not None:
            files.append(str((FIXTURES / case["audio"]).relative_to(REPO)))
            y_true.append(case["true_label"])
            y_pred.append(case["label"])
    return {"name": f"{fx['bundle_id']} on its held-out recordings", "labels": fx["labels"],
            "files": files, "y_true": y_true, "y_pred": y_pred}


def compute() -> dict:
    case = evaluation_set()
    files = case.pop("files")
    out = _metrics_script().compute(case)
    out["files"] = files
    return out


def main() -> None:
    doc = {"generator": "scripts/make_demo_evaluate_fixture.py", "sklearn_version": sklearn.__version__,
           "predictions": "the PyTorch reference's labels in the demo bundle's fixtures.json",
           "case": compute()}
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(doc, indent=1) + "\n", encoding="utf-8")
    c = doc["case"]
    print(f"wrote {OUT}: {len(c['files'])} files, UAR {c['uar']:.4f}, macro-F1 {c['macro_f1']:.4f}")


if __name__ == "__main__":
    main()

"""Writes testdata/metrics/sklearn-cases.json: metrics computed by scikit-learn for label/prediction
cases, so the Java ClassificationMetrics (mer evaluate) can be checked against the reference
implementation (examples/src/test/java/io/mersdk/examples/ClassificationMetricsTest.java).

Every metric is computed over the full label set (labels=...), with zero_division=0, as `mer
evaluate` does over all of a bundle's labels.

    /work/main/.venv/bin/python scripts/make_metrics_fixture.py   (any Python with scikit-learn)
"""
from __future__ import annotations

import json
import random
from pathlib import Path

import sklearn
from sklearn.metrics import (
    accuracy_score,
    confusion_matrix,
    f1_score,
    precision_score,
    recall_score,
)

OUT = Path(__file__).resolve().parent.parent / "testdata" / "metrics" / "sklearn-cases.json"
FOUR = ["neutral", "happy", "sad", "angry"]
SIX = ["neutral", "happy", "sad", "angry", "fearful", "surprised"]


def random_case(name: str, labels: list[str], n: int, seed: int, p_correct: float) -> dict:
    rng = random.Random(seed)
    y_true = [rng.choice(labels) for _ in range(n)]
    y_pred = [t if rng.random() < p_correct else rng.choice(labels) for t in y_true]
    return {"name": name, "labels": labels, "y_true": y_true, "y_pred": y_pred}


def cases() -> list[dict]:
    return [
        {"name": "perfect", "labels": FOUR,
         "y_true": ["neutral", "happy", "sad", "angry", "happy"],
         "y_pred": ["neutral", "happy", "sad", "angry", "happy"]},
        {"name": "all wrong", "labels": FOUR,
         "y_true": ["neutral", "happy", "sad", "angry"],
         "y_pred": ["happy", "sad", "angry", "neutral"]},
        {"name": "class never predicted (sad)", "labels": FOUR,
         "y_true": ["neutral", "happy", "sad", "sad", "angry", "neutral"],
         "y_pred": ["neutral", "happy", "neutral", "happy", "angry", "angry"]},
        {"name": "class absent from the truth (angry), but predicted", "labels": FOUR,
         "y_true": ["neutral", "happy", "sad", "neutral", "happy"],
         "y_pred": ["neutral", "angry", "sad", "angry", "happy"]},
        {"name": "class absent from truth and never predicted (angry)", "labels": FOUR,
         "y_true": ["neutral", "happy", "sad", "happy"],
         "y_pred": ["neutral", "sad", "sad", "happy"]},
        {"name": "one sample", "labels": FOUR, "y_true": ["sad"], "y_pred": ["happy"]},
        {"name": "everything predicted as one class", "labels": SIX,
         "y_true": ["neutral", "happy", "sad", "angry", "fearful", "surprised", "happy"],
         "y_pred": ["happy"] * 7},
        random_case("random 4 labels, 60 samples", FOUR, 60, seed=1, p_correct=0.5),
        random_case("random 6 labels, 200 samples", SIX, 200, seed=2, p_correct=0.3),
        random_case("random 6 labels, 9 samples", SIX, 9, seed=3, p_correct=0.4),
    ]


def compute(case: dict) -> dict:
    labels, t, p = case["labels"], case["y_true"], case["y_pred"]
    out = dict(case)
    out["accuracy"] = accuracy_score(t, p)
    out["uar"] = recall_score(t, p, labels=labels, average="macro", zero_division=0)
    out["macro_f1"] = f1_score(t, p, labels=labels, average="macro", zero_division=0)
    out["precision"] = precision_score(t, p, labels=labels, average=None, zero_division=0).tolist()
    out["recall"] = recall_score(t, p, labels=labels, average=None, zero_division=0).tolist()
    out["f1"] = f1_score(t, p, labels=labels, average=None, zero_division=0).tolist()
    out["confusion_matrix"] = confusion_matrix(t, p, labels=labels).tolist()
    return out


def main() -> None:
    doc = {
        "generator": "scripts/make_metrics_fixture.py",
        "sklearn_version": sklearn.__version__,
        "calls": {
            "accuracy": "accuracy_score(y_true, y_pred)",
            "uar": "recall_score(y_true, y_pred, labels=labels, average='macro', zero_division=0)",
            "macro_f1": "f1_score(y_true, y_pred, labels=labels, average='macro', zero_division=0)",
            "precision/recall/f1": "..._score(..., labels=labels, average=None, zero_division=0)",
            "confusion_matrix": "confusion_matrix(y_true, y_pred, labels=labels)",
        },
        "cases": [compute(c) for c in cases()],
    }
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(doc, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {len(doc['cases'])} cases to {OUT}")


if __name__ == "__main__":
    main()

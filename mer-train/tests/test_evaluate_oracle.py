"""testdata/evaluate/expected.json against an oracle that is not the code under test: every figure of
each committed report recomputed by scikit-learn from the report's confusion matrix (the pairs
(true, predicted) it counts), over all of the bundle's labels with zero_division=0, as `mer
evaluate` and `python -m mer_train evaluate` define them."""

from __future__ import annotations

import json

import numpy as np
import pytest
from sklearn.metrics import accuracy_score, f1_score, precision_recall_fscore_support, recall_score

from .conftest import TESTDATA

CASES = json.loads((TESTDATA / "evaluate" / "expected.json").read_text(encoding="utf-8"))["cases"]


@pytest.mark.parametrize("case", CASES, ids=[f"{c['bundle']}-{'-'.join(c['options'])}" for c in CASES])
def test_every_figure_is_scikit_learns(case):
    r = case["report"]
    labels = list(range(len(r["labels"])))
    cm = np.asarray(r["confusion_matrix"])
    assert cm.shape == (len(labels), len(labels))
    y_true = [i for i in labels for j in labels for _ in range(cm[i, j])]
    y_pred = [j for i in labels for j in labels for _ in range(cm[i, j])]
    assert r["samples"] == len(y_true)
    if not y_true:
        return
    # the report's doubles come from the same formulas in another order: 1e-12 is a few ulp of 1
    assert r["accuracy"] == pytest.approx(accuracy_score(y_true, y_pred), abs=1e-12)
    assert r["uar"] == pytest.approx(recall_score(y_true, y_pred, labels=labels, average="macro",
                                                  zero_division=0), abs=1e-12)
    assert r["macro_f1"] == pytest.approx(f1_score(y_true, y_pred, labels=labels, average="macro",
                                                   zero_division=0), abs=1e-12)
    p, rec, f1, support = precision_recall_fscore_support(y_true, y_pred, labels=labels, zero_division=0)
    for k, name in enumerate(r["labels"]):
        got = r["per_label"][name]
        assert got["precision"] == pytest.approx(p[k], abs=1e-12), name
        assert got["recall"] == pytest.approx(rec[k], abs=1e-12), name
        assert got["f1"] == pytest.approx(f1[k], abs=1e-12), name
        assert got["support"] == support[k], name

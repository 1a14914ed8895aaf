"""Evaluation metrics of the paper (III-D): unweighted average recall (UAR) and macro-F1, plus the
confusion matrix and weighted accuracy. Plain numpy, defined exactly as scikit-learn's
``recall_score(average="macro")``, ``f1_score(average="macro")`` (both over all ``num_labels``
classes, ``zero_division=0``), ``confusion_matrix`` and ``accuracy_score`` (tests check equality).
"""

from __future__ import annotations

from typing import Sequence

import numpy as np


def confusion(y_true: Sequence[int], y_pred: Sequence[int], num_labels: int) -> np.ndarray:
    """[num_labels, num_labels]; row = true label, column = predicted label."""
    cm = np.zeros((num_labels, num_labels), dtype=np.int64)
    np.add.at(cm, (np.asarray(y_true, dtype=np.int64), np.asarray(y_pred, dtype=np.int64)), 1)
    return cm


def _safe_div(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.divide(a, b, out=np.zeros_like(a, dtype=np.float64), where=b > 0)


def per_class(cm: np.ndarray) -> dict[str, np.ndarray]:
    tp = np.diag(cm).astype(np.float64)
    support = cm.sum(axis=1).astype(np.float64)
    predicted = cm.sum(axis=0).astype(np.float64)
    recall = _safe_div(tp, support)
    precision = _safe_div(tp, predicted)
    f1 = _safe_div(2 * tp, support + predicted)  # = 2PR / (P + R), 0 when undefined
    return {"recall": recall, "precision": precision, "f1": f1, "support": support}


def uar(cm: np.ndarray) -> float:
    """Unweighted average recall: the mean of the per-class recalls."""
    return float(per_class(cm)["recall"].mean())


def macro_f1(cm: np.ndarray) -> float:
    return float(per_class(cm)["f1"].mean())


def accuracy(cm: np.ndarray) -> float:
    """Weighted accuracy (WA): correct / all."""
    total = cm.sum()
    return float(np.trace(cm) / total) if total else 0.0


def evaluate(y_true: Sequence[int], y_pred: Sequence[int], labels: Sequence[str]) -> dict:
    cm = confusion(y_true, y_pred, len(labels))
    pc = per_class(cm)
    return {"uar": uar(cm), "macro_f1": macro_f1(cm), "accuracy": accuracy(cm), "n": int(cm.sum()),
            "labels": list(labels), "confusion": cm.tolist(),
            "recall": dict(zip(labels, pc["recall"].round(6).tolist())),
            "f1": dict(zip(labels, pc["f1"].round(6).tolist()))}

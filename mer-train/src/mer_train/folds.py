"""Fold schemes over the items of a dataset manifest (issue 15).

- :func:`leave_one_group_out`: one fold per group (speaker or session), testing on it; the IEMOCAP
  recipe with group = session is the paper's leave-one-session-out (III-D).
- :func:`grouped_k_fold`: ``k`` folds, no group in two test parts, labels stratified as far as
  the groups allow (scikit-learn's ``StratifiedGroupKFold``, shuffled with ``seed``).
- :func:`split_column`: one fold from the rows' ``split`` field (train / validation / test).

Each can carve a validation part out of its training part for early stopping
(``validation=FRACTION``): whole groups, so no speaker is in both (:func:`split_validation`).
Everything is deterministic given the items (in order) and the seed.
"""

from __future__ import annotations

import logging
import re
import warnings
from dataclasses import dataclass, field
from typing import Protocol, Sequence

import numpy as np

log = logging.getLogger(__name__)

SHOW_LINES = 5  # rows named in a message before "and N more"


class Row(Protocol):
    """What the fold schemes read from an item (``dataset.Item`` has it)."""

    label: str
    group: str | None
    split: str | None
    line: int


class FoldError(ValueError):
    """A fold scheme that cannot be applied to these items (the message says why and which rows)."""


@dataclass(frozen=True)
class Fold:
    """``train`` to fit on, ``validation`` (possibly empty) to pick the epoch or stop early, ``test``
    to report on. Lists keep the items' order."""

    name: str
    train: list = field(default_factory=list)
    test: list = field(default_factory=list)
    validation: list = field(default_factory=list)

    def summary(self) -> str:
        return f"{self.name}: train {len(self.train)}, validation {len(self.validation)}, test {len(self.test)}"


def natural_key(s: str) -> tuple:
    """Sort key putting "Session2" before "Session10" (digit runs compare as numbers)."""
    return tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in re.split(r"(\d+)", s) if p)


def _lines(rows: Sequence[Row]) -> str:
    shown = ", ".join(str(r.line) for r in rows[:SHOW_LINES])
    more = f" and {len(rows) - SHOW_LINES} more" if len(rows) > SHOW_LINES else ""
    return f"line{'s' if len(rows) > 1 else ''} {shown}{more}"


def _require_groups(items: Sequence[Row], scheme: str) -> list[str]:
    missing = [it for it in items if it.group is None]
    if missing:
        raise FoldError(f"{scheme} needs a group (speaker or session) on every row; {len(missing)} of {len(items)} "
                        f"rows have none: manifest {_lines(missing)}")
    return [it.group for it in items]  # type: ignore[misc]


def _require_items(items: Sequence[Row], scheme: str) -> None:
    if not items:
        raise FoldError(f"{scheme}: no items")


def leave_one_group_out(items: Sequence[Row], groups: Sequence[str] | None = None, *, validation: float = 0.0,
                        seed: int = 0) -> list[Fold]:
    """One fold per group (in natural order), or per group of ``groups`` (in that order): test on
    its items, train on every other group's."""
    scheme = "leave-one-group-out"
    _require_items(items, scheme)
    present = sorted(set(_require_groups(items, scheme)), key=natural_key)
    if len(present) < 2:
        raise FoldError(f"{scheme} needs at least 2 groups, the items have {present}")
    chosen = present if groups is None else list(groups)
    unknown = [g for g in chosen if g not in present]
    if unknown:
        raise FoldError(f"{scheme}: no items of group(s) {unknown} (groups present: {present})")
    folds = []
    for g in chosen:
        train = [it for it in items if it.group != g]
        test = [it for it in items if it.group == g]
        folds.append(_with_validation(Fold(str(g), train, test), validation, seed))
    return folds


def _stratified_group_parts(labels: list[str], groups: list[str], k: int, seed: int) -> list[np.ndarray]:
    """Index arrays of the ``k`` test parts of scikit-learn's StratifiedGroupKFold."""
    from sklearn.model_selection import StratifiedGroupKFold

    with warnings.catch_warnings():
        # "The least populated class in y has only N members, which is less than n_splits": a
        # rare label then misses some test parts, which is all stratification can do
        warnings.simplefilter("ignore", UserWarning)
        splitter = StratifiedGroupKFold(n_splits=k, shuffle=True, random_state=seed)
        return [test for _, test in splitter.split(np.zeros(len(labels)), labels, groups)]


def grouped_k_fold(items: Sequence[Row], k: int, seed: int = 0, *, validation: float = 0.0) -> list[Fold]:
    """``k`` folds ("fold1".."foldK"): each group's items are all in one test part; labels spread
    over the parts as evenly as whole groups allow."""
    scheme = f"grouped {k}-fold"
    if k < 2:
        raise FoldError(f"grouped k-fold needs k >= 2, got {k}")
    _require_items(items, scheme)
    groups = _require_groups(items, scheme)
    n_groups = len(set(groups))
    if k > n_groups:
        raise FoldError(f"{scheme}: k={k} is more than the number of groups ({n_groups}); use k <= {n_groups} "
                        "or leave-one-group-out")
    labels = [it.label for it in items]
    if len(set(labels)) > 1 and max(labels.count(lab) for lab in set(labels)) < k:
        # scikit-learn refuses this case ("cannot be greater than the number of members in each class")
        raise FoldError(f"{scheme}: every label has fewer than {k} rows; use a smaller k")
    folds = []
    for i, test_idx in enumerate(_stratified_group_parts(labels, groups, k, seed), start=1):
        in_test = np.zeros(len(items), bool)
        in_test[test_idx] = True
        if not in_test.any():
            raise FoldError(f"{scheme}: part {i} came out empty (groups too uneven for k={k}); use a smaller k")
        folds.append(_with_validation(Fold(f"fold{i}", [it for it, t in zip(items, in_test) if not t],
                                           [it for it, t in zip(items, in_test) if t]), validation, seed))
    return folds


def split_column(items: Sequence[Row], *, validation: float = 0.0, seed: int = 0) -> list[Fold]:
    """One fold named "split" from the rows' ``split`` field. Rows marked ``validation`` are the
    validation part; without any, ``validation=FRACTION`` carves one out of the train rows by group."""
    scheme = "the split column"
    _require_items(items, scheme)
    missing = [it for it in items if it.split is None]
    if missing:
        raise FoldError(f"{scheme} needs a split (train, validation or test) on every row; {len(missing)} of "
                        f"{len(items)} rows have none: manifest {_lines(missing)}")
    parts = {s: [it for it in items if it.split == s] for s in ("train", "validation", "test")}
    if not parts["test"]:
        raise FoldError(f"{scheme}: no row has split 'test' (splits present: "
                        f"{sorted({it.split for it in items})}); nothing to evaluate on")
    if not parts["train"]:
        raise FoldError(f"{scheme}: no row has split 'train'; nothing to train on")
    fold = Fold("split", parts["train"], parts["test"], parts["validation"])
    train_groups = {it.group for it in parts["train"]} - {None}
    for other in ("validation", "test"):
        shared = sorted(train_groups & {it.group for it in parts[other]}, key=natural_key)
        if shared:
            log.warning("%s: %d group(s) have rows in both train and %s (e.g. %s): the %s figures are not "
                        "speaker-independent", scheme, len(shared), other, shared[0], other)
    return [fold if parts["validation"] else _with_validation(fold, validation, seed)]


def split_validation(train: Sequence[Row], fraction: float, seed: int = 0) -> tuple[list, list]:
    """(train, validation): about ``fraction`` of ``train``'s rows in whole groups (never a group
    in both), labels stratified as far as the groups allow. Deterministic given the rows and seed."""
    if not 0.0 < fraction < 1.0:
        raise FoldError(f"validation fraction must be between 0 and 1 (exclusive), got {fraction}")
    scheme = "a grouped validation split"
    _require_items(train, scheme)
    groups = _require_groups(train, scheme)
    n_groups = len(set(groups))
    if n_groups < 2:
        raise FoldError(f"{scheme} needs at least 2 groups in the training part, it has {sorted(set(groups))}")
    # one part of round(1 / fraction) stratified group parts; fewer parts (a larger share) when
    # there are fewer groups than that
    k = min(max(2, round(1.0 / fraction)), n_groups)
    labels = [it.label for it in train]
    most = max(labels.count(lab) for lab in set(labels))
    if len(set(labels)) > 1 and most < k:  # scikit-learn needs some label with >= k rows
        k = most
        if k < 2:
            raise FoldError(f"{scheme}: every label has a single row in the training part; too few to hold some out")
    held = np.zeros(len(train), bool)
    held[_stratified_group_parts(labels, groups, k, seed)[0]] = True
    return [it for it, h in zip(train, held) if not h], [it for it, h in zip(train, held) if h]


def _with_validation(fold: Fold, fraction: float, seed: int) -> Fold:
    if not fraction:
        return fold
    train, val = split_validation(fold.train, fraction, seed)
    return Fold(fold.name, train, fold.test, val)

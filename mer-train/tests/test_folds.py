"""Fold schemes over manifest items (mer_train.folds)."""

from __future__ import annotations

import logging
from collections import Counter
from pathlib import Path

import pytest

from mer_train.dataset import Item
from mer_train.folds import (Fold, FoldError, grouped_k_fold, leave_one_group_out, natural_key, split_column,
                             split_validation)

LABELS = ("angry", "happy", "neutral", "sad")


def corpus(n_groups: int = 10, per_label: int = 3, skew: bool = True) -> list[Item]:
    """Items of ``n_groups`` speakers; with ``skew`` each speaker has more of one label."""
    items = []
    for g in range(1, n_groups + 1):
        for li, lab in enumerate(LABELS):
            n = per_label + (3 if skew and li == g % len(LABELS) else 0)
            for j in range(n):
                items.append(Item(audio=Path(f"/d/s{g}_{lab}_{j}.wav"), label=lab, group=f"spk{g}",
                                  line=len(items) + 2))
    return items


def groups_of(items) -> set:
    return {it.group for it in items}


def check_partition(items, folds: list[Fold]) -> None:
    for f in folds:
        assert not groups_of(f.train) & groups_of(f.test), f.name
        assert not groups_of(f.train) & groups_of(f.validation), f.name
        assert not groups_of(f.validation) & groups_of(f.test), f.name
        assert len(f.train) + len(f.validation) + len(f.test) == len(items), f.name
        order = {id(it): i for i, it in enumerate(items)}
        for part in (f.train, f.validation, f.test):
            assert [order[id(it)] for it in part] == sorted(order[id(it)] for it in part)  # items' order kept


def test_natural_order() -> None:
    assert sorted(["Session10", "Session2", "Session1", "a"], key=natural_key) == ["Session1", "Session2",
                                                                                 "Session10", "a"]


def test_leave_one_group_out() -> None:
    items = corpus(n_groups=12)
    folds = leave_one_group_out(items)
    assert [f.name for f in folds] == [f"spk{g}" for g in range(1, 13)]  # natural order, not spk1, spk10, ...
    check_partition(items, folds)
    assert all(groups_of(f.test) == {f.name} and not f.validation for f in folds)
    chosen = leave_one_group_out(items, groups=["spk3", "spk1"])
    assert [f.name for f in chosen] == ["spk3", "spk1"]
    with pytest.raises(FoldError, match=r"no items of group\(s\) \['spk99'\]"):
        leave_one_group_out(items, groups=["spk99"])


def test_leave_one_group_out_with_validation_is_deterministic() -> None:
    items = corpus(n_groups=12)
    a = leave_one_group_out(items, validation=0.2, seed=3)
    b = leave_one_group_out(items, validation=0.2, seed=3)
    check_partition(items, a)
    assert [[it.line for it in f.validation] for f in a] == [[it.line for it in f.validation] for f in b]
    for f in a:
        share = len(f.validation) / (len(f.train) + len(f.validation))
        assert 0.1 <= share <= 0.35, (f.name, share)
    c = leave_one_group_out(items, validation=0.2, seed=4)
    assert [groups_of(f.validation) for f in a] != [groups_of(f.validation) for f in c]


@pytest.mark.parametrize("seed", [0, 1, 7])
def test_grouped_k_fold_partitions_by_group_and_stratifies(seed: int) -> None:
    items = corpus(n_groups=20)
    folds = grouped_k_fold(items, 5, seed)
    assert [f.name for f in folds] == [f"fold{i}" for i in range(1, 6)]
    check_partition(items, folds)
    tested = [it for f in folds for it in f.test]
    assert sorted(it.line for it in tested) == [it.line for it in items]  # every item tested once
    overall = Counter(it.label for it in items)
    for f in folds:
        c = Counter(it.label for it in f.test)
        for lab in LABELS:  # each part's label shares near the whole corpus's
            assert abs(c[lab] / len(f.test) - overall[lab] / len(items)) < 0.1, (f.name, lab)
    again = grouped_k_fold(items, 5, seed)
    assert [[it.line for it in f.test] for f in folds] == [[it.line for it in f.test] for f in again]


def test_grouped_k_fold_seed_changes_the_parts() -> None:
    items = corpus(n_groups=20)
    assert ([groups_of(f.test) for f in grouped_k_fold(items, 4, 0)]
            != [groups_of(f.test) for f in grouped_k_fold(items, 4, 1)])


def test_grouped_k_fold_with_validation() -> None:
    items = corpus(n_groups=20)
    folds = grouped_k_fold(items, 4, seed=2, validation=0.15)
    check_partition(items, folds)
    assert all(f.validation for f in folds)


def test_rows_without_a_group_are_named() -> None:
    items = corpus(n_groups=3)
    items[4] = Item(audio=Path("/d/x.wav"), label="sad", line=6)
    items[9] = Item(audio=Path("/d/y.wav"), label="sad", group=None, line=11)
    for call in (lambda: leave_one_group_out(items), lambda: grouped_k_fold(items, 2, 0),
                 lambda: split_validation(items, 0.2)):
        with pytest.raises(FoldError, match=r"needs a group \(speaker or session\) on every row; 2 of \d+ rows "
                                            r"have none: manifest lines 6, 11$"):
            call()
    many = [Item(audio=Path("/d/x.wav"), label="a", line=i) for i in range(2, 12)]
    with pytest.raises(FoldError, match=r"manifest lines 2, 3, 4, 5, 6 and 5 more$"):
        leave_one_group_out(many)


def test_k_larger_than_the_groups() -> None:
    items = corpus(n_groups=3)
    with pytest.raises(FoldError, match=r"k=4 is more than the number of groups \(3\); use k <= 3"):
        grouped_k_fold(items, 4, 0)
    with pytest.raises(FoldError, match=r"k >= 2"):
        grouped_k_fold(items, 1, 0)
    with pytest.raises(FoldError, match=r"at least 2 groups"):
        leave_one_group_out([it for it in items if it.group == "spk1"])
    with pytest.raises(FoldError, match=r"no items"):
        grouped_k_fold([], 2, 0)


def with_split(items, split_of) -> list[Item]:
    return [Item(audio=it.audio, label=it.label, group=it.group, split=split_of(it), line=it.line) for it in items]


def test_split_column() -> None:
    items = with_split(corpus(n_groups=6), lambda it: {"spk5": "validation", "spk6": "test"}.get(it.group, "train"))
    (f,) = split_column(items)
    assert f.name == "split"
    assert (groups_of(f.train), groups_of(f.validation), groups_of(f.test)) == (
        {"spk1", "spk2", "spk3", "spk4"}, {"spk5"}, {"spk6"})
    check_partition(items, [f])
    # no validation rows: carved out of the train rows by group when asked
    no_val = with_split(corpus(n_groups=6), lambda it: "test" if it.group == "spk6" else "train")
    (g,) = split_column(no_val)
    assert not g.validation
    (h,) = split_column(no_val, validation=0.25, seed=0)
    check_partition(no_val, [h])
    assert h.validation and groups_of(h.test) == {"spk6"}


def test_split_column_errors(caplog) -> None:
    items = corpus(n_groups=3)
    with pytest.raises(FoldError, match=r"needs a split .* rows have none: manifest lines 2, 3, 4, 5, 6 and"):
        split_column(items)
    only_train = with_split(items, lambda it: "train")
    with pytest.raises(FoldError, match=r"no row has split 'test' \(splits present: \['train'\]\)"):
        split_column(only_train)
    only_test = with_split(items, lambda it: "test")
    with pytest.raises(FoldError, match=r"no row has split 'train'"):
        split_column(only_test)
    mixed = with_split(items, lambda it: "test" if it.line % 2 else "train")  # speakers in both
    with caplog.at_level(logging.WARNING, logger="mer_train.folds"):
        split_column(mixed)
    assert "3 group(s) have rows in both train and test" in caplog.text


def test_split_validation_edges() -> None:
    items = corpus(n_groups=2)
    train, val = split_validation(items, 0.1)  # two groups: one of them
    assert len(groups_of(val)) == 1 and groups_of(train) | groups_of(val) == {"spk1", "spk2"}
    with pytest.raises(FoldError, match=r"between 0 and 1"):
        split_validation(items, 1.0)
    with pytest.raises(FoldError, match=r"at least 2 groups in the training part"):
        split_validation([it for it in items if it.group == "spk1"], 0.2)

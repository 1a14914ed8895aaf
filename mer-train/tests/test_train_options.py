"""The training options that need no training run: label order, folds by group, class balance,
the device/precision choice (``torch.cuda`` mocked: no GPU here), and progress bars off in logs."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

from mer_train import progress
from mer_train import train as train_mod
from mer_train.dataset import Item, ManifestError
from mer_train.train import (Sample, TrainConfig, check_transcripts, class_weights, epoch_order, make_folds,
                             resolve_labels, select_precision)


def sample(i: int, label: str, group: str | None, split: str | None = None, transcript: str | None = "words"):
    item = Item(Path(f"/data/u{i}.wav"), label, group, transcript, split=split, line=i + 2)
    return Sample(f"u{i}", item, f"data.csv:{i + 2}")


def config(**kw) -> TrainConfig:
    return TrainConfig(manifest="data.csv", out="unused", **kw)


GROUPS = ["spk1", "spk2", "spk3", "spk4"]
DATA = [sample(i, ["calm", "angry", "sad"][i % 3], GROUPS[i % 4]) for i in range(24)]


def test_labels_are_sorted_unless_given_and_a_stray_label_names_its_row():
    assert resolve_labels(DATA, None) == ("angry", "calm", "sad")
    assert resolve_labels(DATA, ("sad", "calm", "angry")) == ("sad", "calm", "angry")
    with pytest.raises(ManifestError, match=r"data\.csv:3: label: 'angry' is not in --labels"):
        resolve_labels(DATA, ("sad", "calm"))
    with pytest.raises(ValueError, match="at least 2 labels"):
        resolve_labels([sample(0, "calm", "a")], None)


def test_reference_transcripts_missing_name_their_rows():
    rows = DATA[:3] + [sample(7, "calm", "spk1", transcript=None)]
    with pytest.raises(ValueError, match=r"data\.csv:9: transcript: missing.*--transcripts asr"):
        check_transcripts(rows)


def test_the_fold_options_reach_the_fold_schemes():
    """folds.py (tested in test_folds.py) makes the folds; these are the options that choose them."""
    folds = make_folds(config(validation=0.3), DATA)
    assert [f.name for f in folds] == GROUPS
    for f in folds:
        assert {s.group for s in f.test} == {f.name}
        assert f.validation and not {s.group for s in f.validation} & ({s.group for s in f.train} | {f.name})
        assert len(f.train) + len(f.validation) + len(f.test) == len(DATA)
    only = make_folds(config(folds=("spk3",)), DATA)
    assert [f.name for f in only] == ["spk3"] and not only[0].validation
    with pytest.raises(ValueError, match=r"spk9"):
        make_folds(config(folds=("spk9",)), DATA)
    kfold = make_folds(config(fold_scheme="kfold", k=2), DATA)
    assert [f.name for f in kfold] == ["1", "2"]             # folder fold1, fold2 (as sessions' are)
    assert [f.name for f in make_folds(config(fold_scheme="kfold", k=2, folds=("2",)), DATA)] == ["2"]
    with pytest.raises(ValueError, match=r"fold \['3'\]: not a fold of scheme 'kfold'"):
        make_folds(config(fold_scheme="kfold", k=2, folds=("3",)), DATA)
    split = [sample(i, "calm" if i % 2 else "sad", f"g{i}", s)
             for i, s in enumerate(["train", "test", "validation", "train", "test"])]
    f, = make_folds(config(fold_scheme="split"), split)
    assert (f.name, len(f.train), len(f.validation), len(f.test)) == ("split", 2, 1, 2)


def test_iemocap_sessions_are_folds_in_numeric_order():
    rows = [sample(i, "calm" if i % 2 else "sad", str(g)) for i, g in enumerate([10, 2, 1, 10, 2, 1])]
    assert [f.name for f in make_folds(config(), rows)] == ["1", "2", "10"]


def test_class_weights_are_scikit_learns_balanced_weights():
    from sklearn.utils.class_weight import compute_class_weight
    y = [0] * 30 + [1] * 6 + [2] * 12
    expected = compute_class_weight("balanced", classes=np.arange(3), y=y)
    assert class_weights(y, 3).numpy() == pytest.approx(expected, rel=1e-6)
    assert class_weights([0, 0, 1, 1], 3).tolist() == [pytest.approx(4 / 6), pytest.approx(4 / 6), 0.0]


def test_the_balanced_sampler_draws_every_label_equally_often():
    y = [0] * 900 + [1] * 90 + [2] * 10
    order = epoch_order(y, "sampler", seed=0, epoch=0)
    counts = np.bincount(np.asarray(y)[order], minlength=3)
    assert len(order) == len(y)
    assert counts.min() > 280 and counts.max() < 390, counts
    perm = epoch_order(y, "weights", seed=0, epoch=0)
    assert sorted(perm.tolist()) == list(range(len(y)))
    assert (epoch_order(y, "sampler", 0, 3) == epoch_order(y, "sampler", 0, 3)).all()   # resumable


class FakeCuda:
    def __init__(self, available: bool, bf16: bool) -> None:
        self.available, self.bf16 = available, bf16

    def is_available(self) -> bool:
        return self.available

    def is_bf16_supported(self) -> bool:
        return self.bf16


@pytest.mark.parametrize("available,bf16,asked,expected", [
    (True, True, "auto", ("bf16", torch.bfloat16, False)),
    (True, False, "auto", ("fp16", torch.float16, True)),      # fp16 needs loss scaling
    (True, True, "fp16", ("fp16", torch.float16, True)),
    (True, True, "fp32", ("fp32", None, False)),
])
def test_cuda_precision_follows_what_the_gpu_supports(monkeypatch, available, bf16, asked, expected):
    monkeypatch.setattr(train_mod.torch, "cuda", FakeCuda(available, bf16))
    p = select_precision("cuda", asked)
    assert (p.name, p.autocast, p.scaler) == expected
    assert select_precision("cuda:1", asked).name == expected[0]


def test_cuda_without_a_gpu_or_bf16_fails_naming_the_fix(monkeypatch):
    monkeypatch.setattr(train_mod.torch, "cuda", FakeCuda(False, False))
    with pytest.raises(ValueError, match="is_available.*--device cpu"):
        select_precision("cuda", "auto")
    monkeypatch.setattr(train_mod.torch, "cuda", FakeCuda(True, False))
    with pytest.raises(ValueError, match="bfloat16; use fp16 or fp32"):
        select_precision("cuda", "bf16")


def test_the_cpu_trains_in_fp32():
    assert select_precision("cpu", "auto").name == "fp32" and select_precision("cpu", "fp32").autocast is None
    with pytest.raises(ValueError, match="'bf16' is for --device cuda"):
        select_precision("cpu", "bf16")
    with pytest.raises(ValueError, match="precision: 'fp8'"):
        select_precision("cpu", "fp8")


def test_progress_bars_are_off_in_tests_and_logs(monkeypatch, capsys):
    assert progress.progress_enabled() is False          # pytest sets PYTEST_CURRENT_TEST
    list(progress.progress_bar(range(3), desc="x"))
    assert capsys.readouterr().err == ""
    monkeypatch.delenv("PYTEST_CURRENT_TEST")
    assert progress.progress_enabled() is None            # tqdm decides: a terminal only
    assert progress.progress_bar(range(3), file=None).disable is True   # captured stderr is no terminal
    monkeypatch.setenv("MER_PROGRESS", "1")
    assert progress.progress_enabled() is True
    monkeypatch.setenv("MER_PROGRESS", "0")
    assert progress.progress_enabled() is False
    assert progress.progress_enabled(True) is True


def test_bad_settings_are_refused_by_name():
    with pytest.raises(ValueError, match="either manifest.*or corpus"):
        TrainConfig(out="x")
    with pytest.raises(ValueError, match="balance: 'oversample'"):
        config(balance="oversample")
    with pytest.raises(ValueError, match="fold_scheme: 'loso'"):
        config(fold_scheme="loso")

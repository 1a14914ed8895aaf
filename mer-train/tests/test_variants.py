"""Every variant of the paper's Tables I and II: any non-empty modality subset, with/without layer
adapters (LA) and multimodal fusion (MF); each runs in PyTorch and exports to an equal ONNX head."""

from __future__ import annotations

import itertools

import numpy as np
import onnxruntime as ort
import pytest
import torch

from mer_train.config import MODALITIES, HeadConfig, Variant
from mer_train.export import _export, _HeadWrapper
from mer_train.model import EmotionHead

from .conftest import max_diff

SUBSETS = [s for r in (1, 2, 3) for s in itertools.combinations(MODALITIES, r)]
VARIANTS = [(s, la, mf) for s in SUBSETS for la in (True, False) for mf in (True, False)]
DIMS = {"speech": (3, 20), "text": (2, 12), "context": 16}


def _inputs(v: Variant, lengths: dict[str, list[int]], seed: int):
    """A padded batch: item i has lengths[m][i] real frames of modality m; the padding is random
    garbage (not zeros) behind a zero mask, so only a head that honours the masks gives the same
    result as the item alone."""
    g = torch.Generator().manual_seed(seed)
    batch = len(next(iter(lengths.values())))
    out = []
    for m in v.modalities:
        t = max(lengths[m])
        if m == "context":
            states = torch.randn(batch, t, DIMS["context"], generator=g)
        else:
            layers, d = DIMS[m]
            states = torch.randn(batch, layers + 1, t, d, generator=g)
        mask = torch.zeros(batch, t, dtype=torch.long)
        for i, n in enumerate(lengths[m]):
            mask[i, :n] = 1
        out += [states, mask]
    return out


def _item(v: Variant, inputs: list[torch.Tensor], lengths: dict[str, list[int]], i: int) -> list[torch.Tensor]:
    """Item i of a padded batch, cut to its own lengths (batch of one, no padding)."""
    out = []
    for k, m in enumerate(v.modalities):
        states, mask = inputs[2 * k], inputs[2 * k + 1]
        n = lengths[m][i]
        out += [states[i:i + 1, :n] if m == "context" else states[i:i + 1, :, :n], mask[i:i + 1, :n]]
    return out


@pytest.mark.parametrize("mods,la,mf", VARIANTS, ids=lambda x: str(x))
def test_variant_runs_and_exports(mods, la, mf, tmp_path):
    v = Variant(mods, la, mf)
    cfg = HeadConfig(labels=("a", "b", "c"), d_model=16, num_heads=2, ffn_dim=32, variant=v)
    head = EmotionHead(cfg, speech_dims=DIMS["speech"] if v.has("speech") else None,
                       text_dims=DIMS["text"] if v.has("text") else None,
                       context_dim=DIMS["context"] if v.has("context") else None).eval()
    if la:
        for m in ("speech", "text"):
            if v.has(m):
                assert len(head.adapters[m].adapters) == DIMS[m][0]
    assert (head.fusion is not None) == mf
    example = _inputs(v, {"speech": [6, 6], "text": [4, 4], "context": [7, 7]}, 0)
    _export(_HeadWrapper(head), tuple(example), tmp_path / "h.onnx", head.input_names(), ["logits", "probabilities"],
            {n: {0: "b", (1 if n == "context_states" else 2 if n.endswith("states") else 1): f"t_{n.split('_')[0]}"}
             for n in head.input_names()}, 17)
    sess = ort.InferenceSession(str(tmp_path / "h.onnx"), providers=["CPUExecutionProvider"])
    # other lengths than the export example, two items of different lengths in one padded batch
    lengths = {"speech": [11, 5], "text": [3, 2], "context": [9, 4]}
    batch = _inputs(v, lengths, 1)
    with torch.no_grad():
        logits, probs = head(*batch)
    o_logits, o_probs = sess.run(None, {n: t.numpy() for n, t in zip(head.input_names(), batch)})
    assert max_diff(o_logits, logits.numpy()) <= 1e-4
    assert max_diff(o_probs, probs.numpy()) <= 1e-4
    assert np.allclose(o_probs.sum(-1), 1, atol=1e-5)
    # the padded item equals the item alone: the masks hide the garbage behind them
    for i in range(2):
        alone = _item(v, batch, lengths, i)
        with torch.no_grad():
            a_logits, a_probs = head(*alone)
        assert max_diff(o_probs[i:i + 1], a_probs.numpy()) <= 1e-4
        assert max_diff(o_logits[i:i + 1], a_logits.numpy()) <= 1e-4


def test_layer_weights_are_softmax_normalised():
    cfg = HeadConfig(labels=("a", "b"), d_model=8, num_heads=2, ffn_dim=16, variant=Variant(("speech",), True, False))
    head = EmotionHead(cfg, speech_dims=(3, 4)).eval()
    states = torch.randn(1, 4, 5, 4)
    with torch.no_grad():
        head.adapters["speech"].layer_weights.copy_(torch.tensor([0.0, 50.0, 0.0]))
        only_second = head.adapters["speech"].adapters[1](states[:, 2])
        assert max_diff(head.adapters["speech"](states), only_second) <= 1e-5


def test_bad_variant_and_config_are_refused():
    with pytest.raises(ValueError, match="variant.modalities"):
        Variant((), True, True)
    with pytest.raises(ValueError, match="unknown"):
        Variant(("speech", "video"), True, True)
    with pytest.raises(ValueError, match="divisible"):
        HeadConfig(d_model=10, num_heads=3)
    with pytest.raises(ValueError, match="duplicate"):
        HeadConfig(labels=("a", "a"))

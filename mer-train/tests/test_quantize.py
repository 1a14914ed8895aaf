"""The int8 bundle and the fp32 rewrites made before quantizing (mer_train.fusion): the rewritten fp32
graphs give the exported graphs' results, and the int8 bundle holds the ops the docs name."""

from __future__ import annotations

import collections
import json

import numpy as np
import onnx
import onnxruntime as ort
import pytest

from mer_train.fixtures import read_array
from mer_train.fusion import conv_as_matmul, fuse_attention
from mer_train.onnx_pipeline import OnnxPipeline
from mer_train.quantize import quantize_bundle, rewrite_bundle

from .conftest import COMMITTED, TESTDATA, max_diff, speechlike

# fp32 rewrites change the order of float sums only
FP32_PROBABILITIES = 1e-5
FP32_STATES = 1e-4


def _ops(path) -> collections.Counter:
    return collections.Counter((n.domain, n.op_type) for n in onnx.load(str(path)).graph.node)


def _cases(name: str):
    folder = TESTDATA / "fixtures" / name
    for case in json.loads((folder / "fixtures.json").read_text())["cases"]:
        yield case, read_array(folder, case["arrays"]["waveform"])


@pytest.mark.parametrize("name", COMMITTED)
def test_the_rewritten_fp32_bundle_gives_the_exported_results(name, tmp_path):
    src = TESTDATA / "bundles" / name
    m = rewrite_bundle(src, tmp_path / "fused")
    assert m["bundle_id"] == name and "fp32 rewrites" in m["description"]
    a, b = OnnxPipeline(src), OnnxPipeline(tmp_path / "fused")
    for case, w in _cases(name):
        x, y = a.run(w), b.run(w)
        assert (y.label, y.asr_tokens, y.transcript) == (x.label, x.asr_tokens, x.transcript), case["name"]
        assert max_diff(x.probabilities, y.probabilities) <= FP32_PROBABILITIES, case["name"]
        for states in ("encoder_states", "wavlm_hidden_states", "roberta_hidden_states"):
            if getattr(x, states) is not None:
                assert max_diff(getattr(x, states), getattr(y, states)) <= FP32_STATES, f"{case['name']} {states}"


@pytest.mark.parametrize("extra", [0, 1, 7, 333])
def test_convolutions_as_matmul_agree_for_any_length(extra):
    """The polyphase frames need the output length from the input's: lengths that are no multiple of
    any stride cover the edge cases."""
    path = TESTDATA / "bundles" / "tiny-a" / "wavlm.onnx"
    model = onnx.load(str(path))
    assert conv_as_matmul(model) == 6
    a, b = ort.InferenceSession(str(path)), ort.InferenceSession(model.SerializeToString())
    w = speechlike(16000 + extra, seed=extra)[None]
    feeds = {"waveform": w, "waveform_mask": np.ones(w.shape, np.int64)}
    for x, y in zip(a.run(None, feeds), b.run(None, feeds)):
        assert max_diff(x, y) <= FP32_STATES


def test_masked_attention_is_left_alone():
    """RoBERTa's attention adds the padding mask to the scores: not the unmasked shape fused."""
    model = onnx.load(str(TESTDATA / "bundles" / "tiny-a" / "roberta.onnx"))
    before = len(model.graph.node)
    assert fuse_attention(model) == {"attention": 0, "cross_attention": 0}
    assert len(model.graph.node) == before


def test_the_int8_bundle_holds_the_rewritten_and_quantized_ops(tmp_path):
    src = TESTDATA / "bundles" / "tiny-a"
    m = quantize_bundle(src, tmp_path / "q")
    w = json.loads((src / "bundle.json").read_text())["whisper"]
    ms = ("com.microsoft", "MultiHeadAttention")
    enc, dec = _ops(tmp_path / "q" / "whisper_encoder.onnx"), _ops(tmp_path / "q" / "whisper_decoder.onnx")
    assert enc[ms] == w["encoder_layers"] and enc[("", "Softmax")] == 0
    # cross-attention over the cached K/V: block diagonal, standard ops (one Softmax over the frames
    # per layer); the self-attention's causal mask keeps it as exported (the other Softmax per layer)
    assert dec[ms] == 0 and dec[("", "Softmax")] == 2 * w["decoder_layers"]
    assert dec[("", "ReduceSum")] == w["decoder_layers"]
    wavlm = _ops(tmp_path / "q" / "wavlm.onnx")
    # left as Conv: the first one (on the waveform) and the positional (grouped, padded) one
    assert wavlm[("", "Conv")] == 2
    assert wavlm[("", "MatMulInteger")] > _ops(src / "wavlm.onnx")[("", "MatMul")] - 4
    for graph in m["graphs"].values():
        model = onnx.load(str(tmp_path / "q" / graph))
        # what ONNX Runtime 1.23 (the Java runtime) runs: opset <= 17, com.microsoft only for MultiHeadAttention
        assert {o.domain: o.version for o in model.opset_import}.get("", 0) <= 17
        assert {op for d, op in _ops(tmp_path / "q" / graph) if d} <= {"MultiHeadAttention"}
    assert (f"{w['encoder_layers']} attention(s) fused to MultiHeadAttention, {w['decoder_layers']} cross-attention(s)"
            " over cached K/V as block-diagonal MatMuls, 6 strided convolution(s) as MatMul") in m["description"]


@pytest.mark.parametrize("rewrites,convs,attentions", [((), 8, 0), (("attention",), 8, 2)])
def test_rewrites_can_be_left_out(tmp_path, rewrites, convs, attentions):
    """``--no-rewrite`` quantizes the graphs as exported; ``--keep-conv`` keeps WavLM's Conv nodes."""
    m = quantize_bundle(TESTDATA / "bundles" / "tiny-a", tmp_path / "q", rewrites=rewrites, per_channel=True)
    assert _ops(tmp_path / "q" / "wavlm.onnx")[("", "Conv")] == convs
    assert _ops(tmp_path / "q" / "whisper_encoder.onnx")[("com.microsoft", "MultiHeadAttention")] == attentions
    assert "(per output channel)" in m["description"]
    assert ("fp32 rewrites" in m["description"]) == bool(rewrites)


def test_an_unknown_rewrite_is_refused(tmp_path):
    with pytest.raises(ValueError, match=r"rewrites \['fold'\]: unknown"):
        quantize_bundle(TESTDATA / "bundles" / "tiny-a", tmp_path / "q", rewrites=("fold",))
    assert not (tmp_path / "q").exists()


def _io(path):
    g = onnx.load(str(path)).graph
    return [i.name for i in g.input], [o.name for o in g.output], g


@pytest.mark.parametrize("name", [n for n in COMMITTED
                                  if "whisper_decoder" in json.loads((TESTDATA / "bundles" / n / "bundle.json").read_text())["graphs"]])
def test_the_rewrite_gives_each_decoder_layer_its_own_cross_kv(name, tmp_path):
    """split_cross_kv: no Gather of a stacked K/V left in the decoder, one encoder output per layer,
    and mer_train's own bundle check accepts the layout (the results are the test above)."""
    src = TESTDATA / "bundles" / name
    layers = json.loads((src / "bundle.json").read_text())["whisper"]["decoder_layers"]
    m = rewrite_bundle(src, tmp_path / "fused")
    want = [f"{kv}_{i}" for kv in ("cross_k", "cross_v") for i in range(layers)]
    dec_in, _, dec = _io(tmp_path / "fused" / m["graphs"]["whisper_decoder"])
    _, enc_out, _ = _io(tmp_path / "fused" / m["graphs"]["whisper_encoder"])
    assert set(want) <= set(dec_in) and "cross_k" not in dec_in and "cross_v" not in dec_in
    assert set(want) <= set(enc_out) and "cross_k" not in enc_out
    assert not [n for n in dec.node if n.op_type == "Gather" and n.input[0].startswith("cross_")]
    assert f"cross-attention K/V of {layers} decoder layer(s)" in m["description"]
    from mer_train.bundle import load_bundle
    load_bundle(tmp_path / "fused")  # check_graphs with the per-layer contract


def test_quantize_without_rewrites_keeps_the_stacked_cross_kv(tmp_path):
    m = quantize_bundle(TESTDATA / "bundles" / "tiny-b", tmp_path / "q", rewrites=())
    dec_in, _, _ = _io(tmp_path / "q" / m["graphs"]["whisper_decoder"])
    assert "cross_k" in dec_in and "cross_k_0" not in dec_in


def test_the_committed_rewritten_bundles_are_fuse_of_the_committed_ones(tmp_path):
    """testdata/rewritten/NAME (the Java suites' per-layer bundles) is `fuse` of testdata/bundles/NAME:
    same files, same graph interfaces (made again here and compared)."""
    for folder in sorted((TESTDATA / "rewritten").iterdir()):
        m = rewrite_bundle(TESTDATA / "bundles" / folder.name, tmp_path / folder.name)
        committed = json.loads((folder / "bundle.json").read_text())
        assert committed["bundle_id"] == m["bundle_id"] and committed["graphs"] == m["graphs"]
        for g in m["graphs"].values():
            a, b = _io(folder / g), _io(tmp_path / folder.name / g)
            assert (a[0], a[1]) == (b[0], b[1]), g


def test_quantize_marks_every_graph_it_quantized_as_int8(tmp_path):
    """The Java SDK pre-packs a graph by default when its metadata says mer.weights=int8."""
    from mer_train.quantize import QUANTIZED, WEIGHTS_PROP
    m = quantize_bundle(TESTDATA / "bundles" / "tiny-c", tmp_path / "q")
    for kind, name in m["graphs"].items():
        props = {p.key: p.value for p in onnx.load(str(tmp_path / "q" / name)).metadata_props}
        assert props.get(WEIGHTS_PROP) == ("int8" if kind in QUANTIZED else None), kind


def test_the_committed_model_props_oracle_is_what_the_script_writes():
    """mer-sdk-onnx's ModelPropsTest reads with-props.onnx; scripts/make_rewritten_fixtures.py makes it."""
    import importlib.util

    root = TESTDATA.parent
    spec = importlib.util.spec_from_file_location("make_rewritten_fixtures", root / "scripts" / "make_rewritten_fixtures.py")
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    assert script.PROPS_ONNX.read_bytes() == script.props_model().SerializeToString()


def test_export_writes_what_fuse_makes_and_fuse_leaves_it_unchanged(tmp_path):
    """`export` writes the rewritten graphs (rewrite=True, the default); `fuse` of the traced export
    (rewrite=False, the layout of older bundles) gives the same graph interfaces and ops, and `fuse` of
    the default export finds nothing to rewrite: the same files, byte for byte, the same description."""
    import hashlib

    from mer_train.export import export_bundle
    from mer_train.testbundles import SPECS, build_parts

    parts = build_parts("tiny-a", seed=0)
    default = export_bundle(parts, tmp_path / "default", bundle_id="tiny-a", description=SPECS["tiny-a"].description)
    plain = export_bundle(parts, tmp_path / "plain", bundle_id="tiny-a", description=SPECS["tiny-a"].description,
                          rewrite=False)
    _, plain_dec_out, _ = _io(tmp_path / "plain" / plain["graphs"]["whisper_decoder"])
    assert "cross_k" in _io(tmp_path / "plain" / plain["graphs"]["whisper_decoder"])[0]
    fused = rewrite_bundle(tmp_path / "plain", tmp_path / "fused")
    assert "fp32 rewrites" in fused["description"]
    for g in default["graphs"].values():
        a, b = _io(tmp_path / "default" / g), _io(tmp_path / "fused" / g)
        assert (a[0], a[1]) == (b[0], b[1]), g
        assert _ops(tmp_path / "default" / g) == _ops(tmp_path / "fused" / g), g
    again = rewrite_bundle(tmp_path / "default", tmp_path / "again")
    assert again["description"] == default["description"]

    def digests(folder):
        return {f.name: hashlib.sha256(f.read_bytes()).hexdigest() for f in folder.iterdir() if f.suffix == ".onnx"}
    assert digests(tmp_path / "again") == digests(tmp_path / "default")
    assert again["files"] == default["files"]

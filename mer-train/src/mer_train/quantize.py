"""int8 dynamic quantization of a bundle's transformer graphs (weights int8, activations quantized
on the fly by ONNX Runtime's MatMulInteger kernels). Log-mel and the tokenizers stay as they are.

Before quantizing, each graph is rewritten in fp32 (``mer_train.fusion``): unmasked attention becomes
one MultiHeadAttention node (flash attention on the CPU), the decoder's cross-attention over cached
K/V a block-diagonal product that never copies K or V, and WavLM's strided convolutions MatMuls, so
that they are quantized too. Both rewrites keep the fp32 results (the tests compare the
rewritten graphs with the exported ones)."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from .bundle import file_entries, load_bundle, write_manifest

QUANTIZED = ("whisper_encoder", "whisper_decoder", "wavlm", "roberta", "head")


REWRITES = ("attention", "conv")


def _check(rewrites: tuple[str, ...]) -> None:
    unknown = set(rewrites) - set(REWRITES)
    if unknown:
        raise ValueError(f"rewrites {sorted(unknown)}: unknown (known: {', '.join(REWRITES)})")


def rewrite_graph(src: Path | str, dst: Path | str, rewrites: tuple[str, ...] = REWRITES) -> dict[str, int]:
    """The fp32 rewrites of ``mer_train.fusion`` named in ``rewrites`` (``attention``: unmasked attention
    to MultiHeadAttention; ``conv``: strided convolutions as MatMul) applied to one graph file; returns
    how many of each were made."""
    import onnx

    from .fusion import conv_as_matmul, fuse_attention

    _check(rewrites)
    model = onnx.load(str(src))
    done = fuse_attention(model) if "attention" in rewrites else {"attention": 0, "cross_attention": 0}
    done["conv"] = conv_as_matmul(model) if "conv" in rewrites else 0
    if any(done.values()):
        onnx.save(model, str(dst))
    elif Path(src).resolve() != Path(dst).resolve():
        shutil.copy2(src, dst)   # nothing to rewrite (an already rewritten graph): the file as it is
    return done


def quantize_graph(src: Path | str, dst: Path | str, rewrites: tuple[str, ...] = REWRITES,
                   per_channel: bool = False) -> dict[str, int]:
    """One graph: the fp32 ``rewrites``, then int8 weights (one scale per tensor, or per output column
    with ``per_channel``) for every MatMul/Gemm with a constant weight. Returns the rewrite counts."""
    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic

    with tempfile.TemporaryDirectory() as tmp:
        done = {"attention": 0, "cross_attention": 0, "conv": 0}
        if rewrites:
            done = rewrite_graph(src, Path(tmp) / "rewritten.onnx", rewrites)
            if any(done.values()):
                src = Path(tmp) / "rewritten.onnx"
        # MatMul/Gemm only: the convolutions left (Whisper's two, WavLM's first and positional ones)
        # stay fp32, ConvInteger is slow on the CPU. The default tensor type is needed once
        # MultiHeadAttention is in the graph: ONNX shape inference gives no types for contrib ops.
        quantize_dynamic(str(src), str(dst), weight_type=QuantType.QInt8, op_types_to_quantize=["MatMul", "Gemm"],
                         per_channel=per_channel, extra_options={"DefaultTensorType": onnx.TensorProto.FLOAT})
    mark_int8(dst)
    return done


WEIGHTS_PROP = "mer.weights"
"""ONNX metadata key of a graph ``quantize`` wrote: "int8". The Java SDK reads it before it opens the
graph and pre-packs int8 weights by default (cheap in memory, a third of a decoding step), fp32 not."""


def mark_int8(path: Path | str) -> None:
    import onnx

    model = onnx.load(str(path))
    props = {p.key: p.value for p in model.metadata_props}
    props[WEIGHTS_PROP] = "int8"
    onnx.helper.set_model_props(model, props)
    onnx.save(model, str(path))


def rewrite_graphs(folder: Path | str, graphs: dict[str, str], decoder_layers: int,
                   rewrites: tuple[str, ...] = REWRITES) -> dict[str, int]:
    """The fp32 rewrites of a bundle's graphs in ``folder``, in place (what ``export`` writes by
    default, and ``fuse`` makes of an older bundle): ``rewrites`` on every transformer graph, then the
    cross-attention K/V per decoder layer. Returns the summed counts; all zero on graphs already
    rewritten (the rewrites find nothing left to change, and the graph files stay as they are)."""
    folder = Path(folder)
    total = {"attention": 0, "cross_attention": 0, "conv": 0, "cross_kv": 0}
    for kind, name in graphs.items():
        if kind in QUANTIZED:
            for k, v in rewrite_graph(folder / name, folder / name, rewrites).items():
                total[k] += v
    total["cross_kv"] = _split_cross_kv(folder, {"graphs": graphs, "whisper": {"decoder_layers": decoder_layers}})
    return total


def _transform_bundle(src: Path | str, dst: Path | str, graph_fn, overwrite: bool,
                      split: bool = True) -> tuple[dict, dict[str, int]]:
    """Copies bundle ``src`` to ``dst`` with ``graph_fn(src_graph, dst_graph)`` applied to the transformer
    graphs; returns the source manifest (for the caller to edit and write) and the summed counts."""
    src, dst = Path(src), Path(dst)
    m = load_bundle(src)
    if dst.resolve() == src.resolve() or src.resolve() in dst.resolve().parents:
        raise ValueError(f"{dst}: the output must not be the source bundle {src} or inside it")
    if dst.exists():
        if not overwrite and any(dst.iterdir()):
            raise FileExistsError(f"{dst}: not empty (use --overwrite)")
        shutil.rmtree(dst)
    dst.mkdir(parents=True)
    total = {"attention": 0, "cross_attention": 0, "conv": 0, "cross_kv": 0}
    for kind, name in m["graphs"].items():
        if kind in QUANTIZED:
            for k, v in graph_fn(src / name, dst / name).items():
                total[k] += v
        else:
            shutil.copy2(src / name, dst / name)
    total["cross_kv"] = _split_cross_kv(dst, m) if split else 0
    for name in m["tokenizers"].values():
        shutil.copy2(src / name, dst / name)
    return m, total


def _split_cross_kv(folder: Path, m: dict) -> int:
    """``mer_train.fusion.split_cross_kv`` on the bundle's Whisper encoder and decoder, in place;
    returns the layers split (0 without a decoder, or when its graphs are already split)."""
    import onnx

    from .fusion import cross_kv_per_layer, split_cross_kv

    g = m["graphs"]
    if "whisper_encoder" not in g or "whisper_decoder" not in g:
        return 0
    enc, dec = onnx.load(str(folder / g["whisper_encoder"])), onnx.load(str(folder / g["whisper_decoder"]))
    if cross_kv_per_layer(dec):
        return 0
    layers = split_cross_kv(enc, dec, m["whisper"]["decoder_layers"])
    if layers:
        onnx.save(enc, str(folder / g["whisper_encoder"]))
        onnx.save(dec, str(folder / g["whisper_decoder"]))
    return layers


def _finish(dst: Path | str, m: dict, bundle_id: str, done: str) -> dict:
    dst = Path(dst)
    m["bundle_id"] = bundle_id
    if done:
        m["description"] = (m.get("description", "") + f" [{done}]").strip()
    m["files"] = file_entries(dst, list(m["graphs"].values()) + list(m["tokenizers"].values()))
    write_manifest(dst, m)
    return m


def _rewrites(total: dict[str, int]) -> str:
    return (f"fp32 rewrites: {total['attention']} attention(s) fused to MultiHeadAttention,"
            f" {total['cross_attention']} cross-attention(s) over cached K/V as block-diagonal MatMuls,"
            f" {total['conv']} strided convolution(s) as MatMul"
            + (f", cross-attention K/V of {total['cross_kv']} decoder layer(s) as one input each"
               if total.get("cross_kv") else ""))


def rewrite_bundle(src: Path | str, dst: Path | str, bundle_id: str | None = None, overwrite: bool = False) -> dict:
    """An fp32 copy of a bundle with the ``mer_train.fusion`` rewrites only (same results within float
    rounding; the bundle id stays the source's unless given, so its parity fixtures still apply).
    ``export`` writes these graphs itself; on such a bundle nothing is left to rewrite and the copy
    keeps the source's graphs and description."""
    m, total = _transform_bundle(src, dst, rewrite_graph, overwrite)
    return _finish(dst, m, bundle_id or m["bundle_id"], _rewrites(total) if any(total.values()) else "")


def quantize_bundle(src: Path | str, dst: Path | str, bundle_id: str | None = None, overwrite: bool = False,
                    rewrites: tuple[str, ...] = REWRITES, per_channel: bool = False) -> dict:
    _check(rewrites)  # before anything is written
    m, total = _transform_bundle(src, dst, lambda a, b: quantize_graph(a, b, rewrites, per_channel), overwrite,
                                 split=bool(rewrites))
    done = "int8 dynamic quantization of MatMul/Gemm weights" + (" (per output channel)" if per_channel else "")
    if any(total.values()):
        done += "; before it, " + _rewrites(total)
    return _finish(dst, m, bundle_id or f"{m['bundle_id']}-int8", done)

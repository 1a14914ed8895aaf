"""int8 dynamic quantization of a bundle's transformer graphs (weights int8, activations quantized
on the fly by ONNX Runtime's MatMulInteger kernels). Log-mel and the tokenizers stay as they are."""

from __future__ import annotations

import shutil
from pathlib import Path

from .bundle import file_entries, load_bundle, write_manifest

QUANTIZED = ("whisper_encoder", "whisper_decoder", "wavlm", "roberta", "head")


def quantize_bundle(src: Path | str, dst: Path | str, bundle_id: str | None = None, overwrite: bool = False) -> dict:
    from onnxruntime.quantization import QuantType, quantize_dynamic

    src, dst = Path(src), Path(dst)
    m = load_bundle(src)
    if dst.resolve() == src.resolve() or src.resolve() in dst.resolve().parents:
        raise ValueError(f"{dst}: the output must not be the source bundle {src} or inside it")
    if dst.exists():
        if not overwrite and any(dst.iterdir()):
            raise FileExistsError(f"{dst}: not empty (use --overwrite)")
        shutil.rmtree(dst)
    dst.mkdir(parents=True)
    for kind, name in m["graphs"].items():
        if kind in QUANTIZED:
            # MatMul only: WavLM's convolutional front end stays fp32 (ConvInteger is slow on CPU)
            quantize_dynamic(str(src / name), str(dst / name), weight_type=QuantType.QInt8,
                             op_types_to_quantize=["MatMul", "Gemm"])
        else:
            shutil.copy2(src / name, dst / name)
    for name in m["tokenizers"].values():
        shutil.copy2(src / name, dst / name)
    m["bundle_id"] = bundle_id or f"{m['bundle_id']}-int8"
    m["description"] = (m.get("description", "") + " [int8 dynamic quantization of MatMul/Gemm weights]").strip()
    m["files"] = file_entries(dst, list(m["graphs"].values()) + list(m["tokenizers"].values()))
    write_manifest(dst, m)
    return m

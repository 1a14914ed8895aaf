"""Benchmark of the PyTorch eager reference pipeline (and of the same bundle in ONNX Runtime from
Python), at full model size with random weights; the Java benchmark reads its JSON to print ratios.

Decoding length is fixed (the ``full`` spec suppresses the end token and decodes exactly
``max_new_tokens``) so random weights do not change the work.
"""

from __future__ import annotations

import json
import statistics
import time
from pathlib import Path
from typing import Any, Callable

import numpy as np
import torch

from .decoding import hf_generate
from .encoders import context_frames
from .features import reference_log_mel
from .testbundles import build_parts


def _time(fn: Callable[[], Any], repeats: int) -> float:
    fn()  # warm-up
    runs = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - t0)
    return statistics.median(runs)


def gemm_gflops(threads: int, n: int = 2048, repeats: int = 5) -> float:
    torch.set_num_threads(threads)
    a, b = torch.randn(n, n), torch.randn(n, n)
    return 2 * n ** 3 / _time(lambda: a @ b, repeats) / 1e9


GEMM_SHAPES = {"2048x2048x2048": (2048, 2048, 2048), "1500x768x3072": (1500, 768, 3072)}
"""(M, K, N) of the MatMul graphs ``write_gemm_graphs`` writes: a square product, and the Whisper
encoder's FFN product for the 30 s window, the shape that dominates the SDK's time."""


def write_gemm_graphs(folder: Path | str) -> dict[str, str]:
    """One ONNX graph per ``GEMM_SHAPES`` entry: ``Y = A @ B`` with both as inputs (no weight to
    pre-pack), for the Java bench to time ONNX Runtime's own fp32 GEMM (MLAS) in the same run."""
    import onnx
    from onnx import TensorProto, helper

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    paths = {}
    for name, (m, k, n) in GEMM_SHAPES.items():
        g = helper.make_graph(
            [helper.make_node("MatMul", ["A", "B"], ["Y"])], "gemm",
            [helper.make_tensor_value_info("A", TensorProto.FLOAT, [m, k]),
             helper.make_tensor_value_info("B", TensorProto.FLOAT, [k, n])],
            [helper.make_tensor_value_info("Y", TensorProto.FLOAT, [m, n])])
        model = helper.make_model(g, opset_imports=[helper.make_opsetid("", 17)])
        model.ir_version = 8
        path = folder / f"gemm_{name}.onnx"
        onnx.save(model, path)
        paths[name] = str(path.resolve())
    return paths


def speech(seconds: float, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    n = int(seconds * 16000)
    t = np.arange(n) / 16000
    x = 0.3 * np.sin(2 * np.pi * 150 * t) * (0.5 + 0.5 * np.sin(2 * np.pi * 3 * t)) + 0.02 * rng.standard_normal(n)
    return x.astype(np.float32)


@torch.no_grad()
def bench_torch(name: str = "full", seconds: tuple[float, ...] = (2.0, 5.0, 15.0), threads: int = 2,
                repeats: int = 3, seed: int = 0) -> dict[str, Any]:
    """Per-stage medians (seconds) of the Hugging Face reference pipeline, eager fp32."""
    torch.set_num_threads(threads)
    t0 = time.perf_counter()
    p = build_parts(name, seed=seed)
    build_s = time.perf_counter() - t0
    out: dict[str, Any] = {"threads": threads, "gemm_gflops": gemm_gflops(threads), "build_s": build_s,
                           "decode_tokens": p.decoding.max_new_tokens, "utterances": {}}
    for s in seconds:
        x = speech(s)
        mel = torch.from_numpy(reference_log_mel(p.feature_extractor, x))[None]
        states = p.whisper.model.encoder(mel).last_hidden_state
        n_ctx = context_frames(len(x), 320, states.shape[1])
        ids = torch.tensor([p.text_tokenizer.encode("this is a fixed benchmark transcript of about twenty tokens long").ids])
        wl = torch.stack(tuple(p.wavlm(torch.from_numpy(x)[None], output_hidden_states=True).hidden_states), 1)
        rb = torch.stack(tuple(p.roberta(input_ids=ids, attention_mask=torch.ones_like(ids), output_hidden_states=True).hidden_states), 1)
        head_in = [wl, torch.ones(1, wl.shape[2], dtype=torch.long), rb, torch.ones_like(ids),
                   states[:, :n_ctx], torch.ones(1, n_ctx, dtype=torch.long)]
        stages = {
            "features": _time(lambda: reference_log_mel(p.feature_extractor, x), repeats),
            "asr_encode": _time(lambda: p.whisper.model.encoder(mel), repeats),
            "asr_decode": _time(lambda: hf_generate(p.whisper, mel, p.decoding), repeats),
            "wavlm": _time(lambda: p.wavlm(torch.from_numpy(x)[None], output_hidden_states=True), repeats),
            "roberta": _time(lambda: p.roberta(input_ids=ids, attention_mask=torch.ones_like(ids), output_hidden_states=True), repeats),
            "head": _time(lambda: p.head(*head_in), repeats),
        }
        # hf_generate re-encodes the 30 s window; subtract the encoder to keep stages disjoint
        stages["asr_decode"] = max(0.0, stages["asr_decode"] - stages["asr_encode"])
        stages["total"] = sum(stages.values())
        out["utterances"][str(s)] = stages
    return out


def main(out: str | None, threads: int, repeats: int, seconds: list[float]) -> int:
    res = bench_torch(seconds=tuple(seconds), threads=threads, repeats=repeats)
    if out:
        res["gemm_graphs"] = write_gemm_graphs(Path(out).parent / "gemm")
    text = json.dumps(res, indent=1)
    if out:
        Path(out).write_text(text + "\n")
    print(text)
    return 0

from __future__ import annotations

from pathlib import Path

import numpy as np
import onnxruntime as ort
import pytest
import torch

from mer_train.export import export_bundle
from mer_train.testbundles import SPECS, build_parts

torch.set_num_threads(2)
REPO = Path(__file__).resolve().parents[2]
TESTDATA = REPO / "testdata"
# every tiny spec the tests build, and every bundle committed under testdata/bundles (any valid
# shape: suites may assume neither text, context, more than two labels nor decoded tokens)
TINY = sorted(n for n in SPECS if n.startswith("tiny-"))
COMMITTED = sorted(d.name for d in (TESTDATA / "bundles").iterdir() if (d / "bundle.json").is_file())
COMPAT_V1 = TESTDATA / "compat" / "format-1"


class Built:
    """A tiny bundle built by the test session: PyTorch parts + the exported folder + ORT sessions."""

    def __init__(self, name: str, folder: Path) -> None:
        self.name = name
        self.parts = build_parts(name, seed=0)
        self.folder = folder
        self.manifest = export_bundle(self.parts, folder, bundle_id=name)
        self._sessions: dict[str, ort.InferenceSession] = {}

    def require(self, *graphs: str) -> None:
        missing = [g for g in graphs if g not in self.manifest["graphs"]]
        if missing:
            pytest.skip(f"{self.name} has no {', '.join(missing)} graph (variant {self.manifest['variant']['modalities']})")

    def session(self, graph: str) -> ort.InferenceSession:
        if graph not in self._sessions:
            so = ort.SessionOptions()
            so.intra_op_num_threads = 2
            self._sessions[graph] = ort.InferenceSession(str(self.folder / self.manifest["graphs"][graph]), so,
                                                         providers=["CPUExecutionProvider"])
        return self._sessions[graph]


@pytest.fixture(scope="session", params=TINY)
def built(request, tmp_path_factory) -> Built:
    return Built(request.param, tmp_path_factory.mktemp(request.param))


def max_diff(a, b) -> float:
    a, b = np.asarray(a), np.asarray(b)
    assert a.shape == b.shape, f"shape {a.shape} != {b.shape}"
    return float(np.abs(a.astype(np.float64) - b.astype(np.float64)).max()) if a.size else 0.0


PARITY: dict[str, float] = {}


def parity(what: str, a, b, bound: float | None = None) -> float:
    """max_diff, remembered per ``what`` (the largest seen) for the report written at the end; with
    ``bound``, asserted and recorded in the bounds report (tests/bounds.py)."""
    d = max_diff(a, b)
    PARITY[what] = max(PARITY.get(what, 0.0), d)
    if bound is not None:
        from . import bounds

        bounds.check("graph parity", what.split(" ", 1)[1] if " " in what else what, a, b, bound)
    return d


def pytest_terminal_summary(terminalreporter):
    from . import bounds

    report = bounds.write_report(REPO / "build" / "bounds-python.jsonl")
    if report is not None:
        terminalreporter.write_line(f"bounds report ({len(bounds.REPORT)} comparisons): {report}")
    if not PARITY:
        return
    lines = [f"{k}\t{v:.3e}" for k, v in sorted(PARITY.items())]
    out = REPO / "build" / "parity-report-python.txt"
    out.parent.mkdir(exist_ok=True)
    out.write_text("# max |ONNX Runtime - PyTorch| per bundle, graph and check\n" + "\n".join(lines) + "\n")
    terminalreporter.write_line(f"parity report ({len(lines)} figures): {out}")


def speechlike(n: int, seed: int) -> np.ndarray:
    """Deterministic voiced-ish test signal (harmonics + noise), 16 kHz."""
    rng = np.random.default_rng(seed)
    t = np.arange(n) / 16000.0
    f0 = 120 + 40 * np.sin(2 * np.pi * 0.7 * t)
    phase = 2 * np.pi * np.cumsum(f0) / 16000.0
    x = sum(np.sin(k * phase) / k for k in range(1, 8)) * 0.2 + 0.02 * rng.standard_normal(n)
    return (x * (0.5 + 0.5 * np.sin(2 * np.pi * 2 * t) ** 2)).astype(np.float32)

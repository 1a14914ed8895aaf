"""Regenerates the two test artifacts of the rewritten-graph paths (run from the repository root):

- testdata/rewritten/tiny-a: `python -m mer_train fuse testdata/bundles/tiny-a` (fused attention,
  cross-attention K/V one tensor per decoder layer); the Java ParityTest and BatchAndThreadsTest run
  it against tiny-a's own fixtures (same bundle id).
- mer-sdk-onnx/src/test/resources/onnx/with-props.onnx: a one-MatMul graph carrying the metadata
  `quantize` writes (`mer.weights=int8`, via mer_train.quantize.mark_int8) and one more entry with
  non-ASCII text, the oracle of the Java ModelPropsTest.

    .venv/bin/python scripts/make_rewritten_fixtures.py

mer-train/tests/test_quantize.py checks that both committed artifacts are what this script writes.
"""

from __future__ import annotations

import sys
from pathlib import Path

import onnx
from onnx import TensorProto, helper

ROOT = Path(__file__).resolve().parent.parent
PROPS_ONNX = ROOT / "mer-sdk-onnx" / "src" / "test" / "resources" / "onnx" / "with-props.onnx"
NOTE = "written by mer_train quantize's mark_int8 for ModelPropsTest, ünïcode"


def props_model() -> onnx.ModelProto:
    from mer_train.quantize import WEIGHTS_PROP

    g = helper.make_graph(
        [helper.make_node("MatMul", ["A", "B"], ["Y"])], "tiny",
        [helper.make_tensor_value_info("A", TensorProto.FLOAT, [2, 3]),
         helper.make_tensor_value_info("B", TensorProto.FLOAT, [3, 2])],
        [helper.make_tensor_value_info("Y", TensorProto.FLOAT, [2, 2])])
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 17)])
    m.ir_version = 8
    helper.set_model_props(m, {WEIGHTS_PROP: "int8", "note": NOTE})
    return m


def main() -> int:
    from mer_train.quantize import rewrite_bundle

    PROPS_ONNX.parent.mkdir(parents=True, exist_ok=True)
    onnx.save(props_model(), str(PROPS_ONNX))
    rewrite_bundle(ROOT / "testdata" / "bundles" / "tiny-a", ROOT / "testdata" / "rewritten" / "tiny-a",
                   overwrite=True)
    print(f"wrote {PROPS_ONNX.relative_to(ROOT)} and testdata/rewritten/tiny-a")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""testdata/metrics/sklearn-cases.json (the oracle of the Java ClassificationMetrics test) is what
scripts/make_metrics_fixture.py gives with the scikit-learn installed here: re-run it and compare
every case, field by field, so a hand edit of the fixture (or a changed script) goes red."""

from __future__ import annotations

import importlib.util
import json
import math
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
FIXTURE = REPO / "testdata" / "metrics" / "sklearn-cases.json"


def _script():
    spec = importlib.util.spec_from_file_location("make_metrics_fixture", REPO / "scripts" / "make_metrics_fixture.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _same(a, b, where: str) -> None:
    if isinstance(a, float) or isinstance(b, float):
        assert math.isclose(a, b, rel_tol=0, abs_tol=1e-12), f"{where}: {a} != {b}"
    elif isinstance(a, list):
        assert isinstance(b, list) and len(a) == len(b), f"{where}: {a} != {b}"
        for i, (x, y) in enumerate(zip(a, b)):
            _same(x, y, f"{where}[{i}]")
    else:
        assert a == b, f"{where}: {a!r} != {b!r}"


def test_the_committed_metric_cases_are_what_scikit_learn_computes_now():
    script = _script()
    committed = json.loads(FIXTURE.read_text(encoding="utf-8"))
    fresh = [script.compute(c) for c in script.cases()]
    assert [c["name"] for c in committed["cases"]] == [c["name"] for c in fresh]
    for old, new in zip(committed["cases"], fresh):
        assert set(old) == set(new), old["name"]
        for key in new:
            _same(old[key], new[key], f"{new['name']}.{key}")

"""testdata/schema/manifest-cases.json (edits of an exported manifest with the schema's verdict,
the oracle of the Java SchemaCasesTest) is what scripts/make_schema_cases.py gives with the schema
as it is now: a schema change that moves a verdict, or a hand edit of the file, goes red here, and
the Java parser must follow it there."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

from mer_train.bundle import validate_manifest

REPO = Path(__file__).resolve().parents[2]
CASES = REPO / "testdata" / "schema" / "manifest-cases.json"


def _script():
    spec = importlib.util.spec_from_file_location("make_schema_cases", REPO / "scripts" / "make_schema_cases.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_committed_verdicts_are_the_schemas_now():
    committed = json.loads(CASES.read_text(encoding="utf-8"))["cases"]
    assert committed == _script().compute()


def test_the_verdicts_are_mer_trains_own_validation():
    """The schema file the script reads is the one mer_train.bundle validates with."""
    script = _script()
    base = json.loads(script.BASE.read_text(encoding="utf-8"))
    for case in json.loads(CASES.read_text(encoding="utf-8"))["cases"]:
        m = script.apply(base, case["edits"])
        try:
            validate_manifest(m)
            verdict = "accepts"
        except ValueError:
            verdict = "refuses"
        assert verdict == case["schema"], case["name"]

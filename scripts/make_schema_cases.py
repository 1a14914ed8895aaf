"""Writes testdata/schema/manifest-cases.json: edits of an exported manifest (testdata/bundles/tiny-a)
and whether mer-train's JSON Schema accepts each. The Java ManifestParser must give the same verdict
on every case (mer-sdk-onnx SchemaConformanceTest) and mer-train's tests re-check the schema's
(tests/test_schema_cases.py), so what the schema refuses the parser refuses, and the reverse.

Each case: {"name", "edits": [{"op": "set"|"remove", "path": JSON Pointer, "value"?}], "schema": "accepts"|"refuses"}.

    .venv/bin/python scripts/make_schema_cases.py
"""
from __future__ import annotations

import copy
import json
from pathlib import Path

import jsonschema

REPO = Path(__file__).resolve().parent.parent
OUT = REPO / "testdata" / "schema" / "manifest-cases.json"
BASE = REPO / "testdata" / "bundles" / "tiny-a" / "bundle.json"
SCHEMA = REPO / "mer-train" / "src" / "mer_train" / "schema" / "bundle.schema.json"


def s(path, value):
    return {"op": "set", "path": path, "value": value}


def rm(path):
    return {"op": "remove", "path": path}


F = "/files/head.onnx"
CASES = [
    ("the exported manifest as it is", []),
    ("format: another name", [s("/format", "mer-bundle-x")]),
    ("format_version: 3", [s("/format_version", 3)]),
    ("format_version: 0", [s("/format_version", 0)]),
    ("format_version: a string", [s("/format_version", "2")]),
    ("format_version 1 without the format-2 fields", [s("/format_version", 1), rm("/speech_decision"),
                                                        rm("/whisper/decoding/no_speech_token")]),
    ("bundle_id: empty", [s("/bundle_id", "")]),
    ("bundle_id: with a space", [s("/bundle_id", "tiny a")]),
    ("bundle_id: with a slash", [s("/bundle_id", "../tiny")]),
    ("description: a number", [s("/description", 5)]),
    ("labels: one", [s("/labels", ["only"])]),
    ("labels: twice the same", [s("/labels", ["neutral", "neutral", "sad", "angry"])]),
    ("labels: an empty name", [s("/labels", ["neutral", "", "sad", "angry"])]),
    ("labels: not strings", [s("/labels", [1, 2, 3, 4])]),
    ("variant.modalities: unknown", [s("/variant/modalities", ["speech", "video"])]),
    ("variant.modalities: empty", [s("/variant/modalities", [])]),
    ("variant.modalities: twice", [s("/variant/modalities", ["speech", "speech", "text", "context"])]),
    ("variant.layer_adapter: a string", [s("/variant/layer_adapter", "yes")]),
    ("variant: an unknown field", [s("/variant/extra", 1)]),
    ("audio.sample_rate: 0", [s("/audio/sample_rate", 0)]),
    ("audio.n_fft: not an integer", [s("/audio/n_fft", 400.5)]),
    ("audio.chunk_seconds: 0", [s("/audio/chunk_seconds", 0)]),
    ("audio.min_samples: negative", [s("/audio/min_samples", -1)]),
    ("audio: an unknown field", [s("/audio/extra", 1)]),
    ("whisper.d_model: 0", [s("/whisper/d_model", 0)]),
    ("whisper.decoding.end_token: negative", [s("/whisper/decoding/end_token", -1)]),
    ("whisper.decoding.max_new_tokens: 0", [s("/whisper/decoding/max_new_tokens", 0)]),
    ("whisper.decoding.start_sequence: empty", [s("/whisper/decoding/start_sequence", [])]),
    ("whisper.decoding.suppress_tokens: a negative id", [s("/whisper/decoding/suppress_tokens", [392, -3])]),
    ("whisper.decoding.no_speech_token: null", [s("/whisper/decoding/no_speech_token", None)]),
    ("whisper.decoding.no_speech_token: negative", [s("/whisper/decoding/no_speech_token", -1)]),
    ("whisper.decoding: an unknown field", [s("/whisper/decoding/extra", 1)]),
    ("wavlm.hidden_size: 0", [s("/wavlm/hidden_size", 0)]),
    ("wavlm.normalize_waveform: a string", [s("/wavlm/normalize_waveform", "no")]),
    ("text.max_tokens: 0", [s("/text/max_tokens", 0)]),
    ("text.pad_token_id: negative", [s("/text/pad_token_id", -1)]),
    ("head.adapter_activation: relu", [s("/head/adapter_activation", "relu")]),
    ("head.adapter_activation: unknown", [s("/head/adapter_activation", "swish")]),
    ("head.num_heads: 0", [s("/head/num_heads", 0)]),
    ("speech_decision.no_speech_threshold: above 1", [s("/speech_decision/no_speech_threshold", 1.5)]),
    ("speech_decision.no_speech_threshold: negative", [s("/speech_decision/no_speech_threshold", -0.1)]),
    ("speech_decision.logprob_threshold: positive", [s("/speech_decision/logprob_threshold", 0.5)]),
    ("speech_decision.compression_ratio_threshold: 0", [s("/speech_decision/compression_ratio_threshold", 0)]),
    ("speech_decision: an unknown field", [s("/speech_decision/extra", 1)]),
    ("graphs.head: a path outside the folder", [s("/graphs/head", "../head.onnx")]),
    ("graphs: an unknown graph", [s("/graphs/extra", "extra.onnx")]),
    ("tokenizers: an unknown tokenizer", [s("/tokenizers/extra", "extra.json")]),
    ("files.*.sha256: not hex", [s(F + "/sha256", "xyz")]),
    ("files.*.sha256: upper-case hex", [s(F + "/sha256", "A" * 64)]),
    ("files.*.bytes: negative", [s(F + "/bytes", -1)]),
    ("files.*.bytes: missing", [rm(F + "/bytes")]),
    ("files.*.sha256: missing", [rm(F + "/sha256")]),
    ("files.*: an unknown field", [s(F + "/extra", 1)]),
    ("files: empty", [s("/files", {})]),
    ("producer.opset: a string", [s("/producer/opset", "17")]),
    ("producer.mer_train: missing", [rm("/producer/mer_train")]),
    ("an unknown top-level field", [s("/extra", 1)]),
    # valid edits: the parser must not refuse what the schema accepts
    ("head.adapter_activation: tanh", [s("/head/adapter_activation", "tanh")]),
    ("wavlm.normalize_waveform: true", [s("/wavlm/normalize_waveform", True)]),
    ("description: missing", [rm("/description")]),
    ("whisper.decoding.suppress_tokens: empty", [s("/whisper/decoding/suppress_tokens", [])]),
    ("labels: six", [s("/labels", ["neutral", "happy", "sad", "angry", "fearful", "surprised"])]),
    ("speech_decision: the extremes", [s("/speech_decision/no_speech_threshold", 1),
                                       s("/speech_decision/logprob_threshold", 0),
                                       s("/speech_decision/compression_ratio_threshold", 1e-9)]),
    ("producer: an unknown field", [s("/producer/extra", "x")]),
    ("head: an unknown field", [s("/head/extra", 1)]),
    ("whisper: an unknown field", [s("/whisper/extra", 1)]),
    ("wavlm: an unknown field", [s("/wavlm/extra", 1)]),
    ("text: an unknown field", [s("/text/extra", 1)]),
]


def apply(manifest: dict, edits: list[dict]) -> dict:
    m = copy.deepcopy(manifest)
    for e in edits:
        keys = [k.replace("~1", "/").replace("~0", "~") for k in e["path"].split("/")[1:]]
        parent = m
        for k in keys[:-1]:
            parent = parent[k]
        if e["op"] == "set":
            parent[keys[-1]] = e["value"]
        else:
            del parent[keys[-1]]
    return m


def verdict(manifest: dict, schema: dict) -> str:
    try:
        jsonschema.validate(manifest, schema)
        return "accepts"
    except jsonschema.ValidationError:
        return "refuses"


def compute() -> list[dict]:
    base = json.loads(BASE.read_text(encoding="utf-8"))
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    return [{"name": name, "edits": edits, "schema": verdict(apply(base, edits), schema)} for name, edits in CASES]


def main() -> None:
    doc = {"generator": "scripts/make_schema_cases.py", "base": str(BASE.relative_to(REPO)),
           "schema_file": str(SCHEMA.relative_to(REPO)), "cases": compute()}
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(doc, indent=1) + "\n", encoding="utf-8")
    refused = sum(c["schema"] == "refuses" for c in doc["cases"])
    print(f"wrote {OUT}: {len(doc['cases'])} cases, {refused} refused by the schema")


if __name__ == "__main__":
    main()

"""The bundle manifest (bundle.json): writing, checksums and validation.

The format is specified in docs/model-bundle.md and by schema/bundle.schema.json; the Java SDK
validates the same things when it loads a bundle.
"""

from __future__ import annotations

import hashlib
import json
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema

FORMAT = "mer-bundle"
FORMAT_VERSION = 2            # what the exporter writes; 2: speech_decision, no_speech_token, logits [B, T, V]
SUPPORTED_VERSIONS = (1, 2)   # what load_bundle reads
MANIFEST = "bundle.json"


class BundleError(ValueError):
    """A bundle is missing a file, has a wrong checksum or an invalid manifest."""


def schema() -> dict[str, Any]:
    return json.loads(resources.files("mer_train").joinpath("schema/bundle.schema.json").read_text())


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def file_entries(folder: Path, names: list[str]) -> dict[str, dict[str, Any]]:
    return {n: {"sha256": sha256(folder / n), "bytes": (folder / n).stat().st_size} for n in sorted(names)}


def write_manifest(folder: Path, manifest: dict[str, Any]) -> None:
    validate_manifest(manifest)
    (folder / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n")


def validate_manifest(manifest: dict[str, Any]) -> None:
    try:
        jsonschema.validate(manifest, schema())
    except jsonschema.ValidationError as e:
        where = "/".join(str(p) for p in e.absolute_path) or "(root)"
        raise BundleError(f"{MANIFEST}: field {where}: {e.message}") from None
    files = manifest["files"]
    for kind, name in list(manifest["graphs"].items()) + list(manifest["tokenizers"].items()):
        if name not in files:
            raise BundleError(f"{MANIFEST}: {kind} file {name!r} is not listed in 'files'")


def graph_shapes(manifest: dict[str, Any], cross_kv_per_layer: bool = False
                 ) -> dict[str, dict[str, dict[str, tuple[int | None, ...]]]]:
    """The inputs and outputs docs/model-bundle.md ("Graphs") gives each graph of this manifest:
    kind -> {"inputs"|"outputs": name -> shape}, None for a dynamic dimension (the Java loader's
    GraphShapes checks the same). ``cross_kv_per_layer``: the Whisper encoder returns and the decoder
    takes the cross-attention K/V as one tensor per decoder layer (``cross_k_0`` ... [B, F, d_model],
    made by ``fuse`` and ``quantize``) instead of stacked."""
    m, out = manifest, {}
    mels = m["audio"]["n_mels"]
    if "whisper" in m:
        w = m["whisper"]
        layers, d = w["decoder_layers"], w["d_model"]
        out["features"] = {"inputs": {"waveform": (None, None)}, "outputs": {"log_mel": (None, mels, None)}}
        cache = (layers, None, None, d)
        if cross_kv_per_layer:
            cross = {f"{n}_{i}": (None, None, d) for n in ("cross_k", "cross_v") for i in range(layers)}
        else:
            cross = {"cross_k": cache, "cross_v": cache}
        out["whisper_encoder"] = {"inputs": {"log_mel": (None, mels, None)},
                                  "outputs": {"encoder_states": (None, None, d), **cross}}
        # format 1: logits of the last position [B, V]; format 2: of every input position [B, T, V]
        logits = (None, w["vocab_size"]) if m["format_version"] == 1 else (None, None, w["vocab_size"])
        out["whisper_decoder"] = {"inputs": {"tokens": (None, None), "self_k": cache, "self_v": cache, **cross},
                                  "outputs": {"logits": logits, "new_self_k": cache, "new_self_v": cache}}
    head_in: dict[str, tuple[int | None, ...]] = {}
    if "wavlm" in m:
        wl = m["wavlm"]
        out["wavlm"] = {"inputs": {"waveform": (None, None), "waveform_mask": (None, None)},
                        "outputs": {"hidden_states": (None, wl["num_layers"] + 1, None, wl["hidden_size"]),
                                    "frame_mask": (None, None)}}
    if "text" in m:
        t = m["text"]
        out["roberta"] = {"inputs": {"input_ids": (None, None), "attention_mask": (None, None)},
                          "outputs": {"hidden_states": (None, t["num_layers"] + 1, None, t["hidden_size"])}}
    mods = m["variant"]["modalities"]
    if "speech" in mods:
        head_in.update(speech_states=(None, None, None, m["wavlm"]["hidden_size"]), speech_mask=(None, None))
    if "text" in mods:
        head_in.update(text_states=(None, None, None, m["text"]["hidden_size"]), text_mask=(None, None))
    if "context" in mods:
        head_in.update(context_states=(None, None, m["whisper"]["d_model"]), context_mask=(None, None))
    e = len(m["labels"])
    out["head"] = {"inputs": head_in, "outputs": {"logits": (None, e), "probabilities": (None, e)}}
    return {k: v for k, v in out.items() if k in m["graphs"]}


def check_graphs(folder: Path | str, manifest: dict[str, Any]) -> None:
    """Every graph has the inputs and outputs ``graph_shapes`` names, of the right rank and, where
    the graph fixes a dimension, the right size."""
    import onnx

    folder = Path(folder)
    per_layer = False
    if "whisper_decoder" in manifest["graphs"]:
        try:
            dec = onnx.load(str(folder / manifest["graphs"]["whisper_decoder"]), load_external_data=False).graph
            per_layer = any(i.name == "cross_k_0" for i in dec.input)
        except Exception:  # reported below, graph by graph
            pass
    for kind, want in graph_shapes(manifest, per_layer).items():
        name = manifest["graphs"][kind]
        try:
            g = onnx.load(str(folder / name), load_external_data=False).graph
        except Exception as e:  # onnx raises DecodeError and others on a corrupt file
            raise BundleError(f"{folder / name}: not a readable ONNX graph ({e})") from None
        for side, values in (("inputs", g.input), ("outputs", g.output)):
            have = {v.name: tuple(d.dim_value if d.HasField("dim_value") else None
                                  for d in v.type.tensor_type.shape.dim) for v in values}
            for vname, shape in want[side].items():
                if vname not in have:
                    raise BundleError(f"{folder / name}: {kind} graph has no {side[:-1]} {vname!r} "
                                      f"(has {sorted(have)})")
                got = have[vname]
                bad = len(got) != len(shape) or any(w is not None and h is not None and w != h
                                                    for w, h in zip(shape, got))
                if bad:
                    fmt = lambda t: "[" + ", ".join("?" if x is None else str(x) for x in t) + "]"
                    raise BundleError(f"{folder / name}: {kind} {side[:-1]} {vname!r} has shape {fmt(got)}, "
                                      f"format {manifest['format_version']} and the manifest need {fmt(shape)}")


def load_bundle(folder: Path | str, verify: bool = True) -> dict[str, Any]:
    """Reads and validates bundle.json (format 1 or 2); with ``verify`` checks every file's size
    and SHA-256 and every graph's inputs and outputs."""
    folder = Path(folder)
    path = folder / MANIFEST
    if not path.is_file():
        raise BundleError(f"{path}: no manifest (not a bundle folder?)")
    try:
        manifest = json.loads(path.read_text())
    except json.JSONDecodeError as e:
        raise BundleError(f"{path}: not valid JSON: {e}") from None
    validate_manifest(manifest)
    if verify:
        extra = sorted(f.name for f in folder.iterdir() if f.name != MANIFEST and f.name not in manifest["files"])
        if extra:
            # as the Java loader: a file the manifest does not list is a bundle that was changed
            raise BundleError(f"{folder}: {', '.join(extra)} not listed in {MANIFEST} 'files' (remove, or re-export)")
        for name, entry in manifest["files"].items():
            f = folder / name
            if not f.is_file():
                raise BundleError(f"{f}: listed in {MANIFEST} but missing")
            if f.stat().st_size != entry["bytes"]:
                raise BundleError(f"{f}: {f.stat().st_size} bytes, {MANIFEST} says {entry['bytes']}")
            digest = sha256(f)
            if digest != entry["sha256"]:
                raise BundleError(f"{f}: SHA-256 {digest} does not match {MANIFEST} ({entry['sha256']}); "
                                  "the file is corrupt or was changed after export")
        check_graphs(folder, manifest)
    return manifest

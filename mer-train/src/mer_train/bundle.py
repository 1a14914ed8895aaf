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
FORMAT_VERSION = 1
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


def load_bundle(folder: Path | str, verify: bool = True) -> dict[str, Any]:
    """Reads and validates bundle.json; with ``verify`` checks every file's size and SHA-256."""
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
    return manifest

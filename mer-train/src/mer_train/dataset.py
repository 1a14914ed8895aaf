"""The dataset manifest: labelled audio rows shared by training and evaluation (issue 15).

One row per utterance, in a CSV, TSV or JSONL file (chosen by extension):

    audio,label,group,transcript,start,end,split
    wav/a.wav,happy,spk1,Kids are talking by the door,,,train
    long/session3.flac,sad,spk2,,12.5,15.25,

- ``audio`` (required): path relative to the manifest's folder (or absolute).
- ``label`` (required): any non-empty string (case-sensitive, surrounding blanks stripped).
- ``group``: speaker or session id, for grouped folds (a JSON number becomes its decimal string).
- ``transcript``: the words spoken (optional).
- ``start``, ``end``: seconds within the file, ``0 <= start < end`` (missing start = 0, missing
  end = the end of the file).
- ``split``: ``train``, ``validation`` or ``test`` (the split-column fold scheme).
Other columns are ignored; an empty CSV cell is an absent field. The format is fixed by the
contract the Python and Java readers share (docs/training.md, "Your own data"); the JSON Schema of
one row is ``schema/dataset-row.schema.json``.

Every bad row is reported, not only the first: :class:`ManifestError` holds one
``FILE:LINE: field: problem`` string per problem (LINE is the 1-based physical line where the row
starts).
"""

from __future__ import annotations

import csv
import io
import json
import math
import os
import re
from collections import Counter
from dataclasses import dataclass, field
from importlib import resources
from math import gcd
from pathlib import Path
from typing import Any, Iterable, Sequence

import numpy as np
import soundfile as sf

SPLITS = ("train", "validation", "test")
FIELDS = ("audio", "label", "group", "transcript", "start", "end", "split")
FORMATS = {".csv": "csv", ".tsv": "tsv", ".jsonl": "jsonl", ".ndjson": "jsonl"}

# A decimal number of seconds: digits with an optional fraction and exponent. Stricter than
# float(), which would also take "inf", "nan", "1_000" and surrounding blanks.
_DECIMAL = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")


class ManifestError(ValueError):
    """A manifest that cannot be used; ``problems`` lists every one as ``FILE:LINE: problem``."""

    def __init__(self, problems: Sequence[str] | str) -> None:
        self.problems = [problems] if isinstance(problems, str) else list(problems)
        if len(self.problems) == 1:
            msg = self.problems[0]
        else:
            msg = f"{len(self.problems)} problems:\n" + "\n".join(self.problems)
        super().__init__(msg)

    def __reduce__(self):  # pickles (multiprocessing) with its list, not the joined message
        return (type(self), (self.problems,))


@dataclass(frozen=True)
class Item:
    """One utterance of a manifest. ``line`` is its manifest line (0 for items not read from one)."""

    audio: Path  # absolute (read_manifest joins a relative path to the manifest's folder)
    label: str
    group: str | None = None
    transcript: str | None = None
    start: float | None = None
    end: float | None = None
    split: str | None = None
    line: int = 0

    def load(self, sample_rate: int = 16000) -> np.ndarray:
        """float32 mono samples of ``[start, end)`` at ``sample_rate``.

        The cut is made at the file's own rate by sample index (``round(start * rate)`` to
        ``round(end * rate)``), then the piece is down-mixed and resampled as :func:`read_wave`
        does for whole files.
        """
        try:
            info = sf.info(str(self.audio))
        except (sf.LibsndfileError, RuntimeError) as e:
            raise ValueError(f"{self.audio}: cannot read audio (manifest line {self.line}): {e}") from None
        rate, frames = info.samplerate, info.frames
        a = 0 if self.start is None else round(self.start * rate)
        b = frames if self.end is None else round(self.end * rate)
        if b > frames:
            raise ValueError(f"{self.audio}: end {self.end} s is past the end of the file ({frames / rate:.3f} s) "
                             f"(manifest line {self.line})")
        if a >= b:
            span = f"[{self.start or 0}, {'the end' if self.end is None else self.end})"
            raise ValueError(f"{self.audio}: the cut {span} s holds no samples "
                             f"(the file has {frames / rate:.3f} s) (manifest line {self.line})")
        x, rate = sf.read(str(self.audio), start=a, stop=b, dtype="float32", always_2d=True)
        return _to_mono_rate(x, rate, sample_rate)


@dataclass
class Dataset:
    """The rows of one manifest, in file order."""

    path: Path
    items: list[Item] = field(default_factory=list)

    def labels(self) -> list[str]:
        """The distinct labels sorted by code point (the label order a bundle gets without --labels)."""
        return sorted({it.label for it in self.items})

    def label_counts(self) -> dict[str, int]:
        c = Counter(it.label for it in self.items)
        return {lab: c[lab] for lab in self.labels()}

    def check_labels(self, labels: Sequence[str], what: str = "the label set") -> None:
        """Raises ManifestError naming every row whose label is not in ``labels`` (a --labels list or
        a bundle's labels)."""
        allowed = set(labels)
        problems = [f"{self.path}:{it.line}: label: {it.label!r} is not in {what} {list(labels)}"
                    for it in self.items if it.label not in allowed]
        if problems:
            raise ManifestError(problems)


def row_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of one manifest row: ``schema/dataset-row.schema.json``."""
    return json.loads(resources.files("mer_train").joinpath("schema/dataset-row.schema.json").read_text())


def read_wave(path: Path | str, sample_rate: int = 16000) -> np.ndarray:
    """A whole audio file as float32 mono at ``sample_rate``: channels averaged, then resampled
    (when the file's rate differs) with scipy's polyphase filter."""
    x, rate = sf.read(str(path), dtype="float32", always_2d=True)
    return _to_mono_rate(x, rate, sample_rate)


def _to_mono_rate(x: np.ndarray, rate: int, sample_rate: int) -> np.ndarray:
    mono = x.mean(axis=1, dtype=np.float32) if x.shape[1] > 1 else x[:, 0]
    if rate == sample_rate:
        return mono
    from scipy.signal import resample_poly  # only for files not already at the model's rate

    g = gcd(int(rate), int(sample_rate))
    return resample_poly(mono, sample_rate // g, rate // g).astype(np.float32)


# ----------------------------------------------------------------------------------------------
# Reading


def manifest_format(path: Path | str) -> str:
    """``csv``, ``tsv`` or ``jsonl`` from the file's extension (ValueError for any other)."""
    ext = Path(path).suffix.lower()
    if ext not in FORMATS:
        raise ValueError(f"{path}: unknown manifest format {ext or '(no extension)'!r}; "
                         f"use one of {', '.join(sorted(FORMATS))}")
    return FORMATS[ext]


def read_manifest(path: Path | str, check_audio: bool = True) -> Dataset:
    """Reads and checks a manifest. Raises ManifestError listing every bad row (or the file's
    problem: not UTF-8, a bad header, no rows). ``check_audio``: a row whose audio file does not
    exist is a bad row."""
    path = Path(path)
    fmt = manifest_format(path)
    try:
        raw = path.read_bytes()
    except OSError as e:
        raise ManifestError([f"{path}: cannot read the manifest: {e.strerror or e}"]) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = raw.count(b"\n", 0, e.start) + 1
        raise ManifestError([f"{path}:{line}: not UTF-8 (byte 0x{raw[e.start]:02x}); save the manifest as UTF-8"]) from None
    problems: list[str] = []
    rows = _jsonl_rows(path, text, problems) if fmt == "jsonl" else _table_rows(path, text, fmt, problems)
    base = path.parent.resolve()
    items = []
    for line, row in rows:
        if isinstance(row, str):  # a row that could not be split into fields
            problems.append(row)
            continue
        it = _item(path, base, line, row, problems, check_audio, typed=fmt == "jsonl")
        if it is not None:
            items.append(it)
    if not problems and not items:
        problems.append(f"{path}: no rows" + (" (only a header)" if fmt != "jsonl" and text.strip() else ""))
    if problems:
        raise ManifestError(problems)
    return Dataset(path=path, items=items)


def _table_rows(path: Path, text: str, fmt: str, problems: list[str]) -> list[tuple[int, dict[str, str] | str]]:
    """(line, {column: cell}) of a CSV/TSV with RFC 4180 quoting, empty cells left out; (line,
    problem) for a row that cannot be split. A header problem goes to ``problems`` (no rows then)."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter="," if fmt == "csv" else "\t", strict=True)
    header: list[str] | None = None
    out = []
    line = 1  # the physical line where the next row starts
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as e:
            out.append((line, f"{path}:{line}: cannot parse the row ({e}); check its quotes"))
            break
        start, line = line, reader.line_num + 1
        if not cells or (len(cells) == 1 and not cells[0].strip()):
            continue  # blank line
        if header is None:
            header = [c.strip() for c in cells]
            dup = sorted(n for n, k in Counter(header).items() if k > 1)
            if dup:
                problems.append(f"{path}:{start}: header: column(s) {', '.join(map(repr, dup))} appear more than once")
            for req in ("audio", "label"):
                if req not in header:
                    near = [h for h in header if h.lower() == req]
                    hint = f" (found {near[0]!r}; column names are lower-case)" if near else ""
                    problems.append(f"{path}:{start}: header: no {req!r} column{hint}; columns: {header}")
            if problems:
                return []
            continue
        if len(cells) > len(header):
            out.append((start, f"{path}:{start}: the row has {len(cells)} fields, the header {len(header)} "
                                "(a separator inside an unquoted value?)"))
            continue
        out.append((start, {h: c for h, c in zip(header, cells) if c.strip()}))
    return out


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    keys = Counter(k for k, _ in pairs)
    dup = sorted(k for k, n in keys.items() if n > 1)
    if dup:
        raise ValueError(f"key(s) {', '.join(map(repr, dup))} appear more than once")
    return dict(pairs)


def _jsonl_rows(path: Path, text: str, problems: list[str]) -> list[tuple[int, dict[str, Any] | str]]:
    out = []
    # split on "\n" only: str.splitlines() would also split at U+2028 and friends, which JSON
    # allows unescaped inside strings
    for i, raw in enumerate(text.split("\n"), start=1):
        s = raw.strip()
        if not s:
            continue
        try:
            obj = json.loads(s, object_pairs_hook=_no_duplicates)
        except ValueError as e:  # json.JSONDecodeError is a ValueError, as is a duplicated key
            out.append((i, f"{path}:{i}: not a JSON object: {e}"))
            continue
        if not isinstance(obj, dict):
            out.append((i, f"{path}:{i}: not a JSON object (found {type(obj).__name__})"))
            continue
        out.append((i, obj))
    return out


def _item(path: Path, base: Path, line: int, row: dict[str, Any], problems: list[str],
          check_audio: bool, typed: bool) -> Item | None:
    """The checked Item of one row, or None after adding its problems. ``typed``: a JSON row, whose
    start/end must be JSON numbers (a CSV/TSV cell is text that must read as one)."""
    before = len(problems)

    def bad(name: str, msg: str) -> None:
        problems.append(f"{path}:{line}: {name}: {msg}")

    def text(name: str, required: bool = False, numbers: bool = False) -> str | None:
        v = row.get(name)
        if isinstance(v, bool) or (v is not None and not isinstance(v, str)
                                   and not (numbers and isinstance(v, (int, float)))):
            bad(name, f"{json.dumps(v)} is not a string")
            return None
        if isinstance(v, (int, float)):
            return str(v)
        v = v.strip() if v is not None else ""
        if not v:
            if required:
                near = [k for k in row if k != name and k.lower() == name]
                bad(name, f"missing (found {near[0]!r}; names are lower-case)" if near else "missing")
            return None
        return v

    def seconds(name: str) -> float | None:
        v = row.get(name)
        if v is None:
            return None
        if isinstance(v, str) and not typed:
            if not _DECIMAL.match(v.strip()):
                bad(name, f"{v!r} is not a number of seconds")
                return None
            x = float(v)
        elif isinstance(v, (int, float)) and not isinstance(v, bool):
            x = float(v)
        else:
            bad(name, f"{json.dumps(v)} is not a number of seconds")
            return None
        if not math.isfinite(x) or x < 0:
            bad(name, f"{v!r} is not a number of seconds >= 0")
            return None
        return x

    audio = text("audio", required=True)
    label = text("label", required=True)
    group = text("group", numbers=True)
    transcript = text("transcript")
    start, end = seconds("start"), seconds("end")
    split = text("split")
    if end is not None and start is not None and not start < end:
        bad("end", f"{row['end']!r} is not after start {row['start']!r}")
    elif end is not None and start is None and end == 0:
        bad("end", f"{row['end']!r} is not after start 0 (the start of the file)")
    if split is not None and split not in SPLITS:
        bad("split", f"{split!r} is not one of {', '.join(SPLITS)}")
    resolved = None
    if audio is not None:
        # absolute and normalised ("a/../b" -> "b"), not resolve(): a symlinked audio file keeps its
        # name, and one realpath per row was half the time of reading a large manifest
        resolved = Path(os.path.normpath(os.path.join(base, audio)))
        if check_audio and not os.path.isfile(resolved):
            bad("audio", f"{audio!r}: no such file ({resolved})")
    if len(problems) > before:
        return None
    assert resolved is not None and label is not None
    return Item(audio=resolved, label=label, group=group, transcript=transcript, start=start, end=end,
                split=split, line=line)


# ----------------------------------------------------------------------------------------------
# Writing


def _relative(audio: Path, base: Path) -> str:
    a = os.path.abspath(audio)
    try:
        return Path(os.path.relpath(a, base)).as_posix()
    except ValueError:  # another drive (Windows): keep it absolute
        return str(a)


def _number(x: float) -> str:
    return repr(float(x))  # the shortest text that reads back as the same float


def write_manifest(path: Path | str, items: Iterable[Item]) -> Path:
    """Writes ``items`` as CSV, TSV or JSONL (by extension), audio paths relative to the manifest's
    folder. Columns: audio, label, then the optional fields any item has, in contract order. The
    file is written to a temporary name and renamed, so a failed write leaves no half file."""
    path = Path(path)
    fmt = manifest_format(path)
    items = list(items)
    base = path.parent.resolve()
    rows = []
    for it in items:
        row: dict[str, str | float] = {"audio": _relative(it.audio, base), "label": it.label}
        for name in FIELDS[2:]:
            v = getattr(it, name)
            if v is not None:
                row[name] = float(v) if name in ("start", "end") else v
        rows.append(row)
    columns = [f for f in FIELDS if f in ("audio", "label") or any(f in r for r in rows)]
    buf = io.StringIO(newline="")
    if fmt == "jsonl":
        for r in rows:
            buf.write(json.dumps(r, ensure_ascii=False) + "\n")
    else:
        w = csv.writer(buf, delimiter="," if fmt == "csv" else "\t", lineterminator="\n")
        w.writerow(columns)
        for r in rows:
            w.writerow([_number(v) if isinstance(v, float) else v for v in (r.get(c, "") for c in columns)])
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(buf.getvalue(), encoding="utf-8", newline="")
    os.replace(tmp, path)
    return path

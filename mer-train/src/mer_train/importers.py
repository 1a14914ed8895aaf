"""Importers: the layouts users download -> a dataset manifest (``python -m mer_train import-dataset``).

Each importer reads a corpus in its release layout and returns the manifest's items plus a count of
what it left out and why (:class:`ImportResult`). What is a counted skip and what is an error:

- a file whose name does not follow the corpus's pattern, an unknown code in a name or a label
  table, a documented "no label" code (MSP-Podcast X and O), a RAVDESS video file, a label left out
  by ``labels=``: **counted skips** (the CLI prints each reason with its count and first examples);
- a labelled utterance whose audio file is missing: an **error** naming the first ones (a manifest
  silently missing part of the corpus would make every figure wrong), unless ``skip_missing=True``,
  which makes it a counted skip too;
- no folder/table of the layout at ROOT, a label table without its columns, nothing left to
  write: an error.
"""

from __future__ import annotations

import argparse
import csv
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Sequence

from .dataset import Item, write_manifest
from .folds import natural_key

EXAMPLES = 3  # examples kept per skip reason


class CorpusError(ValueError):
    """The corpus at ROOT cannot be imported (wrong layout, missing audio, nothing kept)."""


@dataclass
class ImportResult:
    corpus: str
    items: list[Item] = field(default_factory=list)
    skipped: Counter = field(default_factory=Counter)
    examples: dict[str, list[str]] = field(default_factory=dict)

    def skip(self, reason: str, example: str) -> None:
        self.skipped[reason] += 1
        ex = self.examples.setdefault(reason, [])
        if len(ex) < EXAMPLES:
            ex.append(example)

    def summary(self) -> str:
        labels = Counter(it.label for it in self.items)
        groups = {it.group for it in self.items} - {None}
        lines = [f"{self.corpus}: {len(self.items)} rows, {len(groups)} groups, labels "
                 + ", ".join(f"{lab} {labels[lab]}" for lab in sorted(labels))]
        splits = Counter(it.split for it in self.items if it.split)
        if splits:
            lines.append("  splits: " + ", ".join(f"{s} {splits[s]}" for s in ("train", "validation", "test") if s in splits))
        for reason, n in sorted(self.skipped.items(), key=lambda kv: (-kv[1], kv[0])):
            lines.append(f"  skipped {n}: {reason} (e.g. {', '.join(self.examples[reason])})")
        return "\n".join(lines)


class _Missing:
    """Labelled utterances without their audio file: an error at the end, or counted skips."""

    def __init__(self, result: ImportResult, skip: bool) -> None:
        self.result, self.skip, self.paths = result, skip, []

    def check(self, wav: Path, where: str) -> bool:
        if wav.is_file():
            return True
        self.paths.append(f"{wav} ({where})")
        if self.skip:
            self.result.skip("audio file missing", wav.name)
        return False

    def raise_if_any(self) -> None:
        if self.paths and not self.skip:
            shown = "; ".join(self.paths[:EXAMPLES]) + (f"; and {len(self.paths) - EXAMPLES} more"
                                                          if len(self.paths) > EXAMPLES else "")
            raise CorpusError(f"{self.result.corpus}: {len(self.paths)} labelled utterance(s) have no audio file: "
                               f"{shown}. Complete the download, or pass --skip-missing to leave them out")


def _keep_labels(result: ImportResult, labels: Sequence[str] | None, known: Sequence[str]) -> ImportResult:
    """Drops (and counts) items whose label is not in ``labels``; refuses a label the corpus cannot
    produce (a typo would otherwise silently keep nothing of it)."""
    if labels is None:
        return result
    unknown = [lab for lab in labels if lab not in known]
    if unknown:
        raise CorpusError(f"{result.corpus}: --labels {unknown} are not labels of this importer; "
                           f"its labels: {', '.join(known)}")
    keep = []
    for it in result.items:
        if it.label in labels:
            keep.append(it)
        else:
            result.skip(f"label {it.label!r} not in --labels", it.audio.name)
    result.items = keep
    return result


def _sorted_files(root: Path, pattern: str) -> list[Path]:
    return sorted(root.rglob(pattern), key=lambda p: natural_key(str(p.relative_to(root))))


def _require_dir(p: Path, what: str) -> None:
    if not p.is_dir():
        raise CorpusError(f"{p}: not a folder (expected {what})")


# ----------------------------------------------------------------------------------------------
# IEMOCAP


def import_iemocap(root: Path | str, group: str = "session", labels: Sequence[str] | None = None,
                   skip_missing: bool = False) -> ImportResult:
    """The release layout :mod:`mer_train.iemocap` reads (same parsing): neutral, happy (hap and
    exc merged), sad, angry; every other code counted as dropped. ``group``: ``session``
    ("Session1") or ``speaker`` ("Ses01F"). The reference transcription is the transcript. No
    start/end: each utterance has its own WAV (the EmoEvaluation times are positions in the dialog)."""
    from .iemocap import LABEL_MAP, LABELS, walk_annotations

    if group not in ("session", "speaker"):
        raise ValueError(f"iemocap: group must be 'session' or 'speaker', got {group!r}")
    root = Path(root).resolve()
    _require_dir(root, "the IEMOCAP release folder with Session1..Session5")
    result = ImportResult("iemocap")
    missing = _Missing(result, skip_missing)
    for a in walk_annotations(root, error=CorpusError):
        if a.code not in LABEL_MAP:
            result.skip(f"IEMOCAP code {a.code!r} (not one of {', '.join(sorted(LABEL_MAP))})", a.id)
            continue
        if not missing.check(a.wav, f"labelled in {a.emo_file.name}:{a.line}"):
            continue
        result.items.append(Item(audio=a.wav, label=LABEL_MAP[a.code], transcript=a.transcript or None,
                                 group=a.session_dir.name if group == "session" else a.speaker))
    missing.raise_if_any()
    return _keep_labels(result, labels, LABELS)


# ----------------------------------------------------------------------------------------------
# RAVDESS

RAVDESS_EMOTIONS = {"01": "neutral", "02": "calm", "03": "happy", "04": "sad", "05": "angry", "06": "fearful",
                    "07": "disgust", "08": "surprised"}
RAVDESS_STATEMENTS = {"01": "Kids are talking by the door", "02": "Dogs are sitting by the door"}
_RAVDESS_NAME = re.compile(r"^(\d\d)-(\d\d)-(\d\d)-(\d\d)-(\d\d)-(\d\d)-(\d\d)$")


def import_ravdess(root: Path | str, labels: Sequence[str] | None = None, include_song: bool = False) -> ImportResult:
    """``Actor_NN/MM-VV-EE-II-SS-RR-AA.wav`` (modality, vocal channel, emotion, intensity,
    statement, repetition, actor). Keeps audio-only files (modality 03) of speech (vocal channel
    01; song 02 too with ``include_song``); full-AV (01) and video-only (02) files are counted skips.
    Group = actor ("Actor_12"); transcript = the statement."""
    root = Path(root).resolve()
    _require_dir(root, "the RAVDESS folder with Actor_01..Actor_24")
    result = ImportResult("ravdess")
    files = [p for p in _sorted_files(root, "*") if p.is_file() and p.suffix.lower() in (".wav", ".mp4")]
    if not files:
        raise CorpusError(f"{root}: no .wav files (expected Actor_NN/03-01-EE-II-SS-RR-NN.wav)")
    for p in files:
        m = _RAVDESS_NAME.match(p.stem)
        if not m:
            result.skip("name not MM-VV-EE-II-SS-RR-AA", str(p.relative_to(root)))
            continue
        modality, channel, emotion, intensity, statement, _rep, actor = m.groups()
        if modality in ("01", "02"):
            result.skip(f"video file (modality {modality}: {'full-AV' if modality == '01' else 'video-only'})", p.name)
            continue
        if modality != "03" or p.suffix.lower() != ".wav":
            result.skip(f"unknown modality {modality} or not a .wav", p.name)
            continue
        if channel not in ("01", "02"):
            result.skip(f"unknown vocal channel {channel}", p.name)
            continue
        if channel == "02" and not include_song:
            result.skip("song (vocal channel 02; --include-song keeps it)", p.name)
            continue
        if emotion not in RAVDESS_EMOTIONS:
            result.skip(f"unknown emotion code {emotion}", p.name)
            continue
        if intensity not in ("01", "02") or statement not in RAVDESS_STATEMENTS or not 1 <= int(actor) <= 99:
            result.skip("unknown intensity, statement or actor code", p.name)
            continue
        result.items.append(Item(audio=p, label=RAVDESS_EMOTIONS[emotion], group=f"Actor_{actor}",
                                 transcript=RAVDESS_STATEMENTS[statement]))
    return _keep_labels(result, labels, list(RAVDESS_EMOTIONS.values()))


# ----------------------------------------------------------------------------------------------
# CREMA-D

CREMA_EMOTIONS = {"ANG": "angry", "DIS": "disgust", "FEA": "fear", "HAP": "happy", "NEU": "neutral", "SAD": "sad"}
# the 12 sentences of the CREMA-D README (CheyneyComputerScience/CREMA-D)
CREMA_SENTENCES = {
    "IEO": "It's eleven o'clock", "TIE": "That is exactly what happened", "IOM": "I'm on my way to the meeting",
    "IWW": "I wonder what this is about", "TAI": "The airplane is almost full",
    "MTI": "Maybe tomorrow it will be cold", "IWL": "I would like a new alarm clock",
    "ITH": "I think I have a doctor's appointment", "DFA": "Don't forget a jacket",
    "ITS": "I think I've seen this before", "TSI": "The surface is slick", "WSI": "We'll stop in a couple of minutes",
}
CREMA_LEVELS = ("LO", "MD", "HI", "XX")
_CREMA_NAME = re.compile(r"^(\d{4})_([A-Z]{3})_([A-Z]{3})_([A-Z]{2})$")


def import_crema_d(root: Path | str, labels: Sequence[str] | None = None) -> ImportResult:
    """``AudioWAV/<actor>_<sentence>_<emotion>_<level>.wav`` (ROOT is the CREMA-D folder or its
    AudioWAV folder). Group = actor ("1001"); transcript = the sentence's text."""
    root = Path(root).resolve()
    wav_dir = root / "AudioWAV" if (root / "AudioWAV").is_dir() else root
    _require_dir(wav_dir, "the CREMA-D folder holding AudioWAV/")
    result = ImportResult("crema-d")
    files = [p for p in sorted(wav_dir.iterdir()) if p.is_file() and p.suffix.lower() == ".wav"]
    if not files:
        raise CorpusError(f"{wav_dir}: no .wav files (expected AudioWAV/1001_DFA_ANG_XX.wav)")
    for p in files:
        m = _CREMA_NAME.match(p.stem)
        if not m:
            result.skip("name not <actor>_<sentence>_<emotion>_<level>", p.name)
            continue
        actor, sentence, emotion, level = m.groups()
        if emotion not in CREMA_EMOTIONS:
            result.skip(f"unknown emotion code {emotion}", p.name)
            continue
        if sentence not in CREMA_SENTENCES or level not in CREMA_LEVELS:
            result.skip("unknown sentence or level code", p.name)
            continue
        result.items.append(Item(audio=p, label=CREMA_EMOTIONS[emotion], group=actor,
                                 transcript=CREMA_SENTENCES[sentence]))
    return _keep_labels(result, labels, list(CREMA_EMOTIONS.values()))


# ----------------------------------------------------------------------------------------------
# MSP-Podcast

MSP_EMOTIONS = {"A": "angry", "S": "sad", "H": "happy", "U": "surprise", "F": "fear", "D": "disgust",
                "C": "contempt", "N": "neutral"}
MSP_NO_LABEL = {"X": "no agreement", "O": "other"}
MSP_SPLITS = {"Train": "train", "Development": "validation"}
MSP_TEST_SETS = ("Test1", "Test2")
MSP_COLUMNS = ("FileName", "EmoClass", "SpkrID", "Split_Set")


def import_msp_podcast(root: Path | str, labels: Sequence[str] | None = None, test_set: str = "Test1",
                       skip_missing: bool = False) -> ImportResult:
    """``Labels/labels_consensus.csv`` + ``Audios/<FileName>``. EmoClass A,S,H,U,F,D,C,N -> angry,
    sad, happy, surprise, fear, disgust, contempt, neutral; X (no agreement) and O (other) counted
    skips. Split_Set Train -> train, Development -> validation, and the chosen test set(s) -> test:
    ``test_set`` "Test1" (default, the usual benchmark partition), "Test2" or "both"; the other test
    set is a counted skip. Group = SpkrID ("Unknown" = absent)."""
    if test_set not in (*MSP_TEST_SETS, "both"):
        raise ValueError(f"msp-podcast: test_set must be Test1, Test2 or both, got {test_set!r}")
    root = Path(root).resolve()
    table = root / "Labels" / "labels_consensus.csv"
    audios = root / "Audios"
    if not table.is_file():
        raise CorpusError(f"{table}: missing (expected the MSP-Podcast layout: Labels/labels_consensus.csv, Audios/)")
    _require_dir(audios, "Audios/ with the MSP-Podcast audio files")
    splits = dict(MSP_SPLITS)
    for t in MSP_TEST_SETS:
        if test_set in (t, "both"):
            splits[t] = "test"
    result = ImportResult("msp-podcast")
    missing = _Missing(result, skip_missing)
    with open(table, encoding="utf-8-sig", newline="") as f:
        reader = csv.DictReader(f)
        absent = [c for c in MSP_COLUMNS if c not in (reader.fieldnames or [])]
        if absent:
            raise CorpusError(f"{table}:1: header: no column(s) {absent}; columns: {reader.fieldnames}")
        line = 2
        for row in reader:
            where, line = f"{table.name}:{line}", reader.line_num + 1
            name, code = (row["FileName"] or "").strip(), (row["EmoClass"] or "").strip()
            split_set, speaker = (row["Split_Set"] or "").strip(), (row["SpkrID"] or "").strip()
            if not name:
                result.skip("row without a FileName", where)
                continue
            if code in MSP_NO_LABEL:
                result.skip(f"EmoClass {code} ({MSP_NO_LABEL[code]})", name)
                continue
            if code not in MSP_EMOTIONS:
                result.skip(f"unknown EmoClass {code!r}", f"{where} {name}")
                continue
            if split_set in MSP_TEST_SETS and split_set not in splits:
                result.skip(f"Split_Set {split_set} (the test set is {test_set}; --test-set chooses)", name)
                continue
            if split_set not in splits:
                result.skip(f"unknown Split_Set {split_set!r}", f"{where} {name}")
                continue
            wav = audios / name
            if not missing.check(wav, f"listed in {where}"):
                continue
            result.items.append(Item(audio=wav, label=MSP_EMOTIONS[code], split=splits[split_set],
                                     group=None if speaker in ("", "Unknown") else speaker))
    missing.raise_if_any()
    return _keep_labels(result, labels, list(MSP_EMOTIONS.values()))


# ----------------------------------------------------------------------------------------------
# CLI: python -m mer_train import-dataset CORPUS ROOT --out FILE

IMPORTERS: dict[str, Callable[..., ImportResult]] = {
    "iemocap": import_iemocap, "ravdess": import_ravdess, "crema-d": import_crema_d,
    "msp-podcast": import_msp_podcast,
}


def check_audio_files(result: ImportResult) -> ImportResult:
    """Reads each item's audio header (not the samples): an unreadable file or one without samples
    becomes a counted skip."""
    import soundfile as sf

    keep = []
    for it in result.items:
        try:
            ok = sf.info(str(it.audio)).frames > 0
        except RuntimeError:  # soundfile.LibsndfileError: not audio libsndfile can read
            ok = False
        if ok:
            keep.append(it)
        else:
            result.skip("unreadable or empty audio file (--check-audio)", it.audio.name)
    result.items = keep
    return result


def run_import(corpus: str, root: Path | str, out: Path | str, labels: Sequence[str] | None = None,
               check_audio: bool = False, **options) -> ImportResult:
    """Imports ``corpus`` at ``root`` and writes the manifest ``out`` (format by extension).
    ``check_audio``: :func:`check_audio_files` before writing."""
    from .dataset import manifest_format

    manifest_format(out)  # refuse a wrong extension before the scan
    result = IMPORTERS[corpus](root, labels=labels, **options)
    if check_audio:
        check_audio_files(result)
    if not result.items:
        raise CorpusError(f"{corpus}: nothing to write from {root}\n{result.summary()}")
    write_manifest(out, result.items)
    return result


def _cmd_import(a: argparse.Namespace) -> int:
    labels = [s.strip() for s in a.labels.split(",") if s.strip()] if a.labels else None
    options: dict = {}
    if a.corpus == "iemocap":
        options = dict(group=a.group, skip_missing=a.skip_missing)
    elif a.corpus == "ravdess":
        options = dict(include_song=a.include_song)
    elif a.corpus == "msp-podcast":
        options = dict(test_set=a.test_set, skip_missing=a.skip_missing)
    result = run_import(a.corpus, a.root, a.out, labels=labels, check_audio=a.check_audio, **options)
    print(result.summary())
    print(f"manifest: {a.out}")
    return 0


def add_import_command(sub: argparse._SubParsersAction) -> None:
    i = sub.add_parser("import-dataset", help="write a dataset manifest from a downloaded corpus's layout",
                       description="Writes a dataset manifest (docs/training.md, 'Your own data') from a corpus "
                                   "in its release layout. Odd files (a wrong name, an unknown code, a video file) "
                                   "are counted skips, printed with examples; a labelled utterance without its "
                                   "audio file is an error unless --skip-missing.")
    i.add_argument("corpus", choices=sorted(IMPORTERS))
    i.add_argument("root", help="the corpus folder as downloaded")
    i.add_argument("--out", required=True, help="manifest to write: .csv, .tsv or .jsonl")
    i.add_argument("--labels", help="keep only these labels (comma-separated), e.g. neutral,happy,sad,angry")
    i.add_argument("--group", choices=["session", "speaker"], default="session",
                   help="iemocap: group rows by session (Session1, default) or speaker (Ses01F)")
    i.add_argument("--include-song", action="store_true", help="ravdess: keep the song files too (vocal channel 02)")
    i.add_argument("--test-set", choices=["Test1", "Test2", "both"], default="Test1",
                   help="msp-podcast: which Split_Set becomes split 'test' (default Test1; the other is skipped)")
    i.add_argument("--skip-missing", action="store_true",
                   help="iemocap, msp-podcast: leave out (and count) labelled rows whose audio file is missing "
                        "instead of failing")
    i.add_argument("--check-audio", action="store_true",
                   help="open each audio file's header; an unreadable or empty file is left out (and counted)")
    i.set_defaults(fn=_cmd_import)


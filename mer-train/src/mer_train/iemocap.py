"""Reading the IEMOCAP release layout (and the synthetic corpus written in it).

    <root>/SessionN/sentences/wav/<dialog>/<utterance>.wav
    <root>/SessionN/dialog/EmoEvaluation/<dialog>.txt      "[6.2901 - 8.2357]\tSes01F_impro01_F000\tneu\t[2.5000, ...]"
    <root>/SessionN/dialog/transcriptions/<dialog>.txt     "Ses01F_impro01_F000 [006.2901-008.2357]: Excuse me."

Labels follow the paper (III-A) and common practice: neutral, happy (``hap`` and ``exc`` merged),
sad, angry; every other code (frustrated, surprised, ``xxx`` ...) is dropped. Evaluation is
leave-one-session-out (III-D): five folds, each testing on one session (two speakers never seen in
training).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator

LABELS = ("neutral", "happy", "sad", "angry")
LABEL_MAP = {"neu": "neutral", "hap": "happy", "exc": "happy", "sad": "sad", "ang": "angry"}

_EMO_LINE = re.compile(r"^\[(?P<start>[\d.]+)\s*-\s*(?P<end>[\d.]+)\]\t(?P<id>\S+)\t(?P<code>\S+)\t")
_TRANS_LINE = re.compile(r"^(?P<id>Ses\S+)\s+\[[\d.]+-[\d.]+\]:\s?(?P<text>.*)$")
_SESSION = re.compile(r"^Session(\d+)$")


@dataclass(frozen=True)
class Utterance:
    id: str               # Ses01F_impro01_F000
    session: int          # 1..5
    dialog: str           # Ses01F_impro01
    speaker: str          # Ses01F: session + gender of the utterance's speaker
    code: str             # IEMOCAP code as annotated (neu, hap, exc, ...)
    label: str            # one of LABELS
    start: float
    end: float
    wav: Path
    transcript: str       # the reference transcription ("" if none)


def _sessions(root: Path) -> list[tuple[int, Path]]:
    found = []
    for p in sorted(root.iterdir()) if root.is_dir() else []:
        m = _SESSION.match(p.name)
        if m and p.is_dir():
            found.append((int(m.group(1)), p))
    return found


def read_transcriptions(path: Path) -> dict[str, str]:
    out = {}
    for line in path.read_text(errors="replace").splitlines():
        m = _TRANS_LINE.match(line.strip())
        if m:
            out[m.group("id")] = m.group("text").strip()
    return out


@dataclass(frozen=True)
class Annotation:
    """One line of an EmoEvaluation file, whatever its code, with where its audio and transcript
    are in the release layout (the audio file may be missing: the caller decides what that means)."""
    session: int          # 1..5
    session_dir: Path     # <root>/SessionN
    dialog: str           # Ses01F_impro01
    id: str               # Ses01F_impro01_F000
    code: str             # IEMOCAP code as annotated (neu, hap, exc, xxx, ...)
    start: float
    end: float
    wav: Path             # <root>/SessionN/sentences/wav/<dialog>/<id>.wav
    transcript: str       # the reference transcription ("" if none)
    emo_file: Path        # the EmoEvaluation file ...
    line: int             # ... and the line (1-based) of this annotation

    @property
    def speaker(self) -> str:
        """Session + gender of the utterance's speaker: Ses01F."""
        return f"Ses{self.session:02d}{self.id.rsplit('_', 1)[-1][0]}"


def walk_annotations(root: Path, sessions: list[int] | None = None,
                     error: Callable[[str], Exception] = FileNotFoundError) -> Iterator[Annotation]:
    """Every annotated utterance of the chosen sessions (all when None), in session, dialog and
    file order. A layout that is not IEMOCAP's (no SessionN folders, a chosen session without its
    folder, a session without dialog/EmoEvaluation) raises ``error(message)``."""
    found = _sessions(root)
    if not found:
        raise error(f"{root}: no SessionN folders (expected the IEMOCAP release layout, "
                    "e.g. Session1/dialog/EmoEvaluation/*.txt)")
    if sessions is not None:
        missing = sorted(set(sessions) - {s for s, _ in found})
        if missing:
            raise error(f"{root}: no Session folder for session(s) {missing}")
    for s, sdir in found:
        if sessions is not None and s not in sessions:
            continue
        emo_dir = sdir / "dialog" / "EmoEvaluation"
        if not emo_dir.is_dir():
            raise error(f"{emo_dir}: missing (expected one <dialog>.txt per dialog)")
        for emo_file in sorted(emo_dir.glob("*.txt")):
            dialog = emo_file.stem
            trans_file = sdir / "dialog" / "transcriptions" / f"{dialog}.txt"
            texts = read_transcriptions(trans_file) if trans_file.is_file() else {}
            for n, line in enumerate(emo_file.read_text(errors="replace").splitlines(), start=1):
                m = _EMO_LINE.match(line)
                if not m:
                    continue
                uid = m.group("id")
                yield Annotation(session=s, session_dir=sdir, dialog=dialog, id=uid, code=m.group("code"),
                                 start=float(m.group("start")), end=float(m.group("end")),
                                 wav=sdir / "sentences" / "wav" / dialog / f"{uid}.wav",
                                 transcript=texts.get(uid, ""), emo_file=emo_file, line=n)


def load_iemocap(root: Path | str, sessions: list[int] | None = None,
                 label_map: dict[str, str] | None = None) -> list[Utterance]:
    """All labelled utterances of the chosen sessions whose code maps to a label, in file order."""
    label_map = LABEL_MAP if label_map is None else label_map
    utts: list[Utterance] = []
    for a in walk_annotations(Path(root), sessions):
        if a.code not in label_map:
            continue
        if not a.wav.is_file():
            raise FileNotFoundError(f"{a.wav}: labelled in {a.emo_file} but the audio file is missing")
        utts.append(Utterance(id=a.id, session=a.session, dialog=a.dialog, speaker=a.speaker,
                              code=a.code, label=label_map[a.code], start=a.start, end=a.end, wav=a.wav,
                              transcript=a.transcript))
    return utts


@dataclass(frozen=True)
class Fold:
    test_session: int
    train: list[Utterance]
    test: list[Utterance]


def leave_one_session_out(utts: list[Utterance], test_sessions: list[int] | None = None) -> list[Fold]:
    """One fold per session (or per chosen session): train on the others, test on it."""
    sessions = sorted({u.session for u in utts})
    chosen = sessions if test_sessions is None else list(test_sessions)
    for s in chosen:
        if s not in sessions:
            raise ValueError(f"fold {s}: no utterances of session {s} (sessions present: {sessions})")
    if len(sessions) < 2:
        raise ValueError(f"leave-one-session-out needs at least 2 sessions, got {sessions}")
    return [Fold(s, [u for u in utts if u.session != s], [u for u in utts if u.session == s]) for s in chosen]


def label_counts(utts: list[Utterance]) -> dict[str, int]:
    return {lab: sum(u.label == lab for u in utts) for lab in LABELS}

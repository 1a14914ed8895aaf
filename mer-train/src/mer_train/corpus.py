"""A synthetic, IEMOCAP-shaped emotion corpus spoken by espeak-ng (and resampled by sox).

Why: IEMOCAP cannot be downloaded here, yet the training recipe, the loader and the demo bundle
need labelled emotional speech. This corpus is written in the IEMOCAP release layout, so
``iemocap.load_iemocap`` reads it exactly as it reads the real release:

    SessionN/sentences/wav/<dialog>/<utterance>.wav          16 kHz mono 16-bit
    SessionN/dialog/EmoEvaluation/<dialog>.txt               [start - end] <tab> id <tab> code <tab> [V, A, D]
    SessionN/dialog/transcriptions/<dialog>.txt              id [start-end]: text

Five sessions, each with one male-style and one female-style espeak-ng voice (different
variants and accents per session, so a held-out session has unseen voices). Four emotions, each
carried two ways:

- prosody: espeak-ng pitch (-p), rate (-s), amplitude (-a), word gaps (-g) and SSML pitch range
  per emotion, plus a per-speaker baseline and per-utterance jitter (so no single setting
  identifies a class);
- wording: emotion-typical sentence templates. A share of every emotion's utterances uses the
  neutral templates or templates shared by two emotions, so the text alone is informative but
  not perfect and the speech has to carry the rest.

IEMOCAP's label codes are used: happy utterances are labelled ``hap`` or ``exc`` (the loader merges
them), and a few utterances get codes the four-class setup drops (``fru``, ``sur``, ``xxx``).
Everything is deterministic given the seed (espeak-ng itself is deterministic).
"""

from __future__ import annotations

import json
import random
import shutil
import subprocess
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from xml.sax.saxutils import escape

import numpy as np
import soundfile as sf

EMOTIONS = ("neutral", "happy", "sad", "angry")
# The six-label set of the manifest corpus (``make_manifest_corpus``; the headline training test).
EMOTIONS6 = EMOTIONS + ("fearful", "surprised")

# (male voice, female voice) per session: espeak-ng language voice + variant. Every pair was
# checked to synthesise differently (espeak-ng ignores a variant on "en-gb": "en-gb+m1" and
# "en-gb+f3" are both the plain en-gb voice, so session 2 uses "en" with variants).
SESSION_VOICES = (
    ("en-us+m3", "en-us+f2"),
    ("en+m1", "en+f3"),
    ("en-029+m2", "en+f4"),
    ("en-gb-x-rp+m5", "en-us+f1"),
    ("en-gb-scotland+m7", "en-gb-x-gbclan+f5"),
)


@dataclass(frozen=True)
class Prosody:
    """espeak-ng settings of one emotion: pitch 0-99, words per minute, amplitude, word gap (10 ms)
    and the SSML pitch range (intonation: how far the pitch moves within the utterance)."""

    pitch: int
    rate: int
    amplitude: int
    gap: int
    range: str
    question: bool = False   # spoken with a question's final rise (espeak-ng's "?" intonation); the
                             # transcript keeps its own punctuation


# Absolute pitch depends on the voice, so it cannot tell emotions apart on an unseen speaker alone
# (a high female voice's neutral is as high as a lower one's happy); the pitch range is relative to
# the voice and carries what pitch level cannot: happy is lively (wide range), sad monotone. Happy
# and angry are both aroused (fast, loud): angry is lower, flatter and loudest.
PROSODY = {
    "neutral": Prosody(pitch=45, rate=155, amplitude=80, gap=1, range="medium"),
    "happy": Prosody(pitch=75, rate=180, amplitude=110, gap=0, range="x-high"),
    "sad": Prosody(pitch=25, rate=115, amplitude=45, gap=6, range="x-low"),
    "angry": Prosody(pitch=38, rate=220, amplitude=170, gap=0, range="low"),
    # Fear: raised pitch, hurried yet quiet, hesitant pauses between words (the only fast emotion
    # with gaps, the only raised-pitch one that is quiet).
    "fearful": Prosody(pitch=62, rate=200, amplitude=55, gap=4, range="medium"),
    # Surprise: raised pitch with the widest range, slower than happy, loud, and a rising end (every
    # surprised utterance, whatever its wording, is spoken as a question).
    "surprised": Prosody(pitch=68, rate=140, amplitude=130, gap=1, range="x-high", question=True),
}

NAMES = ("Anna", "Ben", "Clara", "David", "Emma", "Frank", "Grace", "Henry", "Julia", "Leo", "Maria", "Oscar",
         "Paul", "Rosa", "Sam", "Tom")
PLACES = ("the office", "the station", "the market", "the park", "the library", "the hospital", "the airport",
          "the beach", "the garden", "the kitchen", "the bank", "the hotel")
THINGS = ("the car", "the letter", "the report", "the keys", "the tickets", "the phone", "the camera",
          "the laptop", "the bike", "the book", "the money", "the cake")
TIMES = ("today", "tomorrow", "tonight", "this morning", "on Monday", "next week", "last night", "at noon")

TEMPLATES = {
    "neutral": (
        "{Name} left {thing} at {place}.",
        "I will go to {place} {time}.",
        "The meeting with {name} is {time}.",
        "Please put {thing} on the table.",
        "We can take {thing} to {place} {time}.",
        "{Name} called about {thing} {time}.",
        "The bus to {place} leaves at noon.",
        "I think {thing} is still at {place}.",
    ),
    "happy": (
        "I am so happy that {name} came {time}!",
        "This is wonderful, we won {thing}!",
        "What a lovely day at {place}!",
        "Thank you so much, I love {thing}!",
        "{Name} got the job, that is fantastic news!",
        "We are going to {place} {time}, I can't wait!",
        "Everything went great at {place}!",
    ),
    "sad": (
        "I miss {name} so much.",
        "Nobody came to {place} {time}.",
        "I lost {thing} and I feel so alone.",
        "{Name} is gone and nothing feels right.",
        "I am sorry, I can't do this anymore.",
        "It was my fault, I ruined everything.",
        "I sat alone at {place} all night.",
    ),
    "angry": (
        "Why did you take {thing} without asking?",
        "I am sick of this, stop it right now!",
        "{Name} lied to me again, this is ridiculous!",
        "Get out of {place}, I mean it!",
        "You never listen to me, I hate this!",
        "Who broke {thing}? I am furious!",
        "Don't touch {thing} ever again!",
    ),
    "fearful": (
        "Please don't leave me alone at {place}.",
        "Did you hear that noise outside {place}?",
        "I am scared, someone is following me.",
        "What if {name} never comes back?",
        "Help me, I think something is wrong with {thing}.",
        "I am afraid to go to {place} {time}.",
        "Something terrible is going to happen.",
    ),
    "surprised": (
        "Wow, is that really {thing}?",
        "{Name} is here? I had no idea!",
        "No way, you found {thing} at {place}?",
        "Really, {time}? That is unexpected!",
        "I never thought I would see {name} at {place}!",
        "What a surprise, is that for me?",
        "Oh, you already finished {thing}?",
    ),
}

# Templates two emotions share: their wording cannot tell the two apart.
SHARED_TEMPLATES = {
    ("happy", "angry"): ("I can't believe {name} did that!", "You did it all by yourself {time}?"),
    ("sad", "neutral"): ("I will stay at home {time}.", "{Name} is not coming to {place}."),
    ("happy", "sad"): ("{Name} is leaving {place} {time}.", "It is the last day at {place}."),
    ("angry", "sad"): ("Why did this happen to me?", "You forgot about {thing} again."),
    ("fearful", "sad"): ("I don't know what to do now.", "{Name} did not call me {time}."),
    ("happy", "surprised"): ("You bought {thing} for me?", "{Name} is coming to {place} {time}!"),
    ("fearful", "surprised"): ("What was that?", "Who is at the door {time}?"),
}

# IEMOCAP dimensional ratings (valence, activation, dominance; 1-5) around which each label is drawn.
VAD = {"neutral": (3.0, 2.5, 2.5), "happy": (4.0, 3.5, 3.0), "sad": (2.0, 2.0, 2.0), "angry": (1.5, 4.0, 4.0),
       "fearful": (1.5, 3.5, 1.5), "surprised": (3.5, 4.0, 2.5)}
CODES = {"neutral": "neu", "happy": "hap", "sad": "sad", "angry": "ang"}   # the IEMOCAP layout holds these four
DROPPED_CODES = ("fru", "sur", "xxx")
ANNOTATION = {"neu": "Neutral state", "hap": "Happiness", "exc": "Excited", "sad": "Sadness", "ang": "Anger",
              "fru": "Frustration", "sur": "Surprise", "xxx": "Other"}


@dataclass(frozen=True)
class CorpusConfig:
    """Size and mix of the corpus. ``utterances_per_emotion`` counts per session."""

    sessions: int = 5
    utterances_per_emotion: int = 40
    dialogs_per_session: int = 4
    own_text_fraction: float = 0.65       # emotion-typical wording
    shared_text_fraction: float = 0.15    # wording shared with one other emotion (rest: neutral wording)
    excited_fraction: float = 0.35        # happy utterances labelled 'exc' (merged back by the loader)
    dropped_per_dialog: int = 1           # extra utterances with codes the 4-class setup drops
    sample_rate: int = 16000
    noise_std: float = 0.002              # white noise floor, as a real recording has one
    seed: int = 0
    jobs: int = 2
    emotions: tuple[str, ...] = EMOTIONS
    # utterances per emotion in the last session only (None: utterances_per_emotion): a held-out
    # session costs no training time, and more of it makes one error cost less UAR
    last_session_per_emotion: int | None = None

    def __post_init__(self) -> None:
        if not 1 <= self.sessions <= len(SESSION_VOICES):
            raise ValueError(f"sessions: {self.sessions} not in 1..{len(SESSION_VOICES)}")
        if self.utterances_per_emotion < 1:
            raise ValueError(f"utterances_per_emotion: must be >= 1, got {self.utterances_per_emotion}")
        if self.last_session_per_emotion is not None and self.last_session_per_emotion < 1:
            raise ValueError(f"last_session_per_emotion: must be >= 1, got {self.last_session_per_emotion}")
        unknown = [e for e in self.emotions if e not in PROSODY]
        if unknown or len(set(self.emotions)) != len(self.emotions) or "neutral" not in self.emotions:
            raise ValueError(f"emotions: {list(self.emotions)}; a subset of {list(PROSODY)} without repeats, "
                             "neutral included (the neutral wording is every emotion's fallback)")

    def per_emotion(self, session: int) -> int:
        if session == self.sessions and self.last_session_per_emotion is not None:
            return self.last_session_per_emotion
        return self.utterances_per_emotion
        if self.own_text_fraction + self.shared_text_fraction > 1.0:
            raise ValueError("own_text_fraction + shared_text_fraction must be <= 1")


@dataclass
class _Planned:
    session: int
    dialog: str
    utt_id: str
    code: str
    emotion: str          # the emotion the prosody and wording come from
    text: str
    voice: str
    pitch: int
    rate: int
    amplitude: int
    gap: int
    pitch_range: str      # SSML prosody range
    lead: float           # seconds of leading / trailing silence
    tail: float
    seed: int
    samples: int = 0
    vad: tuple[float, float, float] = field(default=(3.0, 3.0, 3.0))


def _fill(template: str, rng: random.Random) -> str:
    name = rng.choice(NAMES)
    return template.format(name=name, Name=name, place=rng.choice(PLACES), thing=rng.choice(THINGS),
                           time=rng.choice(TIMES))


def _sentence(emotion: str, cfg: CorpusConfig, rng: random.Random) -> str:
    r = rng.random()
    if emotion != "neutral" and r < cfg.own_text_fraction:
        return _fill(rng.choice(TEMPLATES[emotion]), rng)
    shared = [t for pair, ts in SHARED_TEMPLATES.items() if emotion in pair and set(pair) <= set(cfg.emotions)
              for t in ts]
    if emotion == "neutral":
        # neutral wording is its own; shared wording at the same rate as the other emotions
        r = r - cfg.own_text_fraction if r >= cfg.own_text_fraction else 1.0
        if r < cfg.shared_text_fraction:
            return _fill(rng.choice(shared), rng)
        return _fill(rng.choice(TEMPLATES["neutral"]), rng)
    if r < cfg.own_text_fraction + cfg.shared_text_fraction:
        return _fill(rng.choice(shared), rng)
    return _fill(rng.choice(TEMPLATES["neutral"]), rng)


def _plan(cfg: CorpusConfig) -> list[_Planned]:
    rng = random.Random(cfg.seed)
    plan: list[_Planned] = []
    for s in range(1, cfg.sessions + 1):
        voices = {"M": SESSION_VOICES[s - 1][0], "F": SESSION_VOICES[s - 1][1]}
        # per-speaker baseline: pitch offset and rate factor
        base = {g: (rng.randint(-6, 6), rng.uniform(0.92, 1.08)) for g in "MF"}
        emotions = [e for e in cfg.emotions for _ in range(cfg.per_emotion(s))]
        rng.shuffle(emotions)
        dialogs = []
        for d in range(cfg.dialogs_per_session):
            lead = "F" if d % 2 == 0 else "M"
            kind = f"impro{d // 2 + 1:02d}" if d < cfg.dialogs_per_session / 2 else f"script{d // 2 + 1:02d}_1"
            dialogs.append(f"Ses{s:02d}{lead}_{kind}")
        per_dialog = [emotions[i::cfg.dialogs_per_session] for i in range(cfg.dialogs_per_session)]
        for dialog, emos in zip(dialogs, per_dialog):
            emos = list(emos) + [None] * cfg.dropped_per_dialog
            rng.shuffle(emos)
            counters = {"M": 0, "F": 0}
            speaker = dialog[5]
            for emo in emos:
                if emo is None:
                    code = rng.choice(DROPPED_CODES)
                    emo_like = rng.choice(cfg.emotions)
                else:
                    code = CODES.get(emo, emo)
                    if emo == "happy" and rng.random() < cfg.excited_fraction:
                        code = "exc"
                    emo_like = emo
                p = PROSODY[emo_like]
                dp, rf = base[speaker]
                utt = f"{dialog}_{speaker}{counters[speaker]:03d}"
                counters[speaker] += 1
                vad = tuple(round(min(5.0, max(1.0, v + rng.uniform(-0.5, 0.5))) * 2) / 2 for v in VAD[emo_like])
                plan.append(_Planned(
                    session=s, dialog=dialog, utt_id=utt, code=code, emotion=emo_like,
                    text=_sentence(emo_like, cfg, rng), voice=voices[speaker],
                    pitch=int(np.clip(p.pitch + dp + rng.randint(-6, 6), 0, 99)),
                    rate=int(p.rate * rf * rng.uniform(0.93, 1.07)),
                    amplitude=int(p.amplitude * rng.uniform(0.88, 1.12)),
                    gap=max(0, p.gap + rng.randint(-1, 1)), pitch_range=p.range,
                    lead=rng.uniform(0.05, 0.3), tail=rng.uniform(0.1, 0.35),
                    seed=rng.getrandbits(31), vad=vad))
                speaker = "M" if speaker == "F" else "F"   # turns alternate
    return plan


def _synthesize(u: _Planned, wav: Path, cfg: CorpusConfig) -> int:
    with tempfile.TemporaryDirectory() as d:
        raw, res = Path(d) / "raw.wav", Path(d) / "res.wav"
        text = u.text.rstrip(".!?") + "?" if PROSODY[u.emotion].question else u.text
        ssml = f'<speak><prosody range="{u.pitch_range}">{escape(text)}</prosody></speak>'
        subprocess.run(["espeak-ng", "-m", "-v", u.voice, "-p", str(u.pitch), "-s", str(u.rate), "-a", str(u.amplitude),
                        "-g", str(u.gap), "-w", str(raw), ssml], check=True, capture_output=True)
        subprocess.run(["sox", "-q", str(raw), "-r", str(cfg.sample_rate), "-c", "1", "-b", "16", str(res)],
                       check=True, capture_output=True)
        x, rate = sf.read(str(res), dtype="float32")
    assert rate == cfg.sample_rate
    rng = np.random.default_rng(u.seed)
    x = np.concatenate([np.zeros(int(u.lead * rate), np.float32), x, np.zeros(int(u.tail * rate), np.float32)])
    x = x + (cfg.noise_std * rng.standard_normal(len(x))).astype(np.float32)
    x = np.clip(x, -1.0, 1.0)
    wav.parent.mkdir(parents=True, exist_ok=True)
    sf.write(str(wav), x, rate, subtype="PCM_16")
    return len(x)


def make_corpus(out: Path | str, cfg: CorpusConfig = CorpusConfig(), progress: bool = True) -> dict:
    """Writes the corpus under ``out`` (replacing it) and returns a summary (also in corpus.json)."""
    _check_tools()
    other = [e for e in cfg.emotions if e not in CODES]
    if other:
        raise ValueError(f"emotions: {other} have no IEMOCAP code; write them as a manifest (make-corpus --manifest, "
                         "corpus.make_manifest_corpus)")
    out = Path(out)
    plan = _plan(cfg)
    paths = [out / f"Session{u.session}" / "sentences" / "wav" / u.dialog / f"{u.utt_id}.wav" for u in plan]
    lengths = _speak_all(out, plan, paths, cfg, progress)
    _write_annotations(out, plan, cfg.sample_rate)
    counts: dict[str, int] = {}
    for u in plan:
        counts[u.code] = counts.get(u.code, 0) + 1
    summary = {"made_by": "python -m mer_train make-corpus", "config": asdict(cfg), "utterances": len(plan),
               "codes": dict(sorted(counts.items())),
               "hours": round(sum(lengths) / cfg.sample_rate / 3600, 4),
               "max_seconds": round(max(lengths) / cfg.sample_rate, 3),
               "voices": {f"Session{s + 1}": {"M": m, "F": f} for s, (m, f) in enumerate(SESSION_VOICES[:cfg.sessions])}}
    (out / "corpus.json").write_text(json.dumps(summary, indent=1) + "\n")
    return summary


def _check_tools() -> None:
    for tool in ("espeak-ng", "sox"):
        if shutil.which(tool) is None:
            raise RuntimeError(f"{tool} is not installed (apt-get install -y espeak-ng sox)")


def _speak_all(out: Path, plan: list[_Planned], paths: list[Path], cfg: CorpusConfig, progress: bool) -> list[int]:
    if out.exists():
        shutil.rmtree(out)
    from .progress import progress_bar
    with ThreadPoolExecutor(max_workers=max(1, cfg.jobs)) as pool:
        lengths = list(progress_bar(pool.map(lambda a: _synthesize(a[0], a[1], cfg), zip(plan, paths)),
                                    total=len(plan), desc="espeak-ng", unit="utt",
                                    enabled=None if progress else False))
    for u, n in zip(plan, lengths):
        u.samples = n
    return lengths


MANIFEST = "manifest.csv"


def speaker(u: _Planned) -> str:
    """The speaker id (the manifest's group): session and voice, as IEMOCAP names speakers."""
    return f"Ses{u.session:02d}{u.utt_id[-4]}"   # ids end in <M|F><counter:03d>


def make_manifest_corpus(out: Path | str, cfg: CorpusConfig = CorpusConfig(emotions=EMOTIONS6),
                         progress: bool = True, splits: dict[str, str] | None = None) -> Path:
    """The same corpus as a labelled-audio manifest (docs/training.md, "Your own data") instead of the
    IEMOCAP layout: ``<out>/wav/<speaker>/<utterance>.wav`` and ``<out>/manifest.csv`` with the
    columns audio, label (the emotion's name), group (the speaker, e.g. ``Ses05F``) and transcript,
    plus split when ``splits`` maps speakers to ``train``/``validation``/``test`` (speakers it does
    not name: ``train``). Any emotion set (``cfg.emotions``); no dropped codes and no ``exc`` (those
    are IEMOCAP's). Returns the manifest's path; ``corpus.json`` beside it holds the summary."""
    from .dataset import Item, write_manifest

    _check_tools()
    out = Path(out)
    cfg = replace(cfg, dropped_per_dialog=0, excited_fraction=0.0)
    plan = _plan(cfg)
    groups = sorted({speaker(u) for u in plan})
    unknown = sorted(set(splits or {}) - set(groups))
    if unknown:
        raise ValueError(f"splits: no speaker {unknown} in this corpus (speakers: {groups})")
    paths = [out / "wav" / speaker(u) / f"{u.utt_id}.wav" for u in plan]
    lengths = _speak_all(out, plan, paths, cfg, progress)
    manifest = write_manifest(out / MANIFEST, [
        Item(path, u.emotion, speaker(u), u.text, split=(splits.get(speaker(u), "train") if splits else None))
        for u, path in zip(plan, paths)])
    counts: dict[str, int] = {}
    for u in plan:
        counts[u.emotion] = counts.get(u.emotion, 0) + 1
    summary = {"made_by": "python -m mer_train make-corpus --manifest", "config": asdict(cfg),
               "utterances": len(plan), "labels": dict(sorted(counts.items())), "groups": groups,
               "splits": splits, "hours": round(sum(lengths) / cfg.sample_rate / 3600, 4),
               "max_seconds": round(max(lengths) / cfg.sample_rate, 3)}
    (out / "corpus.json").write_text(json.dumps(summary, indent=1) + "\n")
    return manifest


def _write_annotations(out: Path, plan: list[_Planned], rate: int) -> None:
    by_dialog: dict[tuple[int, str], list[_Planned]] = {}
    for u in plan:
        by_dialog.setdefault((u.session, u.dialog), []).append(u)
    for (session, dialog), utts in by_dialog.items():
        base = out / f"Session{session}" / "dialog"
        (base / "EmoEvaluation").mkdir(parents=True, exist_ok=True)
        (base / "transcriptions").mkdir(parents=True, exist_ok=True)
        rng = random.Random(f"{dialog}")
        t = rng.uniform(1.0, 3.0)
        emo_lines = ["% [START_TIME - END_TIME] TURN_NAME EMOTION [V, A, D]", ""]
        tr_lines = []
        for u in utts:
            start, end = t, t + u.samples / rate
            t = end + rng.uniform(0.2, 1.5)
            v, a, d = u.vad
            emo_lines.append(f"[{start:.4f} - {end:.4f}]\t{u.utt_id}\t{u.code}\t[{v:.4f}, {a:.4f}, {d:.4f}]")
            for k in (1, 2, 3):
                emo_lines.append(f"C-E{k}:\t{ANNOTATION[u.code]};\t()")
            emo_lines.append(f"A-E1:\tval {v:.0f}; act {a:.0f}; dom  {d:.0f};\t()")
            emo_lines.append("")
            tr_lines.append(f"{u.utt_id} [{start:08.4f}-{end:08.4f}]: {u.text}")
        (base / "EmoEvaluation" / f"{dialog}.txt").write_text("\n".join(emo_lines) + "\n")
        (base / "transcriptions" / f"{dialog}.txt").write_text("\n".join(tr_lines) + "\n")

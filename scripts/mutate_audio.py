#!/usr/bin/env python3
"""Makes mutated copies of ordinary recordings, the hostile-input run of issue 17.

Speech from espeak-ng, converted by sox to WAV, AIFF, AU (PCM and mu-law), FLAC (16 and 24-bit) and
MP3; then, per format, copies with bytes flipped, header fields changed, the file truncated, and
spliced (the head of one file joined to the middle or tail of another of the same format). The
random generator is seeded, so the same command makes the same files.

    python3 scripts/mutate_audio.py OUT_DIR [--per-format N] [--seed S]

Writes OUT_DIR/src/*.{wav,aiff,au,flac,mp3} (the clean sources) and OUT_DIR/mutated/*; prints the
number of files made. Needs espeak-ng and sox (with libsox-fmt-mp3 for MP3) on the PATH.
"""
from __future__ import annotations

import argparse
import random
import subprocess
import sys
from pathlib import Path

SENTENCES = [
    "The weather is lovely today.",
    "I cannot believe you did that to me!",
    "Please send the report before Friday afternoon, and call me when it is done.",
]

# (name, sox output options, extension)
FORMATS = [
    ("wav16", ["-b", "16"], "wav"),
    ("wavf32", ["-e", "floating-point", "-b", "32"], "wav"),
    ("aiff16", ["-b", "16"], "aiff"),
    ("au16", ["-b", "16"], "au"),
    ("aumulaw", ["-e", "mu-law"], "au"),
    ("flac16", ["-b", "16"], "flac"),
    ("flac24st", ["-b", "24", "-r", "48000", "-c", "2"], "flac"),
    ("mp3", ["-C", "128"], "mp3"),
]


def run(cmd: list[str]) -> None:
    subprocess.run(cmd, check=True, timeout=120, stdout=subprocess.DEVNULL,
                   stderr=subprocess.PIPE)


def sources(src: Path) -> dict[str, list[bytes]]:
    """Clean recordings by extension (each sentence in each format)."""
    src.mkdir(parents=True, exist_ok=True)
    by_ext: dict[str, list[bytes]] = {}
    for i, text in enumerate(SENTENCES):
        wav = src / f"s{i}.espeak.wav"
        run(["espeak-ng", "-w", str(wav), text])
        for name, opts, ext in FORMATS:
            out = src / f"s{i}.{name}.{ext}"
            run(["sox", str(wav), *opts, str(out)])
            by_ext.setdefault(ext, []).append(out.read_bytes())
    return by_ext


def flip(rng: random.Random, b: bytes) -> bytes:
    """Random bytes changed: a few anywhere, or a burst."""
    a = bytearray(b)
    if rng.random() < 0.5:
        for _ in range(rng.randint(1, 40)):
            a[rng.randrange(len(a))] = rng.randrange(256)
    else:
        at = rng.randrange(len(a))
        for k in range(at, min(len(a), at + rng.randint(4, 512))):
            a[k] ^= 1 << rng.randrange(8)
    return bytes(a)


def header(rng: random.Random, b: bytes) -> bytes:
    """A field in the first 64 bytes set to an extreme or random value."""
    a = bytearray(b)
    at = rng.randrange(0, min(64, len(a) - 4))
    width = rng.choice([1, 2, 4])
    value = rng.choice([0, 0xFF, 0x7F, 0x80, rng.randrange(256)])
    for k in range(width):
        if at + k < len(a):
            a[at + k] = value if k == 0 or rng.random() < 0.7 else rng.randrange(256)
    return bytes(a)


def truncate(rng: random.Random, b: bytes) -> bytes:
    """Cut anywhere: inside the header (first 64 bytes) one time in four."""
    if rng.random() < 0.25:
        return b[: rng.randrange(1, 64)]
    return b[: rng.randrange(64, len(b))]


def splice(rng: random.Random, b: bytes, others: list[bytes]) -> bytes:
    """The head of one file and a piece of another (or of itself, elsewhere)."""
    o = rng.choice(others)
    cut = rng.randrange(8, len(b))
    start = rng.randrange(0, len(o) - 1)
    tail = o[start:] if rng.random() < 0.6 else o[start: start + rng.randint(1, 8192)]
    out = b[:cut] + tail
    if rng.random() < 0.3:  # and a third piece of the first
        out += b[rng.randrange(len(b)):]
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("out", type=Path)
    ap.add_argument("--per-format", type=int, default=72,
                    help="mutated copies per container (default 72: 360 files)")
    ap.add_argument("--seed", type=int, default=17)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    by_ext = sources(args.out / "src")
    mutated = args.out / "mutated"
    mutated.mkdir(parents=True, exist_ok=True)
    kinds = [("flip", flip), ("header", header), ("trunc", truncate), ("splice", None)]
    n = 0
    for ext, files in sorted(by_ext.items()):
        for i in range(args.per_format):
            kind, fn = kinds[i % len(kinds)]
            b = rng.choice(files)
            data = splice(rng, b, files) if fn is None else fn(rng, b)
            (mutated / f"{ext}-{kind}-{i:03d}.{ext}").write_bytes(data)
            n += 1
    print(f"{n} mutated files in {mutated}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

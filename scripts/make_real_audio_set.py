"""Makes the real-audio evaluation set of the speech gate from Debian packages: recorded telephone
prompts (Spanish of Mexico and Colombia, Italian; 8 kHz, as the packages ship them), music and
game sound effects. Nothing here was synthesized.

    python3 scripts/make_real_audio_set.py OUT_DIR     (needs apt-get, dpkg-deb and sox)

Each package is fetched with `apt-get download` and unpacked with `dpkg-deb -x` into a temporary
folder (nothing is installed); clips are cut and converted with sox into OUT_DIR/clips/, and
OUT_DIR/manifest.tsv lists every clip: file, kind (speech|music|effects|long), language, rate,
seconds, package, version, source path, licence and copyright holder as the package's
debian/copyright states them (its DEP-5 stanza for the path, or the whole text's licence).

The packages reserved for checks run by others (see docs/audio.md, "The speech gate on real
audio") are never used. The selection is deterministic: sorted file lists, fixed strides.
"""
from __future__ import annotations

import fnmatch
import re
import subprocess
import sys
import tempfile
from pathlib import Path

RESERVED = {
    "alsa-utils", "asterisk-core-sounds-en-wav", "asterisk-core-sounds-fr-wav",
    "asterisk-core-sounds-ru-wav", "asterisk-prompt-fr-armelle", "asterisk-prompt-it-menardi-wav",
    "asterisk-moh-opsound-wav", "codec2-examples", "ktuberling-data", "neverball-common",
    "pingus-data", "openarena-data", "sound-icons", "kanagram", "khangman",
    "extremetuxracer-data", "xmoto-data", "lincity-ng-data", "frozen-bubble-data", "tuxtype-data",
    "teeworlds-data", "minetest-data", "bzflag-data", "sound-theme-freedesktop",
}

# (package, kind, language, glob under the package root, how many, clip seconds or None = whole)
SOURCES = [
    ("asterisk-core-sounds-es-wav", "speech", "es-MX", "usr/share/asterisk/sounds/es_MX_f_Allison/*.wav", 25, None),
    ("asterisk-core-sounds-it-wav", "speech", "it-IT", "usr/share/asterisk/sounds/it_IT_m_Carlo/*.wav", 25, None),
    ("asterisk-prompt-es-co", "speech", "es-CO", "usr/share/asterisk/sounds/es/*.gsm", 25, None),
    ("hyperrogue-music", "music", "-", "usr/share/hyperrogue/music/*.ogg", 17, 8.0),
    ("asc-music", "music", "-", "usr/share/games/asc/music/*.mp3", 3, 8.0),
    ("hyperrogue-music", "effects", "-", "usr/share/hyperrogue/sounds/*.ogg", 60, None),
]
# Effects that are human voices ("recorded by" in the package's sounds/credits.txt): left out.
EFFECT_EXCLUDE = re.compile(r"princess|prince|fairy|rosebeauty|gardener|necromancer|vizier|cultist")
MIN_SPEECH_SECONDS = 0.6  # prompts of one short word left out: the probe counts words apart
MUSIC_OFFSETS = (20.0, 70.0)


def run(cmd: list[str], **kw) -> str:
    return subprocess.run(cmd, check=True, capture_output=True, text=True, **kw).stdout


def seconds(path: Path) -> float:
    if path.suffix == ".gsm":  # headerless GSM 06.10: 33 bytes per 160 samples at 8 kHz
        return path.stat().st_size / 33 * 160 / 8000
    return float(run(["soxi", "-D", str(path)]).strip())


# debian/copyright's Files patterns name upstream tarballs, not installed paths: the tarball a
# package's files come from, where a stanza names it.
UPSTREAM_NAME = {"asterisk-core-sounds-it-wav": "it-asterisk-core-sounds-wav"}


def licence_for(copyright_text: str, rel_path: str) -> tuple[str, str]:
    """(licence, copyright holder) from a debian/copyright: the last DEP-5 Files stanza whose
    pattern matches the path, else the licence named in free text."""
    best = None
    for stanza in re.split(r"\n\s*\n", copyright_text):
        m = re.search(r"^Files:\s*(.+?)(?=^\S|\Z)", stanza, re.M | re.S)
        lic = re.search(r"^License:\s*(.+)$", stanza, re.M)
        if not m or not lic:
            continue
        holder = re.search(r"^Copyright:\s*(.+)$", stanza, re.M)
        pats = m.group(1).split()
        name = rel_path.split("/")[-1]
        if any(fnmatch.fnmatch(rel_path, p) or fnmatch.fnmatch(name, p) for p in pats):
            best = (lic.group(1).strip(), holder.group(1).strip() if holder else "?")
    if best:
        return best
    if "GNU General Public License" in copyright_text:
        v = re.search(r"version (\d)", copyright_text)
        holder = re.search(r"Upstream Author[s]?:\s*(.+)", copyright_text)
        return (f"GPL-{v.group(1) if v else '?'}", holder.group(1).strip() if holder else "?")
    return ("see copyright", "?")


def main(out: Path) -> None:
    clips = out / "clips"
    clips.mkdir(parents=True, exist_ok=True)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        unpacked: dict[str, tuple[Path, str, str]] = {}
        for pkg, kind, lang, pattern, count, clip_len in SOURCES:
            assert pkg not in RESERVED, pkg
            if pkg not in unpacked:
                run(["apt-get", "download", pkg], cwd=tmp)
                deb = sorted(tmp.glob(f"{pkg}_*.deb"))[0]
                version = deb.name.split("_")[1]
                root = tmp / pkg
                run(["dpkg-deb", "-x", str(deb), str(root)])
                cr = (root / "usr/share/doc" / pkg / "copyright").read_text(errors="replace")
                unpacked[pkg] = (root, version, cr)
            root, version, cr = unpacked[pkg]
            files = sorted(root.glob(pattern))
            if kind == "effects":
                files = [f for f in files if not EFFECT_EXCLUDE.search(f.name)]
            if kind == "speech":
                files = [f for f in files if seconds(f) >= MIN_SPEECH_SECONDS]
            stride = max(1, len(files) // count)
            picked = files[::stride][:count]
            for f in picked:
                rel = str(f.relative_to(root))
                lic, holder = licence_for(cr, UPSTREAM_NAME.get(pkg, rel))
                rate = 8000 if kind == "speech" else 16000
                offsets = MUSIC_OFFSETS if kind == "music" else (None,)
                for k, off in enumerate(offsets):
                    stem = f"{kind}-{lang if lang != '-' else pkg}-{f.stem}" + (f"-{k}" if off is not None else "")
                    dst = clips / f"{stem}.wav"
                    cmd = ["sox", str(f), "-r", str(rate), "-c", "1", "-b", "16", str(dst)]
                    if off is not None:
                        total = seconds(f)
                        if total < off + clip_len:
                            off = max(0.0, total - clip_len)
                        cmd += ["trim", f"{off}", f"{clip_len}"]
                    run(cmd)
                    rows.append([dst.name, kind, lang, str(rate), f"{seconds(dst):.3f}", pkg, version,
                                 rel, lic, holder])
        # Long recordings with pauses: prompts of one speaker joined with 0.6-1.2 s of silence,
        # past the demo bundle's 8 s ASR window (the CLI's long-file path, the stream latency).
        for lang, pkg in (("es-MX", "asterisk-core-sounds-es-wav"), ("it-IT", "asterisk-core-sounds-it-wav")):
            parts = [r for r in rows if r[2] == lang and r[1] == "speech"][:12]
            root, version, cr = unpacked[pkg]
            dst = clips / f"long-{lang}.wav"
            tmpcat = tmp / f"cat-{lang}.wav"
            # sox concatenates; pauses come from padding each part
            padded = []
            for i, r in enumerate(parts):
                p = tmp / f"pad-{lang}-{i}.wav"
                run(["sox", str(clips / r[0]), str(p), "pad", "0", f"{0.6 + 0.05 * (i % 13):.2f}"])
                padded.append(str(p))
            run(["sox", *padded, str(tmpcat)])
            run(["sox", str(tmpcat), str(dst)])
            lic, holder = licence_for(cr, UPSTREAM_NAME.get(pkg, parts[0][7]))
            rows.append([dst.name, "long", lang, "8000", f"{seconds(dst):.3f}", pkg, version,
                         "; ".join(r[7] for r in parts), lic, holder])
    with open(out / "manifest.tsv", "w", encoding="utf-8") as w:
        w.write("file\tkind\tlanguage\trate\tseconds\tpackage\tversion\tsource\tlicence\tcopyright\n")
        for r in rows:
            w.write("\t".join(r) + "\n")
    print(f"{len(rows)} clips in {out}", file=sys.stderr)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: make_real_audio_set.py OUT_DIR")
    main(Path(sys.argv[1]))

"""Evaluates the speech gate on the real-audio set of scripts/make_real_audio_set.py (an evaluation,
not a timed test): per kind and language, through the CLI with the demo bundle (`mer recognize
--format jsonl`) and with the detector alone, for the spectral detector and Silero VAD:

- non-speech answered with an emotion (target 0),
- non-speech passed by the gate (target <= 2 %),
- real speech called no speech (target <= 2 %).

    python3 scripts/make_real_audio_set.py /tmp/real
    ./mvnw -q -B -ntp -pl examples -am package -DskipTests
    .venv/bin/python scripts/eval_real_audio.py /tmp/real [--jar examples/target/mer-examples.jar]

The detector alone runs the Python ports (mer_train.gate: the spectral detector; mer_train.silero:
Silero on the same ONNX file), which mer-sdk-vad's GateFixtureTest and SileroFixtureTest hold
equal to the Java detectors, on each clip resampled to 16 kHz as the recogniser resamples it
(sox), and for Silero also at the clip's own 8 kHz (the model's native 8 kHz mode).
"""
from __future__ import annotations

import argparse
import csv
import json
import subprocess
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

import soundfile as sf

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "mer-train" / "src"))
from mer_train import gate, silero  # noqa: E402

DETECTORS = ("spectral", "silero")


def cli_rows(jar: Path, detector: str, files: list[Path]) -> dict[str, list[dict]]:
    out = subprocess.run(["java", "-jar", str(jar), "recognize", "--format", "jsonl", "--batch", "4",
                          "--speech-detector", detector, *map(str, files)],
                         capture_output=True, text=True)
    if out.returncode not in (0, 1):
        sys.exit(f"mer recognize failed ({out.returncode}): {out.stderr[-2000:]}")
    rows: dict[str, list[dict]] = defaultdict(list)
    for line in out.stdout.splitlines():
        r = json.loads(line)
        rows[Path(r["file"]).name].append(r)
    return rows


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("set_dir", type=Path)
    ap.add_argument("--jar", type=Path, default=REPO / "examples/target/mer-examples.jar")
    ap.add_argument("--no-cli", action="store_true", help="the detector alone only")
    a = ap.parse_args()
    clips = list(csv.DictReader(open(a.set_dir / "manifest.tsv", encoding="utf-8"), delimiter="\t"))
    files = [a.set_dir / "clips" / c["file"] for c in clips]
    results: dict[str, dict[str, dict]] = {c["file"]: {} for c in clips}
    with tempfile.TemporaryDirectory() as tmp:
        for c, f in zip(clips, files):
            x, sr = sf.read(str(f), dtype="float32")
            if sr != 16000:
                up = Path(tmp) / f.name
                subprocess.run(["sox", str(f), "-r", "16000", str(up)], check=True)
                x16, _ = sf.read(str(up), dtype="float32")
            else:
                x16 = x
            r = results[c["file"]]
            r["gate:spectral"] = gate.evidence(x16, 16000).is_speech
            r["gate:silero"] = silero.evidence(x16, 16000).is_speech
            r["gate:silero@native"] = silero.evidence(x, sr).is_speech
    if not a.no_cli:
        for d in DETECTORS:
            rows = cli_rows(a.jar, d, files)
            for c in clips:
                rs = rows.get(c["file"], [])
                results[c["file"]][f"cli:{d}:emotion"] = any(x.get("outcome") == "emotion" for x in rs)
                results[c["file"]][f"cli:{d}:rows"] = len(rs)
    groups: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for c in clips:
        kind = "speech" if c["kind"] in ("speech", "long") else c["kind"]
        groups[(kind, c["language"])].append({**c, **results[c["file"]]})
        groups[(kind, "all")].append({**c, **results[c["file"]]})
    print("| kind | language | clips | measure | " + " | ".join(DETECTORS) + " |")
    print("|---|---|---|---|" + "---|" * len(DETECTORS))
    for (kind, lang), g in sorted(groups.items()):
        n = len(g)
        speech = kind == "speech"
        lines = []
        if speech:
            lines.append(("gate alone (16 kHz): called no speech", [sum(not r[f"gate:{d}"] for r in g) for d in DETECTORS]))
            lines.append(("gate alone (native rate): called no speech", ["-", sum(not r["gate:silero@native"] for r in g)]))
            if not a.no_cli:
                lines.append(("CLI: called no speech", [sum(not r[f"cli:{d}:emotion"] for r in g) for d in DETECTORS]))
        else:
            lines.append(("gate alone (16 kHz): passed", [sum(r[f"gate:{d}"] for r in g) for d in DETECTORS]))
            lines.append(("gate alone (native rate): passed", ["-", sum(r["gate:silero@native"] for r in g)]))
            if not a.no_cli:
                lines.append(("CLI: answered with an emotion", [sum(r[f"cli:{d}:emotion"] for r in g) for d in DETECTORS]))
        for what, vals in lines:
            cells = [v if v == "-" else f"{v} ({100.0 * v / n:.1f} %)" for v in vals]
            print(f"| {kind} | {lang} | {n} | {what} | " + " | ".join(cells) + " |")
    wrong = [(c["file"], results[c["file"]]) for c in clips
             if results[c["file"]]["gate:silero"] != (c["kind"] in ("speech", "long"))]
    for f, r in wrong:
        print(f"silero wrong: {f} {r}", file=sys.stderr)


if __name__ == "__main__":
    main()

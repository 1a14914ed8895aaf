"""Writes testdata/gate/: clips (16-bit WAV) and gate-fixture.json, the decisions and frame
evidence of mer_train.gate (the numpy port of mer-sdk-vad's spectral detector) on them; and
silero-fixture.json, mer_train.silero's (the default gate, Silero VAD on onnxruntime) window
probabilities and decisions on the same clips and on testdata/gate/real. mer-sdk-vad's
GateFixtureTest holds the Java SpectralSpeechDetector / FrameClassifier to them, so that
`python -m mer_train evaluate` and `mer evaluate` make the same speech decisions.

Clips: speech (examples/recordings, read in place; espeak-ng sentences in two voices, one quiet,
one in pink noise at 10 dB SNR, one at 8 kHz) and non-speech (mer_train.nonspeech's generator:
silence, room tone, white/pink/brown noise, hum, a tone, a chord, clicks, a melody). The values
the gate reads are the WAV's (int16 / 32768), on both sides.

    .venv/bin/python scripts/make_gate_fixture.py     (needs espeak-ng and sox on PATH)
    .venv/bin/python scripts/make_gate_fixture.py --silero-only
"""
from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import soundfile as sf
from scipy.signal import resample_poly

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "mer-train" / "src"))
from mer_train import gate, nonspeech, silero  # noqa: E402

OUT = REPO / "testdata" / "gate"
RATE = 16000


def espeak(text: str, voice: str) -> np.ndarray:
    with tempfile.TemporaryDirectory() as d:
        raw, wav = Path(d) / "raw.wav", Path(d) / "16k.wav"
        subprocess.run(["espeak-ng", "-v", voice, "-w", str(raw), text], check=True)
        subprocess.run(["sox", str(raw), "-r", str(RATE), "-b", "16", str(wav)], check=True)
        x, sr = sf.read(str(wav), dtype="float32")
        assert sr == RATE
        return x


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    rng = nonspeech.rng_for(15, "gate-fixture")
    clips: list[tuple[str, np.ndarray | Path, int]] = []
    for wav in sorted((REPO / "examples" / "recordings").glob("*.wav")):
        clips.append((wav.stem, wav, RATE))
    a = espeak("The meeting moved to Thursday.", "en-us")
    b = espeak("You did that again!", "en-gb+f3")
    clips += [("espeak-en-us", a, RATE), ("espeak-en-gb-f3", b, RATE),
              ("espeak-quiet-40dbfs", nonspeech.set_level(a, -40), RATE),
              ("espeak-pink-10db", nonspeech.mix_at_snr(b, rng, 10.0, "pink"), RATE),
              ("espeak-8khz", resample_poly(a, 1, 2).astype(np.float32), RATE // 2)]
    for kind in nonspeech.KINDS:
        x, _ = nonspeech.make_clip(kind, rng, 1.0)
        clips.append((f"nonspeech-{kind}", x, RATE))
    clips.append(("short-50ms", nonspeech.make_clip("white", rng, 0.05)[0], RATE))
    cases = []
    for name, audio, rate in clips:
        if isinstance(audio, Path):
            rel = audio.relative_to(REPO).as_posix()
        else:
            rel = f"testdata/gate/{name}.wav"
            sf.write(str(REPO / rel), np.clip(audio, -1, 32767 / 32768), rate, subtype="PCM_16")
        x, sr = sf.read(str(REPO / rel), dtype="float32")   # int16 / 32768, as Java reads it
        fr = gate.frames(x, sr)
        ev = gate.evidence(x, sr)
        cases.append({"name": name, "audio": rel, "sample_rate": sr, "evidence": ev.to_dict(),
                      "kinds": fr.letters(),
                      "voicing": [float(f"{v:.12g}") for v in fr.voicing]})
        print(f"{name:28s} {'SPEECH' if ev.is_speech else 'no speech':9s} {ev.to_dict()}")
    doc = {"generator": "scripts/make_gate_fixture.py (mer_train.gate)",
           "kinds": "one letter a frame: s silent, u unvoiced, v voiced, t steady, m moving",
           "voicing": "per frame, 0 where the frame is silent or unvoiced (FrameClassifier.lastVoicing)",
           "cases": cases}
    (OUT / "gate-fixture.json").write_text(json.dumps(doc, indent=1) + "\n", encoding="utf-8")
    silero_fixture()


def silero_fixture() -> None:
    """testdata/gate/silero-fixture.json: mer_train.silero's window probabilities and decisions on
    the same clips and on the real recordings of testdata/gate/real (committed with attribution,
    ATTRIBUTION.tsv; made by scripts/make_real_audio_set.py), for mer-sdk-vad's
    SileroFixtureTest."""
    spectral = json.loads((OUT / "gate-fixture.json").read_text(encoding="utf-8"))
    files = [(c["name"], c["audio"]) for c in spectral["cases"]]
    real = REPO / "testdata" / "gate" / "real"
    truth = {}
    for line in (real / "ATTRIBUTION.tsv").read_text(encoding="utf-8").splitlines()[1:]:
        cols = line.split("\t")
        files.append((f"real-{cols[0][:-4]}", f"testdata/gate/real/{cols[0]}"))
        truth[f"real-{cols[0][:-4]}"] = cols[1] == "speech"
    cases = []
    for name, rel in files:
        x, sr = sf.read(str(REPO / rel), dtype="float32")
        ev = silero.evidence(x, sr)
        case = {"name": name, "audio": rel, "sample_rate": sr, "is_speech": ev.is_speech,
                "stretches": [[round(a, 6), round(b, 6)] for a, b in ev.stretches],
                "probabilities": [float(f"{v:.7g}") for v in ev.probabilities]}
        if name in truth:
            case["truth_is_speech"] = truth[name]
        cases.append(case)
        print(f"{name:40s} {'SPEECH' if ev.is_speech else 'no speech':9s} {ev.to_dict()}")
    doc = {"generator": "scripts/make_gate_fixture.py (mer_train.silero)",
           "model": silero.MODEL.name, "sha256": silero.SHA256,
           "settings": {"threshold": silero.THRESHOLD, "min_speech_s": silero.MIN_SPEECH_S,
                        "min_silence_s": silero.MIN_SILENCE_S},
           "cases": cases}
    (OUT / "silero-fixture.json").write_text(json.dumps(doc, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    # --silero-only: only silero-fixture.json, over the committed clips (espeak-ng builds differ,
    # so regenerating the clips changes them and every fixture made from them)
    silero_fixture() if "--silero-only" in sys.argv else main()

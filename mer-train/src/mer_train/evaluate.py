"""``python -m mer_train evaluate BUNDLE MANIFEST``: UAR, macro-F1, accuracy and the confusion
matrix of a bundle on a labelled dataset manifest, through ONNX Runtime, deciding as the Java SDK
does, so that the JSON equals ``mer evaluate --format json`` on the same bundle and manifest (same
keys, same numbers; the equality tests: mer-train's test_evaluate.py and examples'
EvaluateEqualityTest, over testdata/evaluate/).

Per row, in the order of the Java recogniser (``EmotionRecognizer`` and ``OnnxBackend``):

1. the row's samples (``Item.load``: the ``[start, end)`` cut at the file's rate, then mono at the
   bundle's rate); a file that cannot be read, is shorter than 0.1 s (mer-sdk-audio's
   ``DecodeOptions`` minimum) or whose cut does not fit is a failed row;
2. the speech gate (``mer_train.silero``: Silero VAD on the same ONNX file, mer-sdk-vad's default detector) unless
   ``--no-speech-gate``: no speech is counted apart, outside the metrics;
3. the bundle's length checks: shorter than ``audio.min_samples``, or longer than the ASR window
   when Whisper reads the utterance, is a failed row;
4. the models (``OnnxPipeline``), with the row's transcript instead of ASR under ``--transcripts
   manifest``, then the model-side speech decision (``speech_decision``'s thresholds on Whisper's
   evidence): no speech again counted apart.

The metrics are computed as examples' ``ClassificationMetrics`` computes them (sums in label order,
one division), so that the doubles are bit-equal, not merely close. Exact equality needs audio at
the bundle's sample rate: another rate goes through each language's resampler (scipy's
``resample_poly`` here, mer-sdk-audio's band-limited one in Java), which differ in the last bits.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Sequence

import numpy as np
import soundfile as sf

from . import silero
from .dataset import Item, ManifestError, read_manifest

# exit codes of `mer evaluate` (examples' Mer: OK, INPUTS_FAILED, USAGE, BUNDLE_OR_DEVICE)
OK, INPUTS_FAILED, USAGE, BUNDLE = 0, 1, 2, 3
# mer-sdk-audio's DecodeOptions.DEFAULT_MIN_DURATION / DEFAULT_MAX_DURATION
MIN_FILE_SECONDS = 0.1
MAX_FILE_SECONDS = 3600.0


class EvaluationError(Exception):
    """A usage problem (bad manifest, unknown labels, missing transcripts): every message, and the
    exit code of ``mer evaluate`` for it."""

    def __init__(self, problems: Sequence[str], code: int = USAGE) -> None:
        super().__init__("\n".join(problems))
        self.problems = list(problems)
        self.code = code


@dataclass
class Metrics:
    """examples' ClassificationMetrics, operation for operation."""

    labels: list[str]
    confusion: list[list[int]]

    @classmethod
    def of(cls, labels: Sequence[str], truth: Sequence[str], predicted: Sequence[str]) -> "Metrics":
        index = {lab: i for i, lab in enumerate(labels)}
        cm = [[0] * len(labels) for _ in labels]
        for t, p in zip(truth, predicted):
            cm[index[t]][index[p]] += 1
        return cls(list(labels), cm)

    @property
    def samples(self) -> int:
        return sum(sum(row) for row in self.confusion)

    @staticmethod
    def _ratio(num: int, den: int) -> float:
        return 0.0 if den == 0 else num / den   # int / int: correctly rounded, as Java's (double) num / den

    def support(self, k: int) -> int:
        return sum(self.confusion[k])

    def predicted(self, k: int) -> int:
        return sum(row[k] for row in self.confusion)

    def recall(self, k: int) -> float:
        return self._ratio(self.confusion[k][k], self.support(k))

    def precision(self, k: int) -> float:
        return self._ratio(self.confusion[k][k], self.predicted(k))

    def f1(self, k: int) -> float:
        tp = self.confusion[k][k]
        fp, fn = self.predicted(k) - tp, self.support(k) - tp
        return self._ratio(2 * tp, 2 * tp + fp + fn)

    def accuracy(self) -> float:
        return self._ratio(sum(self.confusion[i][i] for i in range(len(self.labels))), self.samples)

    def _mean(self, values: Callable[[int], float]) -> float:
        s = 0.0
        for k in range(len(self.labels)):   # sequential, not numpy's pairwise sum
            s += values(k)
        return s / len(self.labels)

    def uar(self) -> float:
        return self._mean(self.recall)

    def macro_f1(self) -> float:
        return self._mean(self.f1)


@dataclass
class Evaluation:
    bundle_id: str
    metrics: Metrics | None
    failed: int
    no_speech: int
    messages: list[str] = field(default_factory=list)   # one per failed / no-speech row, for stderr

    def to_json(self) -> dict:
        """The object ``mer evaluate --format json`` prints (examples' MetricsReport.toJson)."""
        m = self.metrics
        assert m is not None
        return {"bundle_id": self.bundle_id, "samples": m.samples, "failed": self.failed,
                "no_speech": self.no_speech, "accuracy": m.accuracy(), "uar": m.uar(),
                "macro_f1": m.macro_f1(), "labels": m.labels,
                "per_label": {lab: {"precision": m.precision(k), "recall": m.recall(k), "f1": m.f1(k),
                                    "support": m.support(k)} for k, lab in enumerate(m.labels)},
                "confusion_matrix": m.confusion}

    def table(self) -> str:
        m = self.metrics
        assert m is not None
        w = max([9] + [len(lab) for lab in m.labels])

        def row(first: str, cells: Sequence[str]) -> str:
            return (f"{first:<{w}}" + "".join(f"  {c:>{w}}" for c in cells)).rstrip()

        lines = [f"bundle    {self.bundle_id}",
                 f"samples   {m.samples} recognised, {self.no_speech} no speech, {self.failed} failed",
                 f"accuracy  {m.accuracy():.4f}",
                 f"UAR       {m.uar():.4f}  (unweighted average recall: mean of per-label recall)",
                 f"macro-F1  {m.macro_f1():.4f}", "",
                 row("label", ["precision", "recall", "f1", "support"])]
        for k, lab in enumerate(m.labels):
            lines.append(row(lab, [f"{m.precision(k):.4f}", f"{m.recall(k):.4f}", f"{m.f1(k):.4f}",
                                   str(m.support(k))]))
        lines += ["", "confusion matrix (rows: true label, columns: predicted)", row("", m.labels)]
        for i, lab in enumerate(m.labels):
            lines.append(row(lab, [str(c) for c in m.confusion[i]]))
        return "\n".join(lines)


def _load(item: Item, rate: int) -> np.ndarray:
    """The row's samples, or ValueError naming the problem (as mer-sdk-audio would refuse it)."""
    try:
        info = sf.info(str(item.audio))
    except (sf.LibsndfileError, RuntimeError, OSError) as e:
        raise ValueError(f"cannot read audio: {e}") from None
    seconds = info.frames / info.samplerate
    if seconds < MIN_FILE_SECONDS:
        raise ValueError(f"{seconds:.3f} s of audio, shorter than {MIN_FILE_SECONDS} s")
    if seconds > MAX_FILE_SECONDS:
        raise ValueError(f"{seconds:.3f} s of audio, longer than {MAX_FILE_SECONDS:.0f} s")
    return item.load(rate)


def evaluate(bundle: Path | str, manifest: Path | str, transcripts: str = "asr", speech_gate: bool = True,
             threads: int = 2) -> Evaluation:
    """Runs the evaluation; raises EvaluationError for usage problems (exit 2) and BundleError (a
    ValueError, exit 3) for a bundle that cannot be used."""
    from .onnx_pipeline import OnnxPipeline

    if transcripts not in ("asr", "manifest"):
        raise EvaluationError([f"--transcripts: {transcripts!r} is not one of asr, manifest"])
    try:
        data = read_manifest(manifest, check_audio=False)   # a missing file is a failed row, as in Java
    except ManifestError as e:
        raise EvaluationError(e.problems) from None
    pipe = OnnxPipeline(bundle, threads=threads)
    m = pipe.m
    labels: list[str] = list(m["labels"])
    unknown = [f"{data.path}:{it.line}: label: '{it.label}' is not one of the bundle's labels "
               f"[{', '.join(labels)}]" for it in data.items if it.label not in labels]
    if unknown:
        raise EvaluationError(unknown)
    mods = set(pipe.mods)
    if transcripts == "manifest":
        if "text" not in mods:
            raise EvaluationError([f"--transcripts manifest: bundle {m['bundle_id']} reads no text (modalities "
                                   f"{sorted(mods)}), so a transcript has nothing to replace"])
        missing = [f"{data.path}:{it.line}: transcript: missing (--transcripts manifest needs one on every row)"
                   for it in data.items if it.transcript is None]
        if missing:
            raise EvaluationError(missing)
    rate = int(m["audio"]["sample_rate"])
    min_samples = int(m["audio"]["min_samples"])
    window = int(m["audio"]["n_samples"])
    decodes = "text" in mods   # Java's Manifest.decodes(): the text modality reads Whisper's transcript
    truth: list[str] = []
    predicted: list[str] = []
    failed = no_speech = 0
    messages: list[str] = []
    for it in data.items:
        where = f"{data.path}:{it.line}"
        try:
            x = _load(it, rate)
        except ValueError as e:
            failed += 1
            messages.append(f"{it.audio}: {e} ({where})")
            continue
        if not np.isfinite(x).all():
            failed += 1
            messages.append(f"{it.audio}: audio must be finite ({where})")
            continue
        if speech_gate:
            ev = silero.evidence(x, rate)
            if not ev.is_speech:
                no_speech += 1
                messages.append(f"{it.audio}: no speech (speech gate: {ev.to_dict()}, {where})")
                continue
        transcript = it.transcript if transcripts == "manifest" else None
        whisper_reads = "context" in mods or (decodes and transcript is None)
        if len(x) < min_samples:
            failed += 1
            messages.append(f"{it.audio}: {len(x)} samples, the bundle needs at least {min_samples} ({where})")
            continue
        if len(x) > window and whisper_reads:
            failed += 1
            messages.append(f"{it.audio}: {len(x) / rate:.3f} s, longer than the bundle's ASR window of "
                            f"{window / rate:.3f} s ({where})")
            continue
        r = pipe.run(x, transcript=transcript)
        if r.is_speech is False:
            no_speech += 1
            messages.append(f"{it.audio}: no speech (model: {r.evidence.to_dict() if r.evidence else ''}, {where})")
            continue
        truth.append(it.label)
        predicted.append(r.label)
    metrics = Metrics.of(labels, truth, predicted) if truth else None
    return Evaluation(m["bundle_id"], metrics, failed, no_speech, messages)


def main(bundle: str, manifest: str, fmt: str = "table", transcripts: str = "asr", speech_gate: bool = True,
         threads: int = 2) -> int:
    """The CLI: prints the report on stdout, problems on stderr; exit codes as ``mer evaluate``."""
    from .bundle import BundleError

    try:
        ev = evaluate(bundle, manifest, transcripts=transcripts, speech_gate=speech_gate, threads=threads)
    except EvaluationError as e:
        for p in e.problems:
            print(f"mer_train evaluate: {p}", file=sys.stderr)
        return e.code
    except BundleError as e:
        print(f"mer_train evaluate: {e}", file=sys.stderr)
        return BUNDLE
    for msg in ev.messages:
        print(f"mer_train evaluate: {msg}", file=sys.stderr)
    if ev.metrics is None:
        print(f"mer_train evaluate: no file of {manifest} got an emotion ({ev.failed} failed, {ev.no_speech} "
              f"no speech); no metrics", file=sys.stderr)
        return INPUTS_FAILED
    print(json.dumps(ev.to_json(), indent=2) if fmt == "json" else ev.table())
    return OK if ev.failed == 0 else INPUTS_FAILED

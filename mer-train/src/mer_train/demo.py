"""The SDK's embedded demo bundle, made end to end from the synthetic corpus.

1. ``make_corpus``: the emotion corpus (five sessions, two espeak-ng voices each).
2. A second corpus, spoken only by the voices of sessions 1-4, with other sentences: the ASR's
   training data (an ASR needs more speech than the emotion corpus holds).
3. ``asr.train_asr``: a small Whisper-architecture ASR trained from scratch, saved as a Hugging
   Face checkpoint folder; its WER is measured on session 5 of the emotion corpus (unseen voices).
4. ``train.run_folds``: the paper's recipe with that folder as ``--whisper`` (the same path a hub
   checkpoint takes), WavLM and RoBERTa from small random configs, session 5 held out.
5. Export under the bundle id ``demo-synthetic``; parity fixtures from the PyTorch reference on
   held-out utterances and two non-speech clips (audio as FLAC, labels, probabilities, transcripts,
   speech evidence) for the Java test; a few held-out recordings for the README's demo; the speech
   decision measured on non-speech, noisy and quiet speech (speech_eval.py); the model card.

The ASR folder (``<work>/asr``) and the fold's ``head.pt`` stay in the work folder:
``--reexport`` rebuilds the bundle, fixtures and card from them with the current exporter,
without training again.

Everything is deterministic given the seed, up to float rounding across machines.
"""

from __future__ import annotations

import json
import logging
import shutil
import subprocess
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from .asr import AsrConfig, corpus_utterances, train_asr, wer
from .corpus import CorpusConfig, make_corpus
from .export import BundleParts, export_bundle
from .fixtures import evidence_fields
from .iemocap import LABELS, load_iemocap
from .reference import ReferencePipeline
from .speech import SpeechDecision
from .speech_eval import evaluate as evaluate_speech_decision
from .speech_eval import markdown_table, write_report
from .train import TrainConfig, read_wave, run_folds

log = logging.getLogger(__name__)

BUNDLE_ID = "demo-synthetic"
HELD_OUT = 5
MAX_BUNDLE_BYTES = 15 * 1024 * 1024
# The held-out figures of the demo bundle before its ASR learned silence (format 1, 2026-11;
# docs/demo-model-card.md of that version), and that bundle's avg_logprob on the 40 non-speech
# clips of eval-speech-decision (seed 0), for the card's before/after comparison.
# The demo's thresholds. Its ASR, trained from scratch, learned <|nospeech|> well (held-out:
# no-speech probability >= 0.9 on every non-speech clip, <= 0.4 on all speech) but its transcripts
# of non-speech are confident: begin-suppression bans the end token (its learned answer) at the
# first position, and it goes on with a fluent sentence of its closed vocabulary (avg_logprob
# about -0.5, above openai-whisper's -1.0, tuned for Whisper's low-confidence hallucinations). The
# demo therefore decides on the no-speech probability alone, as faster-whisper does with
# log_prob_threshold=None: logprob_threshold 0.0 (every avg_logprob is below it). Not tuned on
# the evaluation set; the Java builder can override all three.
DEMO_SPEECH_DECISION = SpeechDecision(no_speech_threshold=0.6, logprob_threshold=0.0, compression_ratio_threshold=2.4)
BEFORE_ISSUE_11 = {"test_wer": 0.1277, "uar": 0.8687, "macro_f1": 0.8639, "accuracy": 0.8688,
                   "nonspeech_avg_logprob_median": -0.51, "nonspeech_avg_logprob_p90": -0.21}


@dataclass
class DemoConfig:
    work: str
    bundle_out: str
    fixture_out: str
    card: str
    recordings_out: str = "examples/recordings"
    seed: int = 0
    threads: int = 2
    per_emotion: int = 40            # emotion corpus: utterances per emotion and session
    asr_per_emotion: int = 100       # ASR corpus (sessions 1-4 voices): utterances per emotion and session
    asr_epochs: int | None = None
    epochs: int | None = None
    fixture_per_label: int = 6       # held-out utterances per label committed as Java parity fixtures
    reexport: bool = False           # rebuild bundle, fixtures and card from the work folder's checkpoints
    eval_nonspeech: int = 40         # non-speech clips of the speech-decision evaluation


def _asr_config(cfg: DemoConfig) -> AsrConfig:
    a = AsrConfig(seed=cfg.seed, threads=cfg.threads)
    return replace(a, epochs=cfg.asr_epochs) if cfg.asr_epochs else a


def _train_config(cfg: DemoConfig, corpus: Path, asr_dir: Path, run_dir: Path) -> TrainConfig:
    # Encoders start from random weights (no hub here): learning rates far above the paper's
    # fine-tuning rates; small head; everything else as in the paper (Adam, dropout 0.5, wd 1e-5).
    return TrainConfig(corpus=str(corpus), out=str(run_dir), wavlm="random:demo", roberta="random:demo",
                       whisper=str(asr_dir), transcripts="asr", head_d_model=64, head_heads=4, head_ffn=128,
                       epochs=cfg.epochs or 20, batch_size=16, lr=2e-3, encoder_lr=1e-3, folds=(HELD_OUT,),
                       seed=cfg.seed, threads=cfg.threads, max_new_tokens=_asr_config(cfg).max_new_tokens,
                       export=False, bundle_prefix=BUNDLE_ID)


def _flac(wav: Path, out: Path) -> None:
    subprocess.run(["sox", "-q", str(wav), "-b", "16", str(out)], check=True, capture_output=True)


def load_trained_parts(work: Path, tcfg: TrainConfig) -> tuple[BundleParts, dict[str, Any]]:
    """The trained demo model from the work folder: the ASR folder, the fold's head.pt (head and
    fine-tuned WavLM/RoBERTa weights) and text_tokenizer.json; and the train config it was
    trained with."""
    from tokenizers import Tokenizer

    from .config import HeadConfig
    from .hub import load_asr, load_roberta, load_trained_head, load_wavlm, read_head_checkpoint

    fold = Path(tcfg.out) / f"fold{HELD_OUT}"
    for f in (Path(tcfg.whisper) / "config.json", fold / "head.pt", fold / "text_tokenizer.json"):
        if not f.is_file():
            raise FileNotFoundError(f"{f}: missing; --reexport needs a finished make-demo-bundle run in {work}")
    ckpt = read_head_checkpoint(fold / "head.pt")
    asr = load_asr(tcfg.whisper, tcfg.max_new_tokens)
    wavlm, _ = load_wavlm(tcfg.wavlm, 0)
    text_tok = Tokenizer.from_file(str(fold / "text_tokenizer.json"))
    roberta, text_tok = load_roberta(tcfg.roberta, 0, [], tcfg.max_text_tokens, tokenizer=text_tok)
    head = load_trained_head(ckpt, wavlm, roberta, asr.model.config.d_model)   # loads WavLM/RoBERTa's weights too
    head_cfg = HeadConfig.from_dict(ckpt["head_config"])
    return BundleParts(head_config=head_cfg, head=head.eval(), feature_extractor=asr.feature_extractor,
                       whisper=asr.model.eval(), decoding=asr.decoding, asr_tokenizer=asr.tokenizer,
                       wavlm=wavlm.eval(), normalize_waveform=bool(ckpt["normalize_waveform"]),
                       roberta=roberta.eval(), text_tokenizer=text_tok,
                       max_text_tokens=int(ckpt["max_text_tokens"]),
                       sources={"wavlm": tcfg.wavlm, "roberta": tcfg.roberta, "whisper": tcfg.whisper}), \
        ckpt["train_config"]


def make_demo_bundle(cfg: DemoConfig) -> dict[str, Any]:
    t_start = time.time()
    work = Path(cfg.work)
    work.mkdir(parents=True, exist_ok=True)
    corpus, asr_corpus = work / "corpus", work / "asr-corpus"
    asr_dir, run_dir = work / "asr", work / "run"
    tcfg = _train_config(cfg, corpus, asr_dir, run_dir)
    if cfg.reexport:
        previous = json.loads((work / "demo_report.json").read_text()) if (work / "demo_report.json").is_file() else {}
        asr_report = json.loads((asr_dir / "asr_report.json").read_text())
        done = json.loads((run_dir / f"fold{HELD_OUT}" / "metrics.json").read_text())
        metrics, fold_seconds = done["metrics"], done["seconds"]
        parts, train_config = load_trained_parts(work, tcfg)
        trained_seconds = previous.get("total_seconds")
    else:
        make_corpus(corpus, CorpusConfig(sessions=5, utterances_per_emotion=cfg.per_emotion, seed=cfg.seed))
        make_corpus(asr_corpus, CorpusConfig(sessions=HELD_OUT - 1, utterances_per_emotion=cfg.asr_per_emotion,
                                             seed=cfg.seed + 1))
        if asr_dir.exists():
            shutil.rmtree(asr_dir)
        train_sessions = list(range(1, HELD_OUT))
        asr_report = train_asr(corpus_utterances(asr_corpus, train_sessions) + corpus_utterances(corpus, train_sessions),
                               corpus_utterances(corpus, [HELD_OUT]), asr_dir, _asr_config(cfg))
        if run_dir.exists():
            shutil.rmtree(run_dir)
        _, results = run_folds(tcfg)
        fold = results[0]
        parts, metrics, fold_seconds = fold.parts, fold.metrics, fold.seconds
        trained_seconds, train_config = None, tcfg.to_dict()

    parts.speech_decision = DEMO_SPEECH_DECISION
    bundle = Path(cfg.bundle_out)
    manifest = export_bundle(
        parts, bundle, bundle_id=BUNDLE_ID, overwrite=True,
        description=(f"demo model trained on a synthetic espeak-ng corpus (not IEMOCAP); held-out session "
                     f"UAR {metrics['uar']:.3f}, ASR WER {asr_report['test_wer']:.3f}; see docs/demo-model-card.md"))
    size = sum(f.stat().st_size for f in bundle.iterdir())
    if size > MAX_BUNDLE_BYTES:
        raise ValueError(f"demo bundle is {size / 2**20:.1f} MiB, over the {MAX_BUNDLE_BYTES / 2**20:.0f} MiB limit")

    held_out = [u for u in load_iemocap(corpus, sessions=[HELD_OUT])]
    fixtures = _write_fixtures(parts, held_out, Path(cfg.fixture_out), cfg.fixture_per_label)
    recordings = _write_recordings(held_out, fixtures, Path(cfg.recordings_out))
    decision = evaluate_speech_decision(bundle, [(u.id, read_wave(u.wav)) for u in held_out], cfg.eval_nonspeech,
                                        seed=cfg.seed, threads=cfg.threads)
    write_report(decision, work / "speech_decision.json")

    report = {"bundle": str(bundle), "bundle_bytes": size, "held_out_session": HELD_OUT,
              "asr": {k: asr_report[k] for k in ("test_wer", "n_train", "n_test", "train_seconds", "examples")},
              "emotion": {"uar": metrics["uar"], "macro_f1": metrics["macro_f1"], "accuracy": metrics["accuracy"],
                          "confusion": metrics["confusion"], "n_test": metrics["n"],
                          "n_train": sum(1 for u in load_iemocap(corpus) if u.session != HELD_OUT),
                          "train_seconds": round(fold_seconds, 1)},
              "reference_transcript_wer": fixtures["held_out_wer"],
              "reference_accuracy": fixtures["held_out_accuracy"], "fixture_cases": len(fixtures["cases"]),
              "recordings": recordings, "train_config": train_config, "asr_config": asr_report["config"],
              "speech_decision": decision,
              "total_seconds": trained_seconds or round(time.time() - t_start, 1), "manifest_files": sorted(manifest["files"])}
    if cfg.reexport:
        report["reexport_seconds"] = round(time.time() - t_start, 1)
    (work / "demo_report.json").write_text(json.dumps(report, indent=1) + "\n")
    _write_card(Path(cfg.card), report, asr_report)
    return report


def _write_fixtures(parts: Any, held_out: list, folder: Path, per_label: int) -> dict[str, Any]:
    """PyTorch reference outputs for the held-out session; the first ``per_label`` utterances of
    each label are committed (FLAC, lossless) for the Java test, the rest only counted; plus the
    non-speech clips of fixtures.nonspeech_cases (white noise, digital silence), 16-bit FLAC."""
    import soundfile as sf

    from .fixtures import nonspeech_cases

    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    ref = ReferencePipeline(parts)
    labels = list(parts.head_config.labels)
    taken = {lab: 0 for lab in labels}
    cases, refs, hyps, agree = [], [], [], 0
    for u in held_out:
        r = ref.run(read_wave(u.wav))
        predicted = labels[int(r.probabilities.argmax())]
        refs.append(u.transcript)
        hyps.append(r.transcript)
        agree += predicted == u.label
        if taken[u.label] < per_label:
            taken[u.label] += 1
            name = f"{u.id}.flac"
            _flac(u.wav, folder / name)
            cases.append({"audio": name, "kind": "speech", "true_label": u.label, "reference_transcript": u.transcript,
                          "label": predicted, "probabilities": [round(float(p), 7) for p in r.probabilities],
                          "transcript": r.transcript, "asr_tokens": r.asr_tokens, "text_ids": r.text_ids,
                          **evidence_fields(r)})
    for name, samples in nonspeech_cases():
        sf.write(str(folder / f"{name}.flac"), samples, 16000, subtype="PCM_16")
        r = ref.run(read_wave(folder / f"{name}.flac"))  # the samples as the FLAC holds them
        cases.append({"audio": f"{name}.flac", "kind": "nonspeech", "true_label": None, "reference_transcript": "",
                      "label": labels[int(r.probabilities.argmax())],
                      "probabilities": [round(float(p), 7) for p in r.probabilities], "transcript": r.transcript,
                      "asr_tokens": r.asr_tokens, "text_ids": r.text_ids, **evidence_fields(r)})
    doc = {"bundle_id": BUNDLE_ID, "made_by": "python -m mer_train make-demo-bundle",
           "labels": labels, "tolerances": {"probabilities": 1e-4, "speech_evidence": 1e-4},
           "held_out_session": HELD_OUT, "held_out_utterances": len(held_out),
           "held_out_accuracy": round(agree / len(held_out), 4), "held_out_wer": round(wer(refs, hyps), 4),
           "cases": cases}
    (folder / "fixtures.json").write_text(json.dumps(doc, indent=1) + "\n")
    return doc


def _write_recordings(held_out: list, fixtures: dict[str, Any], out: Path) -> list[str]:
    """One held-out recording per label for the README's demo, plus labels.tsv for `evaluate`."""
    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob("*.wav"):
        old.unlink()
    # a dataset manifest (docs/training.md, "Your own data"): held-out synthetic recordings of session 5
    names, lines = [], ["audio\tlabel"]
    for lab in LABELS:
        case = next(c for c in fixtures["cases"] if c["true_label"] == lab)
        u = next(x for x in held_out if f"{x.id}.flac" == case["audio"])
        name = f"{lab}-{u.id}.wav"
        shutil.copyfile(u.wav, out / name)
        names.append(name)
        lines.append(f"{name}\t{lab}")
    (out / "labels.tsv").write_text("\n".join(lines) + "\n")
    return names


def _write_card(path: Path, report: dict[str, Any], asr: dict[str, Any]) -> None:
    e, t, a = report["emotion"], report["train_config"], report["asr_config"]
    b = BEFORE_ISSUE_11
    n_noisy, n_quiet = round(a["noisy_fraction"] * asr["n_train"]), round(a["quiet_fraction"] * asr["n_train"])
    sd = report["speech_decision"]
    ns = sd["sets"]["nonspeech"]
    kinds = ", ".join(f"{k} {v['called_no_speech']}/{v['items']}" for k, v in ns["by_kind"].items())
    answered = ", ".join(f"`{x}`" for x in ns["answered_with_an_emotion"]) or "none"
    speech_sets = [k for k in sd["sets"] if k != "nonspeech"]
    lost = sum(sd["sets"][k]["called_no_speech"] for k in speech_sets if k != "clean")
    hard = sum(sd["sets"][k]["items"] for k in speech_sets if k != "clean")
    th = sd["thresholds"]
    cm = "\n".join(f"| {lab} | " + " | ".join(str(x) for x in row) + " |" for lab, row in zip(LABELS, e["confusion"]))
    examples = "\n".join(f"| {x['reference']} | {x['hypothesis']} |" for x in asr["examples"][:6])
    conf = np.array(e["confusion"])
    off = conf - np.diag(np.diag(conf))
    i, j = np.unravel_index(int(off.argmax()), off.shape)
    worst = (f"{conf[i, j]} of the {conf[i].sum()} held-out {LABELS[i]} utterances are taken for {LABELS[j]} "
             "(see the confusion matrix).")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"""# Model card: `{BUNDLE_ID}` (the SDK's embedded demo bundle)

**This is not an IEMOCAP model and not a model of real human emotion.** It was trained only on a
synthetic corpus spoken by the espeak-ng speech synthesiser, where each of four emotions is acted
by fixed prosody settings (pitch level and range, rate, loudness, pauses) and emotion-typical wording. It shows the
SDK working offline out of the box; on real speech its labels mean little. For real use, train
and export a bundle from pretrained checkpoints (docs/training.md, docs/export.md).

Made by `python -m mer_train make-demo-bundle` (mer-train/src/mer_train/demo.py), seed
{report['train_config']['seed']}, in {report['total_seconds'] / 60:.0f} min with {t['threads']} torch thread(s) on a 2-core machine.

## Architecture
The paper's full variant (speech + text + context, layer adapters, two MLF blocks), small:
- ASR: Whisper architecture (`WhisperForConditionalGeneration`), d_model {report['asr_config']['d_model']},
  {report['asr_config']['encoder_layers']} encoder + {report['asr_config']['decoder_layers']} decoder layers,
  {report['asr_config']['chunk_seconds']} s window, own byte-level BPE vocabulary of
  {report['asr_config']['vocab_size']} tokens, trained from scratch (frozen while the emotion model trains, as in the paper).
- WavLM and RoBERTa: the real architectures from small configs (`random:demo` in
  mer_train/train.py), random initial weights, trained with the head.
- Head: d_model {t['head_d_model']}, {t['head_heads']} heads, feed-forward {t['head_ffn']}.
- Bundle size: {report['bundle_bytes'] / 2**20:.1f} MiB.

## Data
Synthetic corpus in the IEMOCAP release layout (`python -m mer_train make-corpus`): five sessions,
each with its own pair of espeak-ng voices; labels neutral, happy (happy + excited), sad, angry.
Session {report['held_out_session']} (voices never heard in training) is held out for every figure below.
- Emotion model: {e['n_train']} training utterances (sessions 1-4), {e['n_test']} held-out.
- ASR: {asr['n_train']} training utterances (sessions 1-4 voices: the emotion corpus plus a second
  corpus of other sentences), {asr['n_test']} held-out; plus, to learn when nobody speaks
  (mer_train/nonspeech.py, seeded), {n_noisy} of them again mixed into noise (white, pink, brown,
  room tone, mains hum) at {a['snr_db'][0]:.0f}-{a['snr_db'][1]:.0f} dB SNR and {n_quiet} again at about {a['quiet_dbfs']:.0f} dBFS, all
  with their transcripts as targets, and {a['nonspeech_clips']} non-speech clips (digital silence, room tone,
  white/pink/brown noise, mains hum, tones, chords, clicks, short melodies; 0.5-8 s) whose target
  is Whisper's: `<|nospeech|>` after `<|startoftranscript|>`, then an empty transcript.

## Results on the held-out session
| metric | value | before the ASR learned silence |
|---|---|---|
| ASR word error rate (greedy, the bundle's decoding settings) | {asr['test_wer']:.4f} | {b['test_wer']:.4f} |
| emotion UAR (unweighted average recall) | {e['uar']:.4f} | {b['uar']:.4f} |
| emotion macro-F1 | {e['macro_f1']:.4f} | {b['macro_f1']:.4f} |
| emotion accuracy | {e['accuracy']:.4f} | {b['accuracy']:.4f} |
| training time: ASR / emotion model | {asr['train_seconds'] / 60:.1f} min / {e['train_seconds'] / 60:.1f} min | |

Confusion matrix (rows: true, columns: predicted):

| | {' | '.join(LABELS)} |
|---{'|---' * len(LABELS)}|
{cm}

ASR examples (held-out voices):

| reference | hypothesis |
|---|---|
{examples}

## Speech or not
The bundle (format 2) carries Whisper's evidence and its thresholds (docs/model-bundle.md, "The
speech decision"): no speech when `no_speech_prob > {th['no_speech_threshold']}` and `avg_logprob < {th['logprob_threshold']}`, or when the
transcript's compression ratio is above {th['compression_ratio_threshold']} and `avg_logprob < {th['logprob_threshold']}`. The log-probability
threshold is not openai-whisper's -1.0: once begin-suppression bans the end token (this ASR's
learned answer to non-speech) at the first position, it goes on with a fluent sentence of its
closed vocabulary ("Don't touch the report ever again!" on the white-noise fixture), confident
(`avg_logprob` about -0.5), so the demo decides on the no-speech probability alone, as
faster-whisper does without a log-probability threshold (`DEMO_SPEECH_DECISION` in demo.py; with
-1.0 only 3 of the 40 non-speech clips below were called no speech). The Java builder overrides
any of the three (`noSpeechThreshold`, `logProbThreshold`, `compressionRatioThreshold`). Measured with the model-side rule alone
(`python -m mer_train eval-speech-decision`, mer_train/speech_eval.py: the bundle's ONNX graphs
run as the SDK runs them; the SDK's acoustic gate comes on top), on {ns['items']} non-speech clips from
seeds the ASR never trained on and on the {sd['sets']['clean']['items']} held-out utterances as recorded, in noise and quiet:

{markdown_table(sd)}

Non-speech clips called no speech, by kind: {kinds}. Answered with an emotion by the model-side
rule: {answered}. Held-out speech in noise or quiet wrongly called no speech: {lost} of {hard}
({100 * lost / max(hard, 1):.1f} %). Before this version the ASR had never heard non-speech and
had no no-speech probability: 3 s of digital silence came out as "neutral 1.00" with a made-up
sentence, and on the same {ns['items']} non-speech clips its transcripts were confident (`avg_logprob` median
{b['nonspeech_avg_logprob_median']:.2f}, 90th percentile {b['nonspeech_avg_logprob_p90']:.2f}), so no log-probability threshold could have told them from speech.

## Checked
The Java SDK gives the same labels (and probabilities within 1e-4) as the PyTorch reference on
{report['fixture_cases']} committed fixture cases (held-out utterances and two non-speech clips, with the no-speech
probability and average log-probability, tolerance 1e-4; mer-sdk-demo-bundle/src/test:
`DemoBundleParityTest`).

## Limits
The main error: {worst} Four labels only; English only; espeak-ng voices only; a closed vocabulary of a few hundred
words; utterances up to {report['asr_config']['chunk_seconds']} s (longer audio: use `Timeline`).
""")

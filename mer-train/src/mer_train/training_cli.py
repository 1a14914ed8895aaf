"""Subcommands ``make-corpus``, ``train`` and ``make-demo-bundle`` of ``python -m mer_train``."""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from pathlib import Path


def _cmd_make_corpus(a: argparse.Namespace) -> int:
    from .corpus import EMOTIONS, EMOTIONS6, CorpusConfig, make_corpus, make_manifest_corpus

    emotions = tuple(a.emotions.split(",")) if a.emotions else (EMOTIONS6 if a.manifest else EMOTIONS)
    cfg = CorpusConfig(sessions=a.sessions, utterances_per_emotion=a.per_emotion, seed=a.seed, jobs=a.jobs,
                       emotions=emotions, last_session_per_emotion=a.last_session_per_emotion)
    if a.manifest:
        splits = {}
        for spec in a.split or []:
            group, sep, split = spec.partition("=")
            if not sep or split not in ("train", "validation", "test"):
                raise ValueError(f"--split {spec!r}: use SPEAKER=train|validation|test, e.g. Ses05F=test")
            splits[group] = split
        manifest = make_manifest_corpus(a.out, cfg, splits=splits or None)
        summary = json.loads((Path(a.out) / "corpus.json").read_text())
        print(f"corpus: {manifest} ({summary['utterances']} utterances, {summary['hours'] * 60:.1f} min, "
              f"labels {summary['labels']})")
        return 0
    summary = make_corpus(a.out, cfg)
    print(f"corpus: {a.out} ({summary['utterances']} utterances, {summary['hours'] * 60:.1f} min, "
          f"codes {summary['codes']})")
    return 0


def _cmd_train(a: argparse.Namespace) -> int:
    from .train import _fold_dir, config_from_args, results_table, run

    cfg = config_from_args(a)
    if a.restart:
        out = Path(cfg.out)
        chosen = [_fold_dir(out, f) for f in cfg.folds] if cfg.folds else sorted(out.glob("fold*"))
        for d in chosen:
            if d.is_dir():
                shutil.rmtree(d)
    summary = run(cfg)
    print(results_table(summary), end="")
    print(f"results: {Path(cfg.out) / 'results.json'}")
    return 0


def _cmd_make_demo_bundle(a: argparse.Namespace) -> int:
    from .demo import DemoConfig, make_demo_bundle

    cfg = DemoConfig(work=a.work, bundle_out=a.out, fixture_out=a.fixtures, card=a.card,
                     recordings_out=a.recordings, seed=a.seed, threads=a.threads, asr_epochs=a.asr_epochs,
                     epochs=a.epochs, reexport=a.reexport)
    report = make_demo_bundle(cfg)
    print(json.dumps(report, indent=1))
    return 0


def _cmd_eval_speech_decision(a: argparse.Namespace) -> int:
    from .iemocap import load_iemocap
    from .speech_eval import evaluate, markdown_table, write_report
    from .train import read_wave

    speech = []
    if a.corpus:
        utts = load_iemocap(a.corpus, sessions=[a.session])
        if not utts:
            raise ValueError(f"--corpus {a.corpus}: no utterances in session {a.session}")
        speech = [(u.id, read_wave(u.wav)) for u in utts[: a.max_utterances]]
    report = evaluate(a.bundle, speech, a.nonspeech, seed=a.seed, clips_out=a.clips_out, threads=a.threads)
    if a.out:
        write_report(report, a.out)
    print(markdown_table(report))
    return 0


def add_training_commands(sub: argparse._SubParsersAction) -> None:
    c = sub.add_parser("make-corpus", help="synthetic emotion corpus spoken by espeak-ng (IEMOCAP layout or manifest)")
    c.add_argument("--out", required=True, help="corpus folder to write (replaced)")
    c.add_argument("--manifest", action="store_true",
                   help="write wav/<speaker>/*.wav and manifest.csv (audio, label, group = speaker, transcript) "
                        "instead of the IEMOCAP layout; default emotions then the six of corpus.EMOTIONS6")
    c.add_argument("--emotions", help="comma-separated subset of neutral,happy,sad,angry,fearful,surprised "
                                      "(the IEMOCAP layout holds only the first four)")
    c.add_argument("--split", action="append", metavar="SPEAKER=SPLIT",
                   help="with --manifest: a split column, this speaker in this split (others: train)")
    c.add_argument("--sessions", type=int, default=5)
    c.add_argument("--per-emotion", type=int, default=40, help="utterances per emotion and session")
    c.add_argument("--last-session-per-emotion", type=int,
                   help="utterances per emotion in the last session (a larger held-out session)")
    c.add_argument("--seed", type=int, default=0)
    c.add_argument("--jobs", type=int, default=2, help="parallel espeak-ng/sox processes")
    c.set_defaults(fn=_cmd_make_corpus)

    t = sub.add_parser("train", help="paper's recipe on a labelled-audio manifest (or an IEMOCAP-layout corpus), "
                                     "cross-validated by group",
                       description="Fine-tunes WavLM and RoBERTa with the fusion head, Whisper frozen (its transcripts "
                                   "and context features cached); per fold: metrics, head checkpoint, bundle.")
    data = t.add_mutually_exclusive_group(required=True)
    data.add_argument("--manifest", help="labelled-audio manifest (.csv, .tsv, .jsonl; docs/training.md)")
    data.add_argument("--corpus", help="folder with Session1..Session5 (IEMOCAP release layout; groups = sessions)")
    t.add_argument("--out", required=True, help="run folder: cache/, fold<NAME>/, results.json")
    t.add_argument("--labels", help="comma-separated label order of the head and bundle (default: the data's "
                                    "labels sorted; IEMOCAP: neutral,happy,sad,angry)")
    t.add_argument("--wavlm", help="hub id, local folder or random:<preset> (default microsoft/wavlm-base)")
    t.add_argument("--roberta", help="hub id, local folder or random:<preset> (default FacebookAI/roberta-base)")
    t.add_argument("--whisper", help="hub id, local folder or random:<preset> (default openai/whisper-small.en)")
    t.add_argument("--transcripts", choices=["asr", "reference"],
                   help="text input: Whisper's greedy transcripts (paper, default) or the data's (the manifest's "
                        "transcript column, required in every row)")
    t.add_argument("--modalities", help="comma-separated subset of speech,text,context (default all)")
    t.add_argument("--no-layer-adapter", dest="layer_adapter", action="store_const", const=False)
    t.add_argument("--no-fusion", dest="multimodal_fusion", action="store_const", const=False)
    t.add_argument("--head-d-model", type=int)
    t.add_argument("--head-heads", type=int)
    t.add_argument("--head-ffn", type=int)
    t.add_argument("--dropout", type=float, help="default 0.5 (paper)")
    t.add_argument("--epochs", type=int, help="default 30 (paper)")
    t.add_argument("--batch-size", type=int, help="default 32 (paper)")
    t.add_argument("--lr", type=float, help="head learning rate (default 1e-4; the paper gives none)")
    t.add_argument("--encoder-lr", type=float, help="WavLM/RoBERTa learning rate (default 1e-5)")
    t.add_argument("--weight-decay", type=float, help="default 1e-5 (paper)")
    t.add_argument("--freeze-wavlm-cnn", action="store_const", const=True)
    t.add_argument("--max-seconds", type=float, help="cut WavLM training inputs to this length (default 20)")
    t.add_argument("--max-text-tokens", type=int)
    t.add_argument("--max-new-tokens", type=int, help="ASR greedy decoding limit (default 128)")
    t.add_argument("--fold-scheme", choices=["groups", "kfold", "split"],
                   help="groups: leave-one-group-out (default; IEMOCAP: leave-one-session-out); kfold: grouped k "
                        "folds (--k); split: the manifest's split column (train/validation/test)")
    t.add_argument("--k", type=int, help="number of grouped folds (default 5)")
    t.add_argument("--fold", dest="folds", action="append",
                   help="fold(s) to run: a test group (groups), a fold number (kfold); default all")
    t.add_argument("--validation", type=float, metavar="FRACTION",
                   help="share of each fold's training rows, in whole groups, held out as a validation set: the "
                        "epoch with the best validation UAR is kept (default 0: the last epoch; the split scheme "
                        "uses its validation rows)")
    t.add_argument("--patience", type=int, help="early stopping: stop after this many epochs without a better "
                                                "validation UAR")
    t.add_argument("--balance", choices=["weights", "sampler", "none"],
                   help="imbalanced labels: class-weighted loss (default), balanced sampler, or none")
    t.add_argument("--lr-schedule", choices=["constant", "cosine"], help="default constant")
    t.add_argument("--seed", type=int)
    t.add_argument("--threads", type=int, help="torch threads (default 2)")
    t.add_argument("--device", help="cpu (default) or cuda (cuda:N)")
    t.add_argument("--precision", choices=["auto", "bf16", "fp16", "fp32"],
                   help="cuda: auto = bf16 where supported, else fp16 with loss scaling; fp32 = no mixed precision")
    t.add_argument("--no-export", dest="export", action="store_const", const=False)
    t.add_argument("--bundle-prefix", help="bundle ids are <prefix>-fold<NAME>")
    t.add_argument("--restart", action="store_true", help="discard the chosen folds' checkpoints and results")
    t.set_defaults(fn=_cmd_train)

    d = sub.add_parser("make-demo-bundle", help="regenerate the SDK's embedded demo bundle (synthetic corpus)")
    d.add_argument("--work", default="mer-train/out/demo", help="scratch folder (corpus, runs)")
    d.add_argument("--out", default="mer-sdk-demo-bundle/src/main/resources/io/mersdk/demo/bundle")
    d.add_argument("--fixtures", default="mer-sdk-demo-bundle/src/test/resources/io/mersdk/demo/fixtures")
    d.add_argument("--card", default="docs/demo-model-card.md")
    d.add_argument("--recordings", default="examples/recordings", help="a few held-out recordings for the README demo")
    d.add_argument("--seed", type=int, default=0)
    d.add_argument("--threads", type=int, default=2)
    d.add_argument("--asr-epochs", type=int)
    d.add_argument("--epochs", type=int)
    d.add_argument("--reexport", action="store_true",
                   help="no training: rebuild bundle, fixtures and card from the checkpoints a finished run left "
                        "in --work (<work>/asr, <work>/run/fold5/head.pt), with this exporter")
    d.set_defaults(fn=_cmd_make_demo_bundle)

    e = sub.add_parser("eval-speech-decision",
                       help="a bundle's model-side speech decision on non-speech clips and on speech in noise",
                       description="Non-speech clips of every kind (seeded, never the demo ASR's training clips) and, "
                                   "with --corpus, held-out utterances as recorded, at 20/10/5 dB SNR and at -30 dBFS, "
                                   "run through the bundle's ONNX graphs; prints how many each set calls no speech.")
    e.add_argument("--bundle", default="mer-sdk-demo-bundle/src/main/resources/io/mersdk/demo/bundle")
    e.add_argument("--corpus", help="IEMOCAP-layout corpus for the speech sets (e.g. mer-train/out/demo/corpus)")
    e.add_argument("--session", type=int, default=5, help="its held-out session (default 5)")
    e.add_argument("--max-utterances", type=int, default=10_000)
    e.add_argument("--nonspeech", type=int, default=40, help="non-speech clips (default 40)")
    e.add_argument("--seed", type=int, default=0)
    e.add_argument("--clips-out", help="also write the non-speech clips here as 16-bit WAV")
    e.add_argument("--out", help="write the JSON report here")
    e.add_argument("--threads", type=int, default=2)
    e.set_defaults(fn=_cmd_eval_speech_decision)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(1)

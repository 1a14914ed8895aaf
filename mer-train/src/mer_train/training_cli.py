"""Subcommands ``make-corpus``, ``train`` and ``make-demo-bundle`` of ``python -m mer_train``."""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from pathlib import Path


def _cmd_make_corpus(a: argparse.Namespace) -> int:
    from .corpus import CorpusConfig, make_corpus

    cfg = CorpusConfig(sessions=a.sessions, utterances_per_emotion=a.per_emotion, seed=a.seed, jobs=a.jobs)
    summary = make_corpus(a.out, cfg)
    print(f"corpus: {a.out} ({summary['utterances']} utterances, {summary['hours'] * 60:.1f} min, "
          f"codes {summary['codes']})")
    return 0


def _cmd_train(a: argparse.Namespace) -> int:
    from .train import config_from_args, results_table, run

    cfg = config_from_args(a)
    if a.restart:
        for f in (cfg.folds or range(1, 100)):
            d = Path(cfg.out) / f"fold{f}"
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
    c = sub.add_parser("make-corpus", help="synthetic IEMOCAP-shaped corpus spoken by espeak-ng")
    c.add_argument("--out", required=True, help="corpus folder to write (replaced)")
    c.add_argument("--sessions", type=int, default=5)
    c.add_argument("--per-emotion", type=int, default=40, help="utterances per emotion and session")
    c.add_argument("--seed", type=int, default=0)
    c.add_argument("--jobs", type=int, default=2, help="parallel espeak-ng/sox processes")
    c.set_defaults(fn=_cmd_make_corpus)

    t = sub.add_parser("train", help="paper's recipe: leave-one-session-out training on an IEMOCAP-layout corpus",
                       description="Fine-tunes WavLM and RoBERTa with the fusion head, Whisper frozen (its transcripts "
                                   "and context features cached); per fold: metrics, head checkpoint, bundle.")
    t.add_argument("--corpus", required=True, help="folder with Session1..Session5 (IEMOCAP release layout)")
    t.add_argument("--out", required=True, help="run folder: cache/, fold<N>/, results.json")
    t.add_argument("--wavlm", help="hub id, local folder or random:<preset> (default microsoft/wavlm-base)")
    t.add_argument("--roberta", help="hub id, local folder or random:<preset> (default FacebookAI/roberta-base)")
    t.add_argument("--whisper", help="hub id, local folder or random:<preset> (default openai/whisper-small.en)")
    t.add_argument("--transcripts", choices=["asr", "reference"],
                   help="text input: Whisper's greedy transcripts (paper, default) or the corpus transcriptions")
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
    t.add_argument("--fold", dest="folds", type=int, action="append", help="test session(s) to run (default all)")
    t.add_argument("--seed", type=int)
    t.add_argument("--threads", type=int, help="torch threads (default 2)")
    t.add_argument("--device", help="cpu (default) or cuda")
    t.add_argument("--no-export", dest="export", action="store_const", const=False)
    t.add_argument("--bundle-prefix", help="bundle ids are <prefix>-fold<N>")
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

"""Command line: ``python -m mer_train {export,make-test-bundle,evaluate,verify,import-dataset} ...``."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path


def _cmd_make_test_bundle(a: argparse.Namespace) -> int:
    from .export import export_bundle
    from .fixtures import write_fixtures
    from .testbundles import SPECS, build_parts

    tiny = sorted(n for n in SPECS if n.startswith("tiny-"))
    names = list(a.name) if a.name else (["full"] if a.size == "full" else tiny)
    for name in names:
        if name not in SPECS:
            print(f"make-test-bundle: unknown bundle {name!r}; known: {sorted(SPECS)}", file=sys.stderr)
            return 2
        parts = build_parts(name, seed=a.seed)
        out = Path(a.out) / name
        export_bundle(parts, out, bundle_id=name, description=SPECS[name].description, overwrite=True,
                      rewrite=not a.no_rewrite)
        print(f"bundle {name}: {out}")
        if a.fixtures and name != "full":
            fx = Path(a.fixtures) / name
            write_fixtures(parts, name, fx)
            print(f"fixtures {name}: {fx}")
    return 0


def _cmd_export(a: argparse.Namespace) -> int:
    from .export import export_bundle
    from .hub import load_parts

    from .speech import SpeechDecision

    parts = load_parts(wavlm=a.wavlm, roberta=a.roberta, whisper=a.whisper, head=a.head,
                       max_new_tokens=a.max_new_tokens, language=a.language)
    parts.speech_decision = SpeechDecision(a.no_speech_threshold, a.logprob_threshold, a.compression_ratio_threshold)
    export_bundle(parts, a.out, bundle_id=a.bundle_id, description=a.description or "", opset=a.opset,
                  overwrite=a.overwrite, rewrite=not a.no_rewrite)
    print(f"bundle {a.bundle_id}: {a.out}")
    return 0


def _cmd_verify(a: argparse.Namespace) -> int:
    from .bundle import BundleError, load_bundle

    try:
        m = load_bundle(a.bundle)
    except BundleError as e:
        print(f"verify: {e}", file=sys.stderr)
        return 1
    print(f"{a.bundle}: bundle {m['bundle_id']} ok ({len(m['files'])} files, labels {m['labels']})")
    return 0


def _cmd_bench(a: argparse.Namespace) -> int:
    from .bench import main as bench_main

    return bench_main(a.out, a.threads, a.repeats, a.seconds)


def _cmd_evaluate(a: argparse.Namespace) -> int:
    from .evaluate import main as evaluate_main

    return evaluate_main(a.bundle, a.manifest, fmt=a.format, transcripts=a.transcripts,
                         speech_gate=not a.no_speech_gate, threads=a.threads)


def _cmd_quantize(a: argparse.Namespace) -> int:
    from .quantize import REWRITES, quantize_bundle

    rewrites = () if a.no_rewrite else tuple(r for r in REWRITES if not (r == "conv" and a.keep_conv))
    m = quantize_bundle(a.bundle, a.out, a.bundle_id, overwrite=a.overwrite, rewrites=rewrites, per_channel=a.per_channel)
    print(f"bundle {m['bundle_id']}: {a.out}")
    return 0


def _cmd_fuse(a: argparse.Namespace) -> int:
    from .quantize import rewrite_bundle

    m = rewrite_bundle(a.bundle, a.out, a.bundle_id, overwrite=a.overwrite)
    print(f"bundle {m['bundle_id']} (fp32, rewritten): {a.out}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    from .speech import SpeechDecision as SpeechDecisionDefaults

    p = argparse.ArgumentParser(prog="python -m mer_train", description=__doc__)
    p.add_argument("-v", "--verbose", action="store_true")
    sub = p.add_subparsers(dest="cmd", required=True)

    e = sub.add_parser("export", help="HF checkpoints + trained head -> model bundle")
    e.add_argument("--wavlm", default="microsoft/wavlm-base", help="hub id or local folder")
    e.add_argument("--roberta", default="FacebookAI/roberta-base", help="hub id or local folder")
    e.add_argument("--whisper", default="openai/whisper-small.en", help="hub id or local folder")
    e.add_argument("--head", required=True, help="head checkpoint written by `train` (.pt)")
    e.add_argument("--out", required=True, help="bundle folder to write")
    e.add_argument("--bundle-id", required=True)
    e.add_argument("--description")
    e.add_argument("--max-new-tokens", type=int, default=128)
    e.add_argument("--language", help="language for multilingual Whisper checkpoints (default en)")
    e.add_argument("--opset", type=int, default=17)
    d = SpeechDecisionDefaults()
    e.add_argument("--no-speech-threshold", type=float, default=d.no_speech_threshold,
                   help="manifest speech_decision: no speech when the no-speech probability is above this "
                        "(and the average log-probability below --logprob-threshold); default %(default)s")
    e.add_argument("--logprob-threshold", type=float, default=d.logprob_threshold,
                   help="manifest speech_decision: average log-probability below which a transcript is "
                        "low-confidence; default %(default)s")
    e.add_argument("--compression-ratio-threshold", type=float, default=d.compression_ratio_threshold,
                   help="manifest speech_decision: a low-confidence transcript compressing better than this "
                        "is a hallucination; default %(default)s")
    e.add_argument("--overwrite", action="store_true")
    e.add_argument("--no-rewrite", action="store_true",
                   help="write the graphs as traced (attention unfused, cross-attention K/V stacked), the layout "
                        "of bundles exported before the rewrites of `fuse` were the default")
    e.set_defaults(fn=_cmd_export)

    t = sub.add_parser("make-test-bundle", help="random-weight bundles from configs (+ parity fixtures)")
    t.add_argument("--size", choices=["tiny", "full"], default="tiny")
    t.add_argument("--name", action="append", help="bundle spec name (default: every tiny-* spec, or full)")
    t.add_argument("--seed", type=int, default=0)
    t.add_argument("--out", default="testdata/bundles")
    t.add_argument("--fixtures", default="testdata/fixtures", help="fixture folder root ('' for none)")
    t.add_argument("--no-rewrite", action="store_true",
                   help="write the graphs as traced (attention unfused, cross-attention K/V stacked), the layout "
                        "of bundles exported before the rewrites of `fuse` were the default")
    t.set_defaults(fn=_cmd_make_test_bundle)

    b = sub.add_parser("bench", help="PyTorch eager reference timings at full size (JSON)")
    b.add_argument("--out", help="write the JSON here too")
    b.add_argument("--threads", type=int, default=2)
    b.add_argument("--repeats", type=int, default=3)
    b.add_argument("--seconds", type=float, nargs="+", default=[2.0, 5.0, 15.0])
    b.set_defaults(fn=_cmd_bench)

    q = sub.add_parser("quantize", help="int8 dynamic quantization of a bundle")
    q.add_argument("bundle")
    q.add_argument("out")
    q.add_argument("--bundle-id")
    q.add_argument("--overwrite", action="store_true", help="replace an existing output folder")
    q.add_argument("--no-rewrite", action="store_true",
                   help="quantize the graphs as exported (no attention fusion, convolutions stay Conv)")
    q.add_argument("--keep-conv", action="store_true",
                   help="leave WavLM's convolutions as fp32 Conv (less drift, slower on long utterances)")
    q.add_argument("--per-channel", action="store_true", help="one weight scale per output column instead of per matrix")
    q.set_defaults(fn=_cmd_quantize)

    ev = sub.add_parser("evaluate", help="UAR, macro-F1, accuracy, confusion matrix of a bundle on a dataset "
                                         "manifest (ONNX Runtime; the same JSON as `mer evaluate --format json`)")
    ev.add_argument("bundle", help="model bundle folder")
    ev.add_argument("manifest", help="dataset manifest (.csv, .tsv, .jsonl; docs/training.md)")
    ev.add_argument("--format", choices=["table", "json"], default="table")
    ev.add_argument("--transcripts", choices=["asr", "manifest"], default="asr",
                    help="asr: Whisper transcribes (default); manifest: each row's transcript, no ASR")
    ev.add_argument("--no-speech-gate", action="store_true",
                    help="turn the acoustic speech gate off (as `mer evaluate --no-speech-gate`)")
    ev.add_argument("--threads", type=int, default=2, help="ONNX Runtime intra-op threads (default 2)")
    ev.set_defaults(fn=_cmd_evaluate)

    f = sub.add_parser("fuse", help="fp32 copy of an older bundle with the rewrites `export` now makes itself: attention "
                                    "fused, strided convolutions as MatMul, cross-attention K/V per decoder layer (a "
                                    "bundle that has them is copied unchanged)")
    f.add_argument("bundle")
    f.add_argument("out")
    f.add_argument("--bundle-id", help="default: the source's (its parity fixtures still apply)")
    f.add_argument("--overwrite", action="store_true", help="replace an existing output folder")
    f.set_defaults(fn=_cmd_fuse)

    v = sub.add_parser("verify", help="validate a bundle's manifest and checksums")
    v.add_argument("bundle")
    v.set_defaults(fn=_cmd_verify)

    from .importers import add_import_command  # import-dataset (issue 15)
    add_import_command(sub)

    from .training_cli import add_training_commands  # make-corpus, train, make-demo-bundle (issue 5)
    add_training_commands(sub)
    return p


def main(argv: list[str] | None = None) -> int:
    a = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if a.verbose else logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    try:
        return a.fn(a)
    except (ValueError, OSError) as e:   # BundleError is a ValueError; bad settings, files, folders
        if a.verbose:
            raise
        print(f"mer_train {a.cmd}: {e}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())

"""The headline training test's recipe over several seeds (the spread stands in for other CPUs).

    .venv/bin/python scripts/training_seed_study.py --seeds 0 1 2 3 4 --out /tmp/seed-study

Writes the six-label manifest corpus once (as tests/test_training.py does), trains the test's
settings (``HEADLINE``) with each seed (seed 0 is the test's own run) and prints, per seed, the
held-out speaker's UAR, the epoch the validation speaker chose and the training time, then
min / median / max. Each seed takes about what the test takes (docs/training.md).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "mer-train" / "tests"))

from test_training import HEADLINE, SIX_LABELS, SPLITS  # noqa: E402  (the test's own settings)

from mer_train.corpus import make_manifest_corpus  # noqa: E402
from mer_train.train import TrainConfig, run  # noqa: E402


def main() -> int:
    a = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    a.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2, 3, 4])
    a.add_argument("--out", required=True)
    a.add_argument("--threads", type=int, default=2)
    args = a.parse_args()
    out = Path(args.out)
    manifest = out / "corpus" / "manifest.csv"
    if not manifest.is_file():
        make_manifest_corpus(out / "corpus", SIX_LABELS, progress=False, splits=SPLITS)
    rows = []
    for seed in args.seeds:
        run_dir = out / f"seed{seed}"
        summary = run(TrainConfig(manifest=str(manifest), out=str(run_dir), **{**HEADLINE, "threads": args.threads},
                                  seed=seed))
        done = json.loads((run_dir / "foldsplit" / "metrics.json").read_text())
        rows.append({"seed": seed, "uar": summary["folds"]["split"]["uar"], "chosen_epoch": done["chosen_epoch"],
                     "train_seconds": done["seconds"],
                     "validation_uar": [round(h["validation_uar"], 4) for h in done["history"]]})
        print(json.dumps(rows[-1]), flush=True)
    uars = [r["uar"] for r in rows]
    print(f"UAR over {len(uars)} seeds: min {min(uars):.4f}, median {statistics.median(uars):.4f}, "
          f"max {max(uars):.4f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

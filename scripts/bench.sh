#!/usr/bin/env bash
# Reproduces docs/benchmarks.md: builds a full-size random-weight bundle (wavlm-base, roberta-base,
# whisper-small.en shapes) and its int8 variant under build/bench, times the PyTorch eager reference,
# then the Java SDK on the same shapes, and prints the tables with Java/PyTorch ratios.
# Run it on an otherwise idle machine; it takes about 10 minutes on 2 cores.
set -euo pipefail
cd "$(dirname "$0")/.."
THREADS="${THREADS:-2}"
B=build/bench
bash scripts/setup-python.sh
[ -f "$B/full/bundle.json" ] || .venv/bin/python -m mer_train make-test-bundle --size full --out "$B" --fixtures ""
# the int8 bundle is made again when the quantizer changed since (its rewrites change the graphs)
if [ ! -f "$B/full-int8/bundle.json" ] || [ mer-train/src/mer_train/quantize.py -nt "$B/full-int8/bundle.json" ] \
    || [ mer-train/src/mer_train/fusion.py -nt "$B/full-int8/bundle.json" ]; then
  .venv/bin/python -m mer_train quantize "$B/full" "$B/full-int8" --overwrite
fi
.venv/bin/python -m mer_train bench --threads "$THREADS" --out "$B/torch.json" > /dev/null
./mvnw -q -B -ntp -pl benchmarks -am package -DskipTests
java -Xmx2g -cp "benchmarks/target/classes:benchmarks/target/lib/*" io.mersdk.bench.MerBench \
  --bundle "$B/full" --int8-bundle "$B/full-int8" --torch-json "$B/torch.json" --threads "$THREADS" \
  --markdown "$B/benchmarks-table.md" "$@"

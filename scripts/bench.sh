#!/usr/bin/env bash
# Reproduces docs/benchmarks.md: builds a full-size random-weight bundle (wavlm-base, roberta-base,
# whisper-small.en shapes) and its int8 variant under build/bench, times the PyTorch eager reference,
# then the Java SDK on the same shapes, and prints the tables with Java/PyTorch ratios; cold start and
# peak RSS are measured in 3 fresh JVMs (child processes of the bench) plus one with forced hashing.
# Run it on an otherwise idle machine; it takes about 15 minutes on 2 cores.
set -euo pipefail
cd "$(dirname "$0")/.."
THREADS="${THREADS:-2}"
B=build/bench
bash scripts/setup-python.sh
# Bundles built before testbundles gave the ASR tokenizer Whisper's proportions carry 51k added tokens
# (a 9 MB tokenizer that took DJL 13-22 s to load): rebuild them.
if [ -f "$B/full/asr_tokenizer.json" ] && [ "$(stat -c %s "$B/full/asr_tokenizer.json")" -gt 5000000 ]; then
  rm -rf "$B/full" "$B/full-int8"
fi
# the fp32 bundle is made again when the exporter or the graph rewrites changed since
S=mer-train/src/mer_train
if [ ! -f "$B/full/bundle.json" ] || [ "$S/export.py" -nt "$B/full/bundle.json" ] || [ "$S/encoders.py" -nt "$B/full/bundle.json" ] \
    || [ "$S/fusion.py" -nt "$B/full/bundle.json" ] || [ "$S/quantize.py" -nt "$B/full/bundle.json" ]; then
  rm -rf "$B/full" "$B/full-int8" "$B/full-fused"
  .venv/bin/python -m mer_train make-test-bundle --size full --out "$B" --fixtures ""
fi
# the int8 bundle is made again when the quantizer changed since (its rewrites change the graphs)
if [ ! -f "$B/full-int8/bundle.json" ] || [ mer-train/src/mer_train/quantize.py -nt "$B/full-int8/bundle.json" ] \
    || [ mer-train/src/mer_train/fusion.py -nt "$B/full-int8/bundle.json" ]; then
  .venv/bin/python -m mer_train quantize "$B/full" "$B/full-int8" --overwrite
fi
# the fp32 rewrites alone (fused attention, K/V per decoder layer): int8 is compared with both
if [ ! -f "$B/full-fused/bundle.json" ] || [ mer-train/src/mer_train/quantize.py -nt "$B/full-fused/bundle.json" ] \
    || [ mer-train/src/mer_train/fusion.py -nt "$B/full-fused/bundle.json" ]; then
  .venv/bin/python -m mer_train fuse "$B/full" "$B/full-fused" --overwrite
fi
.venv/bin/python -m mer_train bench --threads "$THREADS" --out "$B/torch.json" > /dev/null
./mvnw -q -B -ntp -pl benchmarks -am package -DskipTests
java -Xmx2g -cp "benchmarks/target/classes:benchmarks/target/lib/*" io.mersdk.bench.MerBench \
  --bundle "$B/full" --int8-bundle "$B/full-int8" --fused-bundle "$B/full-fused" --torch-json "$B/torch.json" --threads "$THREADS" \
  --markdown "$B/benchmarks-table.md" "$@"

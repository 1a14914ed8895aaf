#!/usr/bin/env bash
# Other CPUs on this one (docs/testing.md, "Portability"): runs the comparison-heavy tests under each
# kernel setting that PyTorch, MKL and OpenBLAS let us force, and prints per comparison the largest
# difference seen against its bound. Not part of scripts/test-all.sh (tens of minutes on 2 cores).
#   bash scripts/test-portability.sh                 # every setting, Python and Java
#   PORTABILITY_JAVA=0 bash scripts/test-portability.sh
#   PORTABILITY_PYTEST='mer-train/tests/test_fixtures.py' bash scripts/test-portability.sh
# Output: target/portability/bounds.jsonl (one JSON line per comparison and setting) and a table.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup-python.sh
out=target/portability
rm -rf "$out" && mkdir -p "$out"
report="$PWD/$out/bounds.jsonl"
# the Python tests that compare two computations: re-derived fixtures, ONNX Runtime vs PyTorch per
# graph and end to end, fp32 rewrites and int8 vs fp32, the gate's port
pytests="${PORTABILITY_PYTEST:-mer-train/tests/test_fixtures.py mer-train/tests/test_graph_parity.py mer-train/tests/test_variants.py mer-train/tests/test_quantize.py mer-train/tests/test_export.py mer-train/tests/test_gate.py}"
java_tests="${PORTABILITY_JAVA_TESTS:-ParityTest,FitAsrWindowTest,BatchAndThreadsTest,DemoBundleParityTest,GateFixtureTest}"
settings=(
  "native:"
  "aten-default:ATEN_CPU_CAPABILITY=default"
  "aten-avx2:ATEN_CPU_CAPABILITY=avx2"
  "aten-avx512:ATEN_CPU_CAPABILITY=avx512"
  "mkl-avx2:MKL_ENABLE_INSTRUCTIONS=AVX2"
  "mkl-sse42:MKL_ENABLE_INSTRUCTIONS=SSE4_2"
  "openblas-haswell:OPENBLAS_CORETYPE=Haswell"
)
if [ "${PORTABILITY_JAVA:-1}" = 1 ]; then
  ./mvnw -B -ntp -q -pl mer-sdk-onnx,mer-sdk-demo-bundle,mer-sdk-vad -am test-compile
fi
status=0
for s in "${settings[@]}"; do
  name="${s%%:*}"; env_kv="${s#*:}"
  echo "== $name ${env_kv:-(native kernels)}" >&2
  # shellcheck disable=SC2086
  if ! env $env_kv MER_BOUNDS_REPORT="$report" MER_BOUNDS_SETTING="$name" \
      .venv/bin/python -m pytest -q -p no:cacheprovider $pytests > "$out/pytest-$name.log" 2>&1; then
    echo "   pytest FAILED under $name ($out/pytest-$name.log)" >&2; status=1
  fi
  if [ "${PORTABILITY_JAVA:-1}" = 1 ]; then
    # ONNX Runtime picks its kernels from the CPU itself (MLAS); the settings reach the JVM's
    # environment all the same, and the Java side is compared against fixtures made by PyTorch
    find . -path '*/target/bounds-java.jsonl' -delete
    if ! env $env_kv MER_BOUNDS_SETTING="$name" ./mvnw -B -ntp -q -o -pl mer-sdk-onnx,mer-sdk-demo-bundle,mer-sdk-vad \
        surefire:test -Dtest="$java_tests" -Dsurefire.failIfNoSpecifiedTests=false > "$out/java-$name.log" 2>&1; then
      echo "   Java parity FAILED under $name ($out/java-$name.log)" >&2; status=1
    fi
    find . -path '*/target/bounds-java.jsonl' -not -path "./$out/*" -exec cat {} + >> "$report" 2>/dev/null || true
  fi
done
.venv/bin/python - "$report" <<'PY'
import json, sys
from collections import defaultdict
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
worst = defaultdict(dict)
for r in rows:
    key = (r["suite"], r["test"].split(" ")[0], r["what"])
    cur = worst[key].get(r["setting"])
    if cur is None or r["diff"] / max(r["bound"], 1e-300) > cur[0] / max(cur[1], 1e-300):
        worst[key][r["setting"]] = (r["diff"], r["bound"])
settings = sorted({r["setting"] for r in rows})
print("comparison\t" + "\t".join(settings) + "\t(largest |diff| / its bound)")
for key in sorted(worst):
    cells = [f"{worst[key][s][0]:.2e}/{worst[key][s][1]:.1e}" if s in worst[key] else "-" for s in settings]
    print(" ".join(key) + "\t" + "\t".join(cells))
over = [(k, s) for k, v in worst.items() for s, (d, b) in v.items() if d > b]
print(f"{len(rows)} records, {len(worst)} comparisons, {len(settings)} settings; over their bound: {len(over)}")
PY
exit $status

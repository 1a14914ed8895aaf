#!/usr/bin/env bash
# Mutation testing as a measurement (docs/testing.md, "Mutation testing"): PIT over the modules
# given (default: the SDK's pure-Java modules) and one line per module with its mutation score.
# Not part of scripts/test-all.sh: on a 2-core machine it takes tens of minutes.
#   bash scripts/mutation.sh                      # all five modules
#   bash scripts/mutation.sh mer-sdk-json         # one module
#   PIT_THREADS=1 PIT_MODULE_TIMEOUT=3600 bash scripts/mutation.sh
# Reports: <module>/target/pit-reports/index.html and mutations.xml; summary: target/mutation-summary.tsv
set -euo pipefail
cd "$(dirname "$0")/.."
modules=("$@")
[ ${#modules[@]} -gt 0 ] || modules=(mer-sdk-api mer-sdk-vad mer-sdk-audio mer-sdk-json mer-sdk-dataset)
threads="${PIT_THREADS:-2}"
limit="${PIT_MODULE_TIMEOUT:-2400}"   # seconds per module; a module past it is reported as "timeout"
mkdir -p target
summary=target/mutation-summary.tsv
printf 'module\tkilled\ttotal\tscore\tsurvived\tno_coverage\ttimed_out\n' > "$summary"
for m in "${modules[@]}"; do
  echo "mutation: $m (threads=$threads, limit ${limit}s)" >&2
  rm -rf "$m/target/pit-reports"
  case "$m" in
    mer-sdk-api) target='io.mersdk.*' ;;   # alone in its reactor (it depends on no module)
    *) target="io.mersdk.${m#mer-sdk-}.*" ;;
  esac
  # -am compiles what the module needs from the reactor (never installed); pit.target keeps PIT's
  # mutants and tests to $m's package, so the other reactor modules find nothing to do
  if ! timeout "$limit" ./mvnw -B -ntp -Pmutation -Dpit.threads="$threads" -Dpit.target="$target" \
      -pl "$m" -am test-compile org.pitest:pitest-maven:mutationCoverage > "target/mutation-$m.log" 2>&1; then
    echo "mutation: $m failed or timed out (target/mutation-$m.log)" >&2
  fi
  xml="$m/target/pit-reports/mutations.xml"
  if [ -f "$xml" ]; then
    python3 - "$m" "$xml" >> "$summary" <<'PY'
import sys, xml.etree.ElementTree as ET
m, path = sys.argv[1], sys.argv[2]
st = [e.get("status") for e in ET.parse(path).getroot().iter("mutation")]
killed = sum(s in ("KILLED", "TIMED_OUT", "MEMORY_ERROR", "RUN_ERROR") for s in st)
print(f"{m}\t{killed}\t{len(st)}\t{100.0 * killed / max(1, len(st)):.1f}%\t{st.count('SURVIVED')}\t"
      f"{st.count('NO_COVERAGE')}\t{st.count('TIMED_OUT')}")
PY
  else
    printf '%s\t-\t-\ttimeout-or-failed\t-\t-\t-\n' "$m" >> "$summary"
  fi
done
column -t -s $'\t' "$summary"

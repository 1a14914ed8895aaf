#!/usr/bin/env bash
# The hostile-input run of issue 17: mutated copies of ordinary recordings (bytes flipped, headers
# changed, truncated, spliced; WAV, AIFF, AU, FLAC, MP3; scripts/mutate_audio.py) through the CLI,
# `mer recognize --format jsonl` and `--format csv`. Counts files that hang, lines on stdout that
# are not JSON (or not CSV rows of the header's width), results and error lines.
#
#   bash scripts/hostile_input_run.sh [OUT_DIR] [PER_FORMAT]     # default /tmp/mer-hostile, 72
#
# Needs espeak-ng and sox, and the CLI jar:
#   ./mvnw -B -ntp -q -pl examples -am package -DskipTests
# Bounded in time: the whole run may take 60 s + 2 s per file (a normal run takes about 0.05 s a
# file); if it does not end by then, each file it did not report on is run alone with a 30 s limit
# to name the ones that hang.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
out="${1:-/tmp/mer-hostile}"
per_format="${2:-72}"
jar="$root/examples/target/mer-examples.jar"
[[ -f "$jar" ]] || { echo "build the CLI first: ./mvnw -B -ntp -q -pl examples -am package -DskipTests" >&2; exit 2; }
rm -rf "$out"
python3 "$root/scripts/mutate_audio.py" "$out" --per-format "$per_format"
files=("$out"/mutated/*)
n=${#files[@]}
limit=$((60 + 2 * n))

check() { # format: checks every stdout line; prints the counts
  local format="$1" rc=0 start end
  start=$(date +%s)
  timeout "$limit" java -jar "$jar" recognize --device cpu --format "$format" "$out/mutated" \
    > "$out/stdout.$format" 2> "$out/stderr.$format" || rc=$?
  end=$(date +%s)
  local hung=0
  if [[ $rc -eq 124 ]]; then
    echo "$format: the run did not end within ${limit}s; running each unreported file alone (30 s)"
    for f in "${files[@]}"; do
      if grep -qF "$f" "$out/stdout.$format" "$out/stderr.$format"; then
        continue
      fi
      local r=0
      timeout 30 java -jar "$jar" recognize --device cpu --format "$format" "$f" \
        > /dev/null 2>&1 || r=$?
      if [[ $r -eq 124 ]]; then
        echo "  hangs: $f"
        hung=$((hung + 1))
      fi
    done
  fi
  python3 - "$format" "$out/stdout.$format" "$out/stderr.$format" "$n" "$hung" "$rc" \
    "$((end - start))" <<'EOF'
import csv, io, json, sys
fmt, stdout, stderr, n, hung, rc, secs = sys.argv[1:]
lines = open(stdout, encoding="utf-8", errors="replace").read().splitlines()
bad = []
if fmt == "jsonl":
    for i, line in enumerate(lines):
        try:
            if not isinstance(json.loads(line), dict):
                bad.append((i, line))
        except ValueError:
            bad.append((i, line))
    results = len(lines) - len(bad)
else:
    rows = list(csv.reader(io.StringIO("\n".join(lines))))
    width = len(rows[0]) if rows else 0
    bad = [(i, ",".join(r)) for i, r in enumerate(rows) if len(r) != width]
    results = max(0, len(rows) - 1 - len(bad))
errors = [l for l in open(stderr, encoding="utf-8", errors="replace").read().splitlines()
          if l.startswith("mer: ")]
print(f"{fmt}: files={n} results={results} error_lines={len(errors)} hang={hung} "
      f"non_{fmt}_stdout_lines={len(bad)} exit={rc} wall={secs}s")
for i, l in bad[:5]:
    print(f"  stdout line {i + 1}: {l[:120]}")
EOF
}
check jsonl
check csv

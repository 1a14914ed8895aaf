#!/usr/bin/env bash
# Fuzzes one Jazzer target for a bounded time (coverage-guided, JAZZER_FUZZ=1).
#
#   bash scripts/fuzz.sh TARGET [SECONDS]        # default 300 s
#
# TARGET: probe wav aiff au flac mp3 rawSamples (mer-sdk-audio, DecoderFuzzTest) or manifest
# (mer-sdk-onnx, ManifestParserFuzzTest). The plain build (`./mvnw verify`) runs every target in
# regression mode over its committed corpus only; this script searches for new inputs.
#
# What it leaves:
#   - new inputs that reached new coverage: <module>/.cifuzz-corpus/<class>/<method>/ (not
#     committed; copy the interesting ones into the corpus folder);
#   - an input that failed (a finding): written by Jazzer into the target's committed corpus
#     folder, src/test/resources/.../<Class>Inputs/<method>/crash-<sha1>, so once it is fixed it
#     stays a regression test; the test fails and the log says why;
#   - the log: target/fuzz-TARGET.log; the last line gives the executions ("#N DONE").
set -euo pipefail
target="${1:?usage: scripts/fuzz.sh TARGET [SECONDS]}"
seconds="${2:-300}"
root="$(cd "$(dirname "$0")/.." && pwd)"
case "$target" in
  probe|wav|aiff|au|flac|mp3|rawSamples) module=mer-sdk-audio; test="DecoderFuzzTest#$target" ;;
  manifest) module=mer-sdk-onnx; test="ManifestParserFuzzTest#parse" ;;
  *) echo "unknown target '$target' (probe wav aiff au flac mp3 rawSamples manifest)" >&2; exit 2 ;;
esac
mkdir -p "$root/target"
log="$root/target/fuzz-$target.log"
cd "$root"
# Jazzer reads its options from JAZZER_* variables (they reach surefire's forked JVM):
# JAZZER_MAX_DURATION bounds the run. An input that runs longer than the targets' @Timeout (60 s)
# is a finding (libFuzzer -timeout), and so is one that runs the JVM out of memory.
echo "fuzzing $test for ${seconds}s; log: $log"
set +e
JAZZER_FUZZ=1 JAZZER_MAX_DURATION="${seconds}s" \
  nice -n 5 ./mvnw -B -ntp -o -pl "$module" -am -Dtest="$test" \
  -Dsurefire.failIfNoSpecifiedTests=false test > "$log" 2>&1
rc=$?
set -e
# libFuzzer's status lines ("#123 NEW cov: ...", "Done 4567 runs in 300 second(s)")
grep -E "^#[0-9]+|Done [0-9]+ runs|== Java Exception|FuzzTestFinding|Tests run:" "$log" | tail -5 || true
exit $rc

#!/usr/bin/env bash
# Fuzzes one Jazzer target for a bounded time (coverage-guided, JAZZER_FUZZ=1).
#
#   bash scripts/fuzz.sh TARGET [SECONDS]        # default 300 s
#
# TARGET: probe wav aiff au flac mp3 ogg rawSamples (mer-sdk-audio, DecoderFuzzTest), manifest
# (mer-sdk-onnx, ManifestParserFuzzTest: bundle.json), dataset (mer-sdk-dataset,
# DatasetManifestFuzzTest: the CSV/TSV/JSONL dataset manifest), stream (mer-sdk-server,
# StreamMessagesFuzzTest: the WebSocket messages of /v1/stream) or http (mer-sdk-server,
# RecognizeRequestFuzzTest: HTTP requests). The plain build (`./mvnw verify`) runs every target in
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
  probe|wav|aiff|au|flac|mp3|ogg|rawSamples) module=mer-sdk-audio; test="DecoderFuzzTest#$target" ;;
  manifest) module=mer-sdk-onnx; test="ManifestParserFuzzTest#parse" ;;
  dataset) module=mer-sdk-dataset; test="DatasetManifestFuzzTest#parse" ;;
  stream) module=mer-sdk-server; test="StreamMessagesFuzzTest#messages" ;;
  http) module=mer-sdk-server; test="RecognizeRequestFuzzTest#request" ;;
  *) echo "unknown target '$target' (probe wav aiff au flac mp3 ogg rawSamples manifest dataset stream http)" >&2; exit 2 ;;
esac
mkdir -p "$root/target"
log="$root/target/fuzz-$target.log"
cd "$root"
# Jazzer reads its options from JUnit configuration parameters, which JUnit also takes from system
# properties (surefire hands -D user properties to the forked JVM): jazzer.internal.arg.N are
# libFuzzer arguments (0 is argv[0]), appended after Jazzer's own, so -max_total_time overrides
# the @FuzzTest's maxDuration (jazzer-junit 0.24.0 reads no other override), and an input that runs
# longer than 30 s is a finding (-timeout); so is one that runs the JVM out of memory. Inputs are
# mutated up to 16 KiB (-max_len), which keeps a run fast (the seeds are 2-15 kB).
echo "fuzzing $test for ${seconds}s; log: $log"
set +e
JAZZER_FUZZ=1 nice -n 5 ./mvnw -B -ntp -o -pl "$module" -am -Dtest="$test" \
  -Dsurefire.failIfNoSpecifiedTests=false -Djazzer.internal.arg.0=fuzz \
  -Djazzer.internal.arg.1=-timeout=30 -Djazzer.internal.arg.2=-max_total_time="$seconds" \
  -Djazzer.internal.arg.3=-max_len=16384 \
  test > "$log" 2>&1
rc=$?
set -e
# libFuzzer's status lines ("#123 NEW cov: ...", "Done 4567 runs in 300 second(s)")
grep -E "^#[0-9]+|Done [0-9]+ runs|== Java Exception|FuzzTestFinding|Tests run:" "$log" | tail -5 || true
exit $rc

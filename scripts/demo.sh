#!/usr/bin/env bash
# Recognises the example recordings in examples/recordings with the demo bundle embedded in the
# examples jar (io.mersdk:mer-sdk-demo-bundle) and prints one row per recording.
# Needs only a JDK 17+: the Maven wrapper fetches Maven and the dependencies.
# Extra arguments go to `mer recognize`, e.g. `scripts/demo.sh --format jsonl` or `--timeline`.
set -euo pipefail
cd "$(dirname "$0")/.."

RECORDINGS=examples/recordings
if [ ! -d "$RECORDINGS" ]; then
  echo "demo: $RECORDINGS is missing: the example recordings are not in this checkout yet" >&2
  exit 1
fi
if ! command -v java >/dev/null; then
  echo "demo: no 'java' on the PATH; install a JDK 17 or newer" >&2
  exit 1
fi

./mvnw -q -B -ntp -pl examples -am package -DskipTests
exec java -jar examples/target/mer-examples.jar recognize "$@" "$RECORDINGS"

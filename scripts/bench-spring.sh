#!/usr/bin/env bash
# The Spring Boot figures of docs/benchmarks.md: start-up of the example application (cold JVM, the
# demo bundle, and the full-size bundle of scripts/bench.sh when build/bench/full exists), and the
# per-call cost of the starter's meters and observation (MetricsOverheadBench, fake backend).
# Not a test; run it on an otherwise idle machine. RUNS=3 by default; FULL=0 skips the full-size bundle.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS="${RUNS:-3}"
JAR=examples/spring-boot-app/target/mer-spring-boot-app.jar
CP=mer-sdk-spring-boot-starter/target/bench-classpath.txt
./mvnw -q -B -ntp -pl examples/spring-boot-app,mer-sdk-spring-boot-starter -am package -DskipTests
./mvnw -q -B -ntp -pl mer-sdk-spring-boot-starter -am test-compile dependency:build-classpath \
  -Dmdep.includeScope=test -Dmdep.outputFile="$PWD/$CP"

between() { # log, first line pattern, second line pattern: milliseconds between their timestamps
  local a b
  a=$(grep -m1 "$2" "$1" | grep -o '^[0-9T:.-]*Z' || true)
  b=$(grep -m1 "$3" "$1" | grep -o '^[0-9T:.-]*Z' || true)
  [ -n "$a" ] && [ -n "$b" ] && echo $(( ($(date -d "$b" +%s%N) - $(date -d "$a" +%s%N)) / 1000000 )) || echo "?"
}

start_once() { # label, extra args: one cold start, then one upload
  local label=$1; shift
  local log; log=$(mktemp)
  local t0; t0=$(date +%s%N)
  java -jar "$JAR" --server.port=0 "$@" > "$log" 2>&1 &
  local pid=$!
  for _ in $(seq 1 3000); do
    grep -q "Started MerSpringBootApp\|APPLICATION FAILED" "$log" && break
    sleep 0.1
  done
  local t1; t1=$(date +%s%N)
  local port; port=$(grep -o "Tomcat started on port [0-9]*" "$log" | grep -o "[0-9]*$" || true)
  local rss; rss=$(ps -o rss= -p "$pid")
  local c0; c0=$(date +%s%N)
  local code; code=$(curl -s -o /dev/null -w "%{http_code}" \
    -F file=@examples/recordings/happy-Ses05F_impro01_F001.wav "http://127.0.0.1:$port/emotion" || true)
  local c1; c1=$(date +%s%N)
  echo "$label: launch to Started $(( (t1 - t0) / 1000000 )) ms" \
    "($(grep -o 'Started MerSpringBootApp in [0-9.]* seconds' "$log" || echo 'did not start'));" \
    "web context to recogniser ready $(between "$log" 'Root WebApplicationContext: initialization completed' 'emotion recogniser ready') ms;" \
    "first upload HTTP $code in $(( (c1 - c0) / 1000000 )) ms; RSS $(( rss / 1024 )) MiB"
  kill "$pid"; wait "$pid" 2>/dev/null || true
  rm -f "$log"
}

uptime
for i in $(seq 1 "$RUNS"); do
  start_once "demo bundle, run $i"
  if [ -f build/bench/full/bundle.json ] && [ "${FULL:-1}" = 1 ]; then
    start_once "full-size bundle, run $i" --mer.bundle=build/bench/full
  fi
done
java -cp "mer-sdk-spring-boot-starter/target/test-classes:mer-sdk-spring-boot-starter/target/classes:$(cat "$CP")" \
  io.mersdk.spring.MetricsOverheadBench

#!/usr/bin/env bash
# Regenerates THIRD-PARTY.txt (the licences of the published modules' runtime dependencies) from
# the dependency tree, after a dependency was added, removed or upgraded: builds the published
# modules, whose license-maven-plugin writes one list each (and fails on a licence off the
# allow-list, parent pom.xml), and writes their union, as release-check's ThirdPartyNoticeTest
# computes it. Read the diff, commit it.
set -euo pipefail
cd "$(dirname "$0")/.."
./mvnw -B -ntp -q -pl release-check -am package -DskipTests -Dinvoker.skip \
  -Dmaven.javadoc.skip -Dmaven.source.skip
lists=()
for pom in */pom.xml; do
  module="${pom%/pom.xml}"
  grep -q '<packaging>pom</packaging>' "$pom" && continue
  grep -q '<mer.publish.skip>true</mer.publish.skip>' "$pom" && continue
  lists+=("$module/target/generated-sources/license/THIRD-PARTY.txt")
done
entries="$(cat "${lists[@]}" | grep '^     (' | LC_ALL=C sort -u)"
{
  echo "Third-party libraries that the published mer-sdk modules depend on at run time, with their"
  echo "licences as their POMs name them (SPDX identifiers where known): the union of the lists that"
  echo "license-maven-plugin writes into each module's jar. Regenerate: bash scripts/update-third-party.sh"
  echo "(from the modules: ${#lists[@]}; checked by release-check's ThirdPartyNoticeTest)."
  echo
  echo "$entries"
} > THIRD-PARTY.txt
echo "THIRD-PARTY.txt: $(echo "$entries" | wc -l) libraries from ${#lists[@]} modules"
git --no-pager diff --stat -- THIRD-PARTY.txt || true

#!/usr/bin/env bash
# Runs every test of the project from a fresh clone: the Python reference/exporter tests (pytest)
# and the Java SDK tests (Maven). Installs what it needs: espeak-ng, sox and chromium (Debian
# packages, when run as root; chromium drives mer-sdk-server's real-browser tests), a virtualenv with mer-train's pinned dependencies, and Maven through the wrapper.
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
for tool in espeak-ng sox; do command -v "$tool" >/dev/null || missing+=("$tool"); done
# the audio tests write MP3 with sox: its MP3 handler is a separate package (libsox-fmt-mp3)
if command -v sox >/dev/null; then
  formats="$(sox -h 2>/dev/null | grep "AUDIO FILE FORMATS" || true)"
  [[ "$formats" == *" mp3"* ]] || missing+=("sox-mp3")
fi
command -v chromium >/dev/null || command -v chromium-browser >/dev/null || missing+=("chromium")
# the Ogg Opus tests encode with opusenc and take opusdec's output as the reference
command -v opusenc >/dev/null && command -v opusdec >/dev/null || missing+=("opus-tools")
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -q && apt-get install -y -q espeak-ng sox libsox-fmt-all chromium opus-tools
  else
    echo "test-all: please install ${missing[*]} (Debian: apt-get install espeak-ng sox libsox-fmt-all chromium opus-tools)" >&2
    exit 1
  fi
fi

bash scripts/setup-python.sh
.venv/bin/python -m pytest -q mer-train/tests
./mvnw -B -ntp verify

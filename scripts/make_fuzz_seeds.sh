#!/usr/bin/env bash
# Writes the seed recordings of the Jazzer targets in mer-sdk-audio (DecoderFuzzTest): one short
# espeak-ng utterance, cut to 0.3 s and converted by sox to every container and coding we decode,
# at low rates so the seeds stay small (fuzzing mutates small inputs faster). The committed
# corpus holds these seeds plus every input that ever failed (see the README in the corpus
# folder); rerun this only to refresh the seeds.
#
#   bash scripts/make_fuzz_seeds.sh            # writes into the corpus folders below
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
corpus="$root/mer-sdk-audio/src/test/resources/io/mersdk/audio/fuzz/DecoderFuzzTestInputs"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

espeak-ng -w "$tmp/speech.wav" "Yes, fine."
sox "$tmp/speech.wav" "$tmp/cut.wav" trim 0.1 0.3

mk() { # target name sox-output-options...
  local target="$1" name="$2"
  shift 2
  mkdir -p "$corpus/$target"
  sox "$tmp/cut.wav" "$@" "$corpus/$target/seed-$name"
}
mk wav pcm16-8k.wav -r 8000 -b 16
mk wav pcm8-8k.wav -r 8000 -b 8 -e unsigned-integer
mk wav pcm24-stereo-8k.wav -r 8000 -b 24 -c 2
mk wav float32-8k.wav -r 8000 -e floating-point -b 32
mk wav mulaw-8k.wav -r 8000 -e mu-law
mk wav alaw-8k.wav -r 8000 -e a-law
mk aiff pcm16-8k.aiff -r 8000 -b 16
mk aiff pcm24-stereo-8k.aiff -r 8000 -b 24 -c 2
mk au pcm16-8k.au -r 8000 -b 16
mk au mulaw-8k.au -r 8000 -e mu-law
mk au float32-8k.au -r 8000 -e floating-point -b 32
mk flac 16-8k.flac -r 8000 -b 16
mk flac 24-stereo-8k.flac -r 8000 -b 24 -c 2
mk flac 16-stereo-22k.flac -r 22050 -b 16 -c 2
mk mp3 mpeg25-8k.mp3 -r 8000 -C 32
mk mp3 mpeg2-22k.mp3 -r 22050 -C 64
mk mp3 mpeg1-44k-stereo.mp3 -r 44100 -c 2 -C 128
mk ogg vorbis-8k.ogg -r 8000 -C 0
mk ogg vorbis-stereo-22k.ogg -r 22050 -c 2 -C 0
# Ogg Opus: sox does not write it; opusenc (opus-tools) does
sox "$tmp/cut.wav" -r 16000 -c 2 "$tmp/cut-stereo.wav"
opusenc --quiet --bitrate 16 "$tmp/cut.wav" "$corpus/ogg/seed-opus-mono.opus"
opusenc --quiet --bitrate 24 "$tmp/cut-stereo.wav" "$corpus/ogg/seed-opus-stereo.opus"
# The probe sees every container.
mkdir -p "$corpus/probe"
for t in wav aiff au flac mp3 ogg; do
  for f in "$corpus/$t"/seed-*; do
    cp "$f" "$corpus/probe/"
  done
done
echo "seeds written under $corpus"

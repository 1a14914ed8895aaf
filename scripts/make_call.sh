#!/usr/bin/env bash
# Makes a two-party "call" for trying `mer ... --channels split`: espeak-ng speech with a calm male
# voice on the left channel (agent) and a higher, faster, louder female voice on the right
# (customer), turns taking, one overlap per exchange and pauses, merged by `sox -M` into one
# 16-bit stereo WAV. Needs espeak-ng and sox.
#   scripts/make_call.sh OUT.wav [RATE=8000] [MINUTES=0 (one exchange, ~20 s)]
# With MINUTES > 0 the exchange repeats until the call is that long (the benchmark's 10-minute call).
set -euo pipefail
OUT=${1:?usage: make_call.sh OUT.wav [RATE] [MINUTES]}
RATE=${2:-8000}
MINUTES=${3:-0}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

say() { # say FILE VOICE-OPTIONS... TEXT
  local f=$1; shift
  local text=${*: -1}
  espeak-ng "${@:1:$#-1}" -w "$TMP/raw.wav" "$text"
  sox "$TMP/raw.wav" -r "$RATE" -c 1 -b 16 "$f"
}
agent() { say "$1" -v en+m3 -p 40 -s 160 "$2"; }
customer() { say "$1" -v en+f3 -p 80 -s 200 -a 140 "$2"; }
silence() { sox -n -r "$RATE" -c 1 -b 16 "$1" trim 0 "$2"; }

# One exchange; each channel is its lines placed with silence between them.
agent "$TMP/a1.wav" "Good morning, thank you for calling. How can I help you today?"
customer "$TMP/c1.wav" "My internet has been down for three days and nobody called me back!"
agent "$TMP/a2.wav" "I am so sorry to hear that. Let me check your line right now."
customer "$TMP/c2.wav" "Fine. Thank you very much."
len() { soxi -D "$1"; }
A1=$(len "$TMP/a1.wav"); C1=$(len "$TMP/c1.wav"); A2=$(len "$TMP/a2.wav")
# agent: a1, then (the customer's complaint, less 1.2 s: the overlap), a2, then silence
silence "$TMP/lead.wav" 0.5
silence "$TMP/agap.wav" "$(echo "0.7 + $C1 - 1.2" | bc -l)"
silence "$TMP/atail.wav" 6
sox "$TMP/lead.wav" "$TMP/a1.wav" "$TMP/agap.wav" "$TMP/a2.wav" "$TMP/atail.wav" "$TMP/agent.wav"
# customer: waits for a1 and 0.7 s, complains, waits for a2 and a 3.5 s pause, thanks
silence "$TMP/cgap1.wav" "$(echo "0.5 + $A1 + 0.7" | bc -l)"
silence "$TMP/cgap2.wav" "$(echo "$A2 - 1.2 + 3.5" | bc -l)"
sox "$TMP/cgap1.wav" "$TMP/c1.wav" "$TMP/cgap2.wav" "$TMP/c2.wav" "$TMP/customer.wav"
# both sides as long as the longer one
LA=$(len "$TMP/agent.wav"); LC=$(len "$TMP/customer.wav")
L=$(echo "if ($LA > $LC) $LA else $LC" | bc -l)
sox "$TMP/agent.wav" "$TMP/agent-p.wav" pad 0 "$(echo "$L - $LA" | bc -l)"
sox "$TMP/customer.wav" "$TMP/customer-p.wav" pad 0 "$(echo "$L - $LC" | bc -l)"
if [ "$MINUTES" != 0 ]; then
  N=$(echo "($MINUTES * 60 + $L - 1) / $L" | bc)
  for side in agent customer; do
    files=(); for _ in $(seq "$N"); do files+=("$TMP/$side-p.wav"); done
    sox "${files[@]}" "$TMP/$side-r.wav"
    sox "$TMP/$side-r.wav" "$TMP/$side-p.wav" trim 0 "$(echo "$MINUTES * 60" | bc)"
  done
fi
sox -M "$TMP/agent-p.wav" "$TMP/customer-p.wav" -b 16 "$OUT"
echo "make_call: $OUT ($(soxi -D "$OUT") s, $RATE Hz, 2 channels: agent left, customer right)"

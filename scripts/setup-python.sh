#!/usr/bin/env bash
# Creates .venv with mer-train and its pinned dependencies. `--retries 0`: the public index is
# unreachable on our build machines and pip would otherwise retry it for minutes.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
if ! .venv/bin/python -c "import mer_train, torch, transformers, onnxruntime, pytest" 2>/dev/null; then
  .venv/bin/pip install -q --retries 0 -e 'mer-train[test]'
fi

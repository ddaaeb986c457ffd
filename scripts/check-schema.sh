#!/usr/bin/env bash
# Fails when src/format/generated/ is not what flatc makes from schemas/wpal.fbs today.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v flatc >/dev/null || { echo "check-schema: flatc not found (Debian: apt-get install flatbuffers-compiler)"; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
flatc --ts --ts-flat-files -o "$tmp" schemas/wpal.fbs
if ! diff -u src/format/generated/wpal_generated.ts "$tmp/wpal_generated.ts"; then
  echo "check-schema: src/format/generated is stale; run 'npm run gen:schema' and commit the result"
  exit 1
fi
echo "check-schema: generated TypeScript matches schemas/wpal.fbs"

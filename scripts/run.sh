#!/usr/bin/env bash
# Quick start: build the runner and run the demo flow (testdata/demo.yaml).
# Send it an event from another terminal:
#   curl -X POST http://127.0.0.1:8080/hooks/orders -H 'Content-Type: application/json' -d '{"id": 1}'
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
mkdir -p build/bin
CGO_ENABLED=0 go build -o build/bin/sluice ./cmd/sluice
exec build/bin/sluice run testdata/demo.yaml "$@"

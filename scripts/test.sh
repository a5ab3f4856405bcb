#!/usr/bin/env bash
# Every test of Sluice, as CI runs it: format and vet checks, the pure-Go
# build of the runner, all Go tests with the race detector, then the
# designer's frontend, end-to-end and desktop tests.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh

echo "== gofmt, go vet"
unformatted=$(gofmt -l $(git ls-files '*.go'))
if [ -n "$unformatted" ]; then
  echo "gofmt would change: $unformatted" >&2
  exit 1
fi
go vet ./...

echo "== the runner builds without cgo"
CGO_ENABLED=0 go build -o /dev/null ./cmd/sluice
if go list -deps ./engine/... | grep -E 'wailsapp|sluice/app$'; then
  echo "engine/ must not import the UI" >&2
  exit 1
fi

echo "== go test -race"
go test -race -count=1 -timeout 20m ./...

if [ -x scripts/test-frontend.sh ]; then
  echo "== frontend and end-to-end"
  scripts/test-frontend.sh
fi
if [ -x scripts/test-desktop.sh ]; then
  echo "== desktop smoke test"
  scripts/test-desktop.sh
fi
echo "all tests passed"

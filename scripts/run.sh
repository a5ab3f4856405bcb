#!/usr/bin/env bash
# Quick start: build and open the Sluice designer (the desktop app). On a
# machine without a display it serves the same designer to a browser
# instead (sluice serve, http://127.0.0.1:7878). With --demo it runs the
# headless runner on the demo flow (testdata/demo.yaml) instead.
# Installs what it needs on a fresh Debian 12 machine (apt packages only if
# missing, npm packages, Go modules).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
mkdir -p build/bin

if [ "${1:-}" = "--demo" ]; then
  shift
  CGO_ENABLED=0 go build -o build/bin/sluice ./cmd/sluice
  echo "run: the demo flow; send it an event with"
  echo "  curl -X POST http://127.0.0.1:8080/hooks/orders -H 'Content-Type: application/json' -d '{\"id\": 1}'"
  exec build/bin/sluice run testdata/demo.yaml "$@"
fi

# The frontend, built once (again when its sources changed).
if [ ! -f frontend/dist/index.html ] || [ -n "$(find frontend/src frontend/index.html frontend/package.json -newer frontend/dist/index.html -print -quit)" ]; then
  (cd frontend && npm ci --no-audit --no-fund && npx vite build)
fi

if [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]; then
  need_apt libgtk-3-dev libwebkit2gtk-4.0-dev pkg-config build-essential
  go build -tags desktop,production -ldflags "-w -s" -o build/bin/sluice-desktop .
  exec build/bin/sluice-desktop "$@"
fi
echo "run: no display here; serving the designer to a browser instead"
CGO_ENABLED=0 go build -o build/bin/sluice ./cmd/sluice
exec build/bin/sluice serve "$@"

#!/usr/bin/env bash
# The designer's frontend checks: strict type check, unit tests (vitest),
# production build, then the end-to-end test in Debian's chromium (through
# npm playwright-core; no browser is downloaded) against `sluice serve`
# with the real engine. Screenshots land in frontend/e2e/artifacts/.
# Installs what it needs on a fresh Debian 12 machine (apt only if missing).
set -euo pipefail
cd "$(dirname "$0")/.."

source scripts/lib.sh

if ! command -v node >/dev/null || [ "$(node -p 'process.versions.node.split(".")[0]')" -lt 20 ]; then
  echo "test-frontend: Node.js 20 or newer is needed (found: $(node -v 2>/dev/null || echo none))" >&2
  exit 1
fi
need_apt chromium

(
  cd frontend
  npm ci --no-audit --no-fund
  npx tsc --noEmit
  npx vitest run
  npx vite build
)

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
go build -o "$work/sluice" ./cmd/sluice
(
  cd frontend
  SLUICE_BIN="$work/sluice" node --test e2e/designer.e2e.mjs
)
echo "test-frontend: screenshots in frontend/e2e/artifacts/"

#!/usr/bin/env bash
# The designer's frontend checks: strict type check, unit tests (vitest),
# production build, then the end-to-end test in Debian's chromium (through
# npm playwright-core; no browser is downloaded) against `sluice serve`
# with the real engine. Screenshots land in frontend/e2e/artifacts/.
# Installs what it needs on a fresh Debian 12 machine (apt only if missing).
set -euo pipefail
cd "$(dirname "$0")/.."

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; fi
need_apt() {
  local missing=()
  for p in "$@"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
  if [ ${#missing[@]} -gt 0 ]; then
    echo "test-frontend: installing ${missing[*]}"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
  fi
}

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

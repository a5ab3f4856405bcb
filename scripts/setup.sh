#!/usr/bin/env bash
# Shared set-up for the run and test commands on a fresh Debian 12 machine:
# the C toolchain (for `go test -race`), Node.js for the designer, and the Go
# modules. Installs only what is missing; safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

source scripts/lib.sh

if ! command -v go >/dev/null 2>&1 && [ -x /usr/local/go/bin/go ]; then
  export PATH="/usr/local/go/bin:$PATH"
fi
if ! command -v go >/dev/null 2>&1; then
  echo "setup: Go is not installed; Sluice needs Go $(sed -n 's/^go //p' go.mod) or newer in /usr/local/go (see go.dev/doc/install)" >&2
  exit 1
fi

need_apt gcc libc6-dev git ca-certificates
if ! command -v npm >/dev/null 2>&1; then
  need_apt nodejs npm
fi

go mod download

#!/usr/bin/env bash
# Smoke test of the real desktop app: build it (Wails, GTK, WebKitGTK),
# start it under Xvfb, find its window with xdotool, double-click the first
# kind of the palette and drag another onto the canvas, and read back
# through the window title that each went through the frontend to Go and
# back (Go sets the title; it carries the node count and the problem count
# of Go's validation). A screenshot lands
# in frontend/e2e/artifacts/desktop.png.
# Installs what it needs on a fresh Debian 12 machine (apt only if missing).
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "${1:-}" = "--inside-xvfb" ]; then
  bin=$2 work=$3
  export XDG_DATA_HOME="$work/data" XDG_CONFIG_HOME="$work/config"
  "$bin" >"$work/app.log" 2>&1 &
  pid=$!
  fail() {
    echo "test-desktop: $*" >&2
    sed 's/^/  app: /' "$work/app.log" >&2 || true
    kill "$pid" 2>/dev/null || true
    echo "desktop smoke: 0 passed, 1 failed"
    exit 1
  }
  # --onlyvisible: a search by name alone also finds a hidden 10x10 GTK window.
  win=$(timeout 60 xdotool search --sync --onlyvisible --pid "$pid" | head -1) || fail "no window appeared"
  title() { xdotool getwindowname "$win"; }
  wait_title() {
    for _ in $(seq 1 100); do
      case "$(title)" in *"$1"*) return 0 ;; esac
      sleep 0.2
    done
    fail "window title is \"$(title)\", expected it to contain \"$1\""
  }
  wait_title "0 nodes"
  wait_title "problem" # Go's validation: an empty flow has a problem
  echo "test-desktop: window $win is up: $(title)"
  # The first palette item (a source) sits at about (110, 150).
  xdotool mousemove --window "$win" 110 150 click --repeat 2 --delay 120 1
  wait_title "1 node"
  wait_title "problem"
  echo "test-desktop: after the click: $(title)"
  # Drag the third palette kind onto the canvas (HTML5 drag and drop in
  # WebKitGTK), moving in steps.
  xdotool mousemove --window "$win" 110 290 mousedown 1
  for x in 120 150 200 260 320 380 440 500; do
    xdotool mousemove --window "$win" "$x" 300
    sleep 0.05
  done
  sleep 0.2
  xdotool mouseup 1
  wait_title "2 nodes"
  echo "test-desktop: after the drag: $(title)"
  sleep 1
  mkdir -p frontend/e2e/artifacts
  import -window root frontend/e2e/artifacts/desktop.png || true
  kill -TERM "$pid"
  for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
  if kill -0 "$pid" 2>/dev/null; then kill -KILL "$pid"; fail "the app did not exit on SIGTERM"; fi
  echo "desktop smoke: 1 passed, 0 failed"
  exit 0
fi

source scripts/lib.sh
need_apt libgtk-3-dev libwebkit2gtk-4.0-dev pkg-config build-essential xvfb xauth xdotool imagemagick

if [ ! -f frontend/dist/index.html ]; then
  (cd frontend && npm ci --no-audit --no-fund && npx vite build)
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
go build -tags desktop,production -ldflags "-w -s" -o "$work/sluice-desktop" .
xvfb-run -a -s "-screen 0 1280x800x24" "$0" --inside-xvfb "$work/sluice-desktop" "$work"

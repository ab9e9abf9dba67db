#!/usr/bin/env bash
# The demo: generate an example Lambda monorepo and run gocache on it.
# Run through `make demo` (which installs what is missing and builds first).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/.tools/bin:$PATH"
export GOTOOLCHAIN=local GOPROXY=off GOFLAGS=
export GOCACHE="$PWD/.tools/go-build-cache" GOPATH="$PWD/.tools/gopath"
export GOCACHE_DIR="$PWD/.tools/demo-cache"
GOCACHE_BIN="$PWD/.build/debug/gocache"
DEMO="$PWD/.tools/demo-repo"
rm -rf "$DEMO"

step() { printf '\n\033[1m$ %s\033[0m\n' "$*" >&2; }

step gocache example --out "$DEMO" --targets 12
"$GOCACHE_BIN" example --out "$DEMO" --targets 12 --shared 10 --seed 7 >/dev/null
cd "$DEMO"
git log --oneline | head -10 >&2

step gocache targets
"$GOCACHE_BIN" targets

first=$("$GOCACHE_BIN" targets | head -1)
step gocache graph --target "$first" --format json "| head -40"
"$GOCACHE_BIN" graph --target "$first" --format json | head -40

step gocache graph --format dot "| head -15"
"$GOCACHE_BIN" graph --format dot | head -15

step gocache targets --rev HEAD~1 --goarch arm64 --format json "| head -20"
"$GOCACHE_BIN" targets --rev HEAD~1 --goarch arm64 --format json | head -20

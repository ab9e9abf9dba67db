#!/usr/bin/env bash
# The demo: generate an example Lambda monorepo and run gocache on it.
# Run through `make demo` (which installs what is missing and builds first).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/.tools/bin:$PATH"
export GOTOOLCHAIN=local GOPROXY=off GOFLAGS=
export GOCACHE="$PWD/.tools/go-build-cache" GOPATH="$PWD/.tools/gopath"
export GOCACHE_DIR="$PWD/.tools/demo-cache"
gocache() { "$ROOT/.build/debug/gocache" "$@"; }
ROOT="$PWD"
DEMO="$PWD/.tools/demo-repo"
rm -rf "$DEMO" "$GOCACHE_DIR"

step() { printf '\n\033[1m$ %s\033[0m\n' "$*" >&2; }

step gocache example --out .tools/demo-repo --targets 12
gocache example --out "$DEMO" --targets 12 --shared 10 --seed 7 >/dev/null
cd "$DEMO"
git log --oneline | head -10 >&2

step gocache targets
gocache targets

first=$(gocache targets | grep functions/ | head -1)
step gocache graph --target "$first" --format dot
gocache graph --target "$first" --format dot | head -20

step "gocache affected --base HEAD~1   # last commit: $(git log -1 --format=%s)"
gocache affected --base HEAD~1
step gocache why "$first" --base HEAD~3
gocache why "$first" --base HEAD~3

step gocache hash
gocache hash | head -5

step "gocache build   # first build: every target is a miss"
gocache build --out "$DEMO/dist" >/dev/null
step "gocache build   # nothing changed: every target is a hit"
gocache build --out "$DEMO/dist" >/dev/null
python3 -c "import json,sys; m=json.load(open('$DEMO/dist/manifest.json')); t=m['targets'][0]; print(json.dumps({k: t[k] for k in ('dir','status','zip','codeSha256')}, indent=2))"

step "change a shared package, then: gocache affected --base HEAD; gocache build --base HEAD"
shared=$(find internal pkg -name '*.go' ! -name '*_test.go' 2>/dev/null | sort | head -1)
printf '\n// demo edit\nvar demoEdit = 1\n' >> "$shared"
echo "edited $shared" >&2
gocache affected --base HEAD
gocache build --base HEAD --out "$DEMO/dist" >/dev/null
git checkout -q -- "$shared"

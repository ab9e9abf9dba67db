#!/usr/bin/env bash
# Benchmark: load the large generated repository's package graph with gocache and with
# `go list -e -deps -json ./...` in the same run, and print the ratio.
# Usage: scripts/bench-graph.sh [REPETITIONS]   (after `make build`)
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/.tools/bin:$PATH"
export GOTOOLCHAIN=local GOPROXY=off GOFLAGS=
export GOCACHE="$PWD/.tools/go-build-cache" GOPATH="$PWD/.tools/gopath"
reps=${1:-5}
bin="$PWD/.build/release/gocache"
[ -x "$bin" ] || bin="$PWD/.build/debug/gocache"
repo="$PWD/.tools/bench-large"
if [ ! -d "$repo/.git" ]; then
    rm -rf "$repo"
    "$bin" example --out "$repo" --preset large --seed 42 >/dev/null
fi
cd "$repo"
# Every module of the repository is its own `go list` (a nested module is not in ./...).
units=$(find . -name go.mod -not -path '*/vendor/*' -not -path '*/testdata/*' -exec dirname {} \; | sort)
golist_all() { for u in $units; do (cd "$u" && go list -e -deps -json ./...); done; }
pkgs=$(for u in $units; do (cd "$u" && go list -e ./... 2>/dev/null); done | wc -l)
targets=$("$bin" targets | wc -l)
files=$(git ls-files '*.go' | wc -l)
echo "repository: $targets targets, $pkgs packages (go list ./...), $files Go files" >&2

time_ms() { # runs "$@" once, prints milliseconds
    local s e
    s=$(date +%s%N); "$@" >/dev/null 2>&1; e=$(date +%s%N)
    echo $(( (e - s) / 1000000 ))
}
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

# Warm both: go list's own caches, the page cache, gocache's memo (in its own cache dir).
memo=$(mktemp -d); trap 'rm -rf "$memo"' EXIT
golist_all >/dev/null 2>&1
"$bin" graph --format json --cache-dir "$memo/warm" >/dev/null
cold_graph() { rm -rf "$memo/cold"; "$bin" graph --format json --cache-dir "$memo/cold"; }
g=(); c=(); l=()
for _ in $(seq "$reps"); do
    c+=("$(time_ms cold_graph)")
    g+=("$(time_ms "$bin" graph --format json --cache-dir "$memo/warm")")
    l+=("$(time_ms golist_all)")
done
cm=$(printf '%s\n' "${c[@]}" | median)
gm=$(printf '%s\n' "${g[@]}" | median)
lm=$(printf '%s\n' "${l[@]}" | median)
echo "gocache graph --format json, cold (no memo): median ${cm} ms (runs: ${c[*]})"
echo "gocache graph --format json, warm: median ${gm} ms (runs: ${g[*]})"
echo "go list -e -deps -json ./... (each module): median ${lm} ms (runs: ${l[*]})"
awk -v a="$lm" -v b="$gm" -v c="$cm" 'BEGIN { printf "ratio go list / gocache: cold %.1fx, warm %.1fx\n", a / (c > 0 ? c : 1), a / (b > 0 ? b : 1) }'

#!/usr/bin/env bash
# Benchmark on a real repository, same run: `gocache affected --base HEAD~1` cold (empty
# cache directory, no memo), warm (the same command again: answered by the run memo) and in
# a fresh clone (CI's case: a new clone of HEAD at one path, run right after the checkout,
# with the cache directory a clone of HEAD~1 at that path left by the same command), against
# a warm `go list -e -deps -json ./...` of HEAD.
# Usage: scripts/bench-affected-real.sh REPO [REPETITIONS]   (after `swift build -c release`)
#   REPO a git repository path or URL; cloned into a temporary directory, not kept.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
repo=${1:?usage: scripts/bench-affected-real.sh REPO [REPETITIONS]}
reps=${2:-5}
export PATH="$here/.tools/bin:$PATH" GOTOOLCHAIN=local GOPROXY=off GOFLAGS= GOWORK=off
export GOCACHE="$here/.tools/go-build-cache" GOPATH="$here/.tools/gopath"
bin="$here/.build/release/gocache"; [ -x "$bin" ] || bin="$here/.build/debug/gocache"
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
git clone --quiet "$repo" "$work/repo"
cd "$work/repo"
# Files just checked out are within gocache's racy-clean window (a second): let them settle,
# as they have in CI by the time a second command runs.
sleep 2.1
ms() { local s e; s=$(date +%s%N); "$@" >/dev/null 2>&1; e=$(date +%s%N); echo $(( (e - s) / 1000000 )); }
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
cold() { rm -rf "$work/cache"; "$bin" affected --base HEAD~1 --cache-dir "$work/cache"; }
warm() { "$bin" affected --base HEAD~1 --cache-dir "$work/cache"; }
golist() { go list -e -deps -json ./...; }
golist >/dev/null 2>&1; warm >/dev/null 2>&1
# The fresh clone: the cache directory of a HEAD~1 clone's job, copied before each run (untimed).
git clone --quiet "$work/repo" "$work/clone"
(cd "$work/clone" && git checkout --quiet --detach HEAD~1 && "$bin" affected --base HEAD~1 --cache-dir "$work/primed" >/dev/null 2>&1)
fresh_setup() {
  rm -rf "$work/clone" "$work/fresh-cache"
  git clone --quiet "$work/repo" "$work/clone"
  cp -a "$work/primed" "$work/fresh-cache"
}
fresh() { (cd "$work/clone" && "$bin" affected --base HEAD~1 --cache-dir "$work/fresh-cache"); }
c=(); w=(); l=(); f=()
for _ in $(seq "$reps"); do
  c+=("$(ms cold)"); w+=("$(ms warm)"); l+=("$(ms golist)")
  fresh_setup; f+=("$(ms fresh)")
done
cm=$(printf '%s\n' "${c[@]}" | median); wm=$(printf '%s\n' "${w[@]}" | median); lm=$(printf '%s\n' "${l[@]}" | median)
fm=$(printf '%s\n' "${f[@]}" | median)
echo "repository: $(git log -1 --format=%h) $(go list ./... 2>/dev/null | wc -l) packages, $("$bin" targets | wc -l) targets"
echo "gocache affected cold: median ${cm} ms (${c[*]})"
echo "gocache affected warm: median ${wm} ms (${w[*]})"
echo "gocache affected in a fresh clone, cache restored: median ${fm} ms (${f[*]})"
echo "go list -e -deps -json ./... warm: median ${lm} ms (${l[*]})"
awk -v l="$lm" -v c="$cm" -v w="$wm" -v f="$fm" \
  'BEGIN { printf "ratio go list / affected cold: %.1fx, / warm: %.1fx, / fresh clone: %.1fx\n", l / c, l / w, l / f }'

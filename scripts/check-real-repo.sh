#!/usr/bin/env bash
# Checks gocache's graph against `go list -e -deps -json ./...` on a real repository that
# vendors its dependencies: every target's non-standard closure (`deps`) must be equal.
#
# Usage: scripts/check-real-repo.sh REPO [REV] [GOOS GOARCH CGO]
#   REPO  a git repository (path or URL that `git clone` accepts); it is cloned into a
#         temporary directory, nothing is written to it, and nothing of it is kept.
#   REV   the commit to check (default HEAD)
# Needs: `make build` (the debug binary) and the Go toolchain of `make setup`.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
repo=${1:?usage: scripts/check-real-repo.sh REPO [REV] [GOOS GOARCH CGO]}
rev=${2:-HEAD}
goos=${3:-linux}; goarch=${4:-amd64}; cgo=${5:-1}
export PATH="$here/.tools/bin:$PATH"
export GOTOOLCHAIN=local GOPROXY=off GOFLAGS= GOWORK=off GOSUMDB=off
export GOCACHE="$here/.tools/go-build-cache" GOPATH="$here/.tools/gopath"
bin="$here/.build/release/gocache"; [ -x "$bin" ] || bin="$here/.build/debug/gocache"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
git clone --quiet --no-checkout "$repo" "$work/repo" 2>/dev/null
git -C "$work/repo" -c advice.detachedHead=false checkout --quiet "$rev"
commit=$(git -C "$work/repo" rev-parse HEAD)
cd "$work/repo"
GOOS=$goos GOARCH=$goarch CGO_ENABLED=$cgo go list -e -deps -json ./... > "$work/golist.json"
"$bin" graph --format json --goos "$goos" --goarch "$goarch" --cgo "$cgo" > "$work/gocache.json"
python3 - "$work/golist.json" "$work/gocache.json" "$work/repo" "$commit" "$goos/$goarch cgo=$cgo" <<'PY'
import json, os, sys
golist_path, ours_path, root, commit, platform = sys.argv[1:]
dec = json.JSONDecoder(); text = open(golist_path).read(); i = 0; pkgs = []
while i < len(text):
    while i < len(text) and text[i].isspace(): i += 1
    if i >= len(text): break
    obj, i = dec.raw_decode(text, i); pkgs.append(obj)
std = {p["ImportPath"] for p in pkgs if p.get("Standard")}
expected = {}
for p in pkgs:
    if p.get("Name") == "main" and not p.get("DepOnly") and (p.get("GoFiles") or p.get("CgoFiles")):
        rel = os.path.relpath(p["Dir"], root)
        expected[rel] = sorted(d for d in p.get("Deps", []) if d not in std)
ours = {t["dir"]: t["deps"] for t in json.load(open(ours_path))["targets"]}
equal = sum(1 for d in expected if ours.get(d) == expected[d])
print(f"commit {commit} ({platform}): {len(expected)} targets per go list, {len(ours)} per gocache, {equal} with equal deps")
ok = set(ours) == set(expected) and equal == len(expected)
# Every package of both graphs: the same files (Go, cgo, embedded) and the same imports.
theirs_pkgs = {p["ImportPath"]: p for p in pkgs}
our_pkgs = {p["importPath"]: p for p in json.load(open(ours_path))["packages"]}
fields = [("GoFiles", "goFiles"), ("CgoFiles", "cgoFiles"), ("EmbedFiles", "embedFiles"), ("Imports", "imports")]
compared = differing = 0
for path in sorted(set(theirs_pkgs) & set(our_pkgs)):
    t, o = theirs_pkgs[path], our_pkgs[path]
    if t.get("Error") and not t.get("GoFiles"): continue
    compared += 1
    diffs = [f"{tf}: go list {sorted(t.get(tf) or [])[:6]} gocache {sorted(o.get(of) or [])[:6]}"
             for tf, of in fields if sorted(set(t.get(tf) or []) - {"C"}) != sorted(set(o.get(of) or []) - {"C"})]
    if diffs:
        differing += 1
        if differing <= 10: print(f"  package {path}: " + "; ".join(diffs))
only_theirs = sorted(set(theirs_pkgs) - set(our_pkgs))
if only_theirs: print(f"  {len(only_theirs)} packages only in go list's graph, e.g. {only_theirs[:5]}")
print(f"packages in both graphs: {compared} compared (Go, cgo and embedded files, imports), {differing} differing; "
      f"{len(only_theirs)} only in go list's, {len(set(our_pkgs) - set(theirs_pkgs))} only in gocache's")
ok = ok and differing == 0 and not only_theirs
for d in sorted(set(expected) | set(ours)):
    if ours.get(d) != expected.get(d):
        e, o = set(expected.get(d) or []), set(ours.get(d) or [])
        print(f"  {d}: only go list {sorted(e - o)[:5]} only gocache {sorted(o - e)[:5]}" if d in expected and d in ours
              else f"  {d}: target only in {'go list' if d in expected else 'gocache'}")
print("RESULT:", "equal" if ok else "DIFFERENT")
sys.exit(0 if ok else 1)
PY

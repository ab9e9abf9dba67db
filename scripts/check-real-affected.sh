#!/usr/bin/env bash
# Checks `gocache affected` against the go list oracle (go list output and file bytes at
# both revisions) on consecutive first-parent commit pairs of a real repository.
# Usage: scripts/check-real-affected.sh REPO [PAIRS] [REV] [REPORT]
#   REPO a git repository path or URL (cloned into a temporary directory, not kept)
# Runs the GraphCore test "Affected on a real repository" with the repository set.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
export GOCACHE_REAL_REPO=${1:?usage: scripts/check-real-affected.sh REPO [PAIRS] [REV] [REPORT]}
export GOCACHE_REAL_PAIRS=${2:-20} GOCACHE_REAL_REV=${3:-HEAD} GOCACHE_REAL_REPORT=${4:-/dev/stdout}
export PATH="$here/.tools/bin:$PATH" GOTOOLCHAIN=local GOPROXY=off GOFLAGS=
export GOCACHE="$here/.tools/go-build-cache" GOPATH="$here/.tools/gopath" GOCACHE_TEST_GO="$here/.tools/bin/go"
cd "$here"
swift build --build-tests >/dev/null
swift test --skip-build --filter RealRepositoryAffectedTests

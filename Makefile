# Two commands do all set-up on a fresh Debian 12 machine with Swift:
#   make demo   — install what is missing, build, run gocache on a generated example monorepo
#   make test   — the same set-up, then the whole test suite (what .ci/run runs)
SHELL := /bin/bash
ROOT := $(abspath .)
TOOLS := $(ROOT)/.tools
export PATH := $(TOOLS)/bin:$(PATH)
# One Go build cache and GOPATH for the whole test run, apart from the user's.
GO_TEST_ENV := GOTOOLCHAIN=local GOPROXY=off GOCACHE=$(TOOLS)/go-build-cache GOPATH=$(TOOLS)/gopath \
	GOCACHE_TEST_GO=$(TOOLS)/bin/go GOCACHE_DIR=$(TOOLS)/gocache-test-dir
SWIFT_FLAGS ?=
# The release binary (`make release`, what the benchmarks run): the Swift runtime and
# Foundation linked statically (one self-contained file, no dynamic binding of Foundation at
# start), and no -lcurl — FoundationNetworking's libcurl is opened on first use by the
# CExecutableShims target, so only runs with a remote cache pay for loading it (README, Performance).
RELEASE_FLAGS := -c release --product gocache -Xswiftc -static-stdlib \
	-Xswiftc -Xfrontend -Xswiftc -disable-autolink-library -Xswiftc -Xfrontend -Xswiftc curl

.PHONY: setup build release demo test bench clean

setup:
	@bash scripts/setup.sh

build: setup
	swift build $(SWIFT_FLAGS)

release: setup
	swift build $(RELEASE_FLAGS)

demo: build
	@bash scripts/demo.sh

test: setup
	swift build --build-tests $(SWIFT_FLAGS)
	$(GO_TEST_ENV) swift test --skip-build --parallel --num-workers 2 $(SWIFT_FLAGS)

bench: setup
	@bash scripts/bench.sh

clean:
	rm -rf .build dist bench-out

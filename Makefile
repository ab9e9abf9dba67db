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

.PHONY: setup build demo test bench clean

setup:
	@bash scripts/setup.sh

build: setup
	swift build $(SWIFT_FLAGS)

demo: build
	@bash scripts/demo.sh

test: setup
	swift build --build-tests $(SWIFT_FLAGS)
	$(GO_TEST_ENV) swift test --skip-build --parallel --num-workers 2 $(SWIFT_FLAGS)

bench: setup
	@bash scripts/bench.sh

clean:
	rm -rf .build dist bench-out

# make test runs every test layer a fresh machine can run; .ci/run calls it.
# Each layer is its own target so that more can be added to `test`.

SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
GO ?= go

.PHONY: test check fmt vet unit contract-check gotest browser fuzz bench

## test: the whole suite — what README names and CI runs.
test: check unit browser

## check: formatting and vet, before anything slow.
check: fmt vet

fmt:
	@files="$$(gofmt -l $$(git ls-files --cached --others --exclude-standard '*.go'))"; \
	if [ -n "$$files" ]; then echo "gofmt needed on:"; echo "$$files"; exit 1; fi; \
	echo "gofmt: ok"

vet:
	$(GO) vet ./...

## unit: all Go tests under -race, with a private stripe-mock for the
## contract tests (scripts/with-stripe-mock.sh starts and stops it).
unit:
	scripts/with-stripe-mock.sh $(MAKE) --no-print-directory contract-check gotest

# contract-check shows the contract tests' results and fails if any was
# skipped: under make, STRIPE_MOCK_URL is always set.
contract-check:
	@test -n "$${STRIPE_MOCK_URL:-}" || { echo "contract-check needs STRIPE_MOCK_URL; run make unit"; exit 1; }
	@mkdir -p .tools
	$(GO) test -race -count=1 -v -run '^TestContract' ./stripeclient > .tools/contract.log 2>&1 || { cat .tools/contract.log; exit 1; }
	@grep -E -- '^(\s*--- |ok|FAIL)' .tools/contract.log
	@if grep -q -- '--- SKIP' .tools/contract.log; then echo "contract tests were skipped"; exit 1; fi

# gotest runs every package's tests, the contract tests again among them.
gotest:
	@test -n "$${STRIPE_MOCK_URL:-}" || { echo "gotest needs STRIPE_MOCK_URL; run make unit"; exit 1; }
	$(GO) test -race -count=1 ./...

## browser: headless Chromium test of examples/server, in its own module
## (examples/server/browsertest) so chromedp stays out of the root go.mod.
# Installs Debian's chromium when missing, vets the module (the root's
# `go vet ./...` does not enter nested modules; gofmt above already covers
# its files), and sets BROWSER_TEST_REQUIRED=1 so a missing browser fails
# the run instead of skipping it.
browser:
	scripts/install-chromium.sh
	cd examples/server/browsertest && $(GO) vet ./...
	cd examples/server/browsertest && BROWSER_TEST_REQUIRED=1 $(GO) test -count=1 -v ./...

## fuzz: go test -fuzz on the request decoder and validators (not part of test).
# PLACEHOLDER — another engineer replaces this.
fuzz:
	@echo "fuzz: not yet wired"

## bench: benchmarks, results written to BENCHMARKS.md (not part of test).
# PLACEHOLDER — another engineer replaces this.
bench:
	@echo "bench: not yet wired"

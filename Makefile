# make test runs every test layer a fresh machine can run; .ci/run calls it.
# Each layer is its own target so that more can be added to `test`.

SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
GO ?= go

.PHONY: test check fmt vet tracked example otel unit contract-check gotest browser sdk openapi postgres postgres-run sqlite newcomer fuzz bench bench-run bench-report bench-postgres

## test: the whole suite — what README names and CI runs.
test: check unit example otel fuzz browser sdk openapi postgres sqlite newcomer

## check: formatting, vet and no build output in git, before anything slow.
check: fmt vet tracked

# tracked: no tracked file is an executable, a test binary or an object, and
# none is larger than 1 MB.
tracked:
	scripts/check-tracked.sh

fmt:
	@files="$$(gofmt -l $$(git ls-files --cached --others --exclude-standard '*.go'))"; \
	if [ -n "$$files" ]; then echo "gofmt needed on:"; echo "$$files"; exit 1; fi; \
	echo "gofmt: ok"

vet:
	$(GO) vet ./...
	cd examples/server && $(GO) vet ./...
	cd stripeclient/stripetest/loadcheck && $(GO) vet ./...

## example: the example server's tests. examples/server is its own module
## (so golang.org/x/time, for its rate limits, stays out of the root
## go.mod), which the root's `go vet ./...` and `go test ./...` do not
## enter; vet above covers it too.
example:
	cd examples/server && $(GO) test -race -count=1 ./...

# The HTTP fake records every body it serves into BODIES (see openapi).
BODIES := $(CURDIR)/.tools/stripetest-bodies

## unit: all Go tests under -race, with a private stripe-mock for the
## contract tests (scripts/with-stripe-mock.sh starts and stops it).
# The contract tests run against the two stripe-mock versions that bracket
# stripe-go v76's API version 2023-10-16: v0.162.0 (spec 2022-11-15) first,
# then v0.203.0 (spec 2026-08-26.dahlia), under which everything runs.
unit:
	rm -rf $(BODIES) && mkdir -p $(BODIES)
	STRIPE_MOCK_VERSION=v0.162.0 scripts/with-stripe-mock.sh $(MAKE) --no-print-directory contract-check
	STRIPETEST_RECORD_BODIES=$(BODIES) STRIPE_MOCK_VERSION=v0.203.0 scripts/with-stripe-mock.sh $(MAKE) --no-print-directory contract-check gotest

# contract-check shows the contract tests' results and fails if any was
# skipped or none ran: under make, STRIPE_MOCK_URL and STRIPE_MOCK_VERSION
# are always set.
contract-check:
	@test -n "$${STRIPE_MOCK_URL:-}" -a -n "$${STRIPE_MOCK_VERSION:-}" || { echo "contract-check needs STRIPE_MOCK_URL and STRIPE_MOCK_VERSION; run make unit"; exit 1; }
	@mkdir -p .tools
	@echo "contract tests against stripe-mock $${STRIPE_MOCK_VERSION}:"
	$(GO) test -race -count=1 -v -run '^TestContract' ./stripeclient > .tools/contract-$${STRIPE_MOCK_VERSION}.log 2>&1 || { cat .tools/contract-$${STRIPE_MOCK_VERSION}.log; exit 1; }
	@grep -E -- '^(\s*--- |ok|FAIL)' .tools/contract-$${STRIPE_MOCK_VERSION}.log
	@if grep -q -- '--- SKIP' .tools/contract-$${STRIPE_MOCK_VERSION}.log; then echo "contract tests were skipped under stripe-mock $${STRIPE_MOCK_VERSION}"; exit 1; fi
	@grep -q -- '^--- PASS: TestContract' .tools/contract-$${STRIPE_MOCK_VERSION}.log || { echo "no contract test ran under stripe-mock $${STRIPE_MOCK_VERSION}"; exit 1; }

# gotest runs every package's tests, the contract tests again among them.
gotest:
	@test -n "$${STRIPE_MOCK_URL:-}" || { echo "gotest needs STRIPE_MOCK_URL; run make unit"; exit 1; }
	$(GO) test -race -count=1 ./...

## otel: the OpenTelemetry adapter, in its own module (confirm/otelconfirm)
## so that OpenTelemetry stays out of the root go.mod; the root's
## `go vet ./...` and `go test ./...` do not enter nested modules.
otel:
	cd confirm/otelconfirm && $(GO) vet ./... && $(GO) test -race -count=1 ./...

## browser: headless Chromium test of examples/server, in its own module
## (examples/server/browsertest) so chromedp stays out of the root go.mod.
# Installs Debian's chromium when missing, vets the module (the root's
# `go vet ./...` does not enter nested modules; gofmt above already covers
# its files), and sets BROWSER_TEST_REQUIRED=1 so a missing browser fails
# the run instead of skipping it.
browser:
	scripts/install-chromium.sh
	cd examples/server/browsertest && $(GO) vet ./...
	cd examples/server/browsertest && STRIPETEST_RECORD_BODIES=$(BODIES) BROWSER_TEST_REQUIRED=1 $(GO) test -count=1 -v ./...

## sdk: Stripe's official SDKs run our own scenarios (create and confirm,
## 3-D Secure, declines, idempotent replays, manual capture, refunds)
## against cmd/stripetest at API version 2023-10-16: the Node SDK pinned in
## stripeclient/stripetest/sdktest/node/package-lock.json and Debian's
## python3-stripe. scripts/sdk-crosscheck.sh installs what is missing,
## starts the fake on 127.0.0.1 and stops it by PID; the bodies it serves
## go to BODIES for openapi.
sdk:
	STRIPETEST_RECORD_BODIES=$(BODIES) scripts/sdk-crosscheck.sh

## openapi: every JSON body the HTTP fake serves — in its own flows, and those
## recorded in BODIES while unit and browser ran — checked against Stripe's
## OpenAPI specs and stripe-go's types, in its own module (the validator stays
## out of the root go.mod); it prints the counts.
openapi:
	cd stripeclient/stripetest/openapicheck && $(GO) vet ./... && \
	  OPENAPI_RECORDED_BODIES="$$(test -d $(BODIES) && echo $(BODIES) || true)" OPENAPI_CHECK_REQUIRED=1 $(GO) test -count=1

## postgres: confirm/sqlstore on a real PostgreSQL, and several instances
## sharing it, in nested modules (confirm/sqlstore/pgtest, and
## examples/server/postgres for the example's -database) so that the pgx
## driver stays out of the root go.mod.
# scripts/with-postgres.sh starts a throwaway server (installing Debian's
# postgresql when missing) and stops it by PID. PG_TEST_REQUIRED=1 makes a
# missing database fail the run, and a skipped test fails the target. The
# campaign runs PG_CAMPAIGN_N scenarios (make postgres PG_CAMPAIGN_N=100000
# PG_TEST_TIMEOUT=0 for the long run).
PG_CAMPAIGN_N ?= 1000
PG_TEST_TIMEOUT ?= 20m
postgres:
	cd confirm/sqlstore/pgtest && $(GO) vet ./...
	cd examples/server/postgres && $(GO) vet ./...
	scripts/with-postgres.sh $(MAKE) --no-print-directory postgres-run

postgres-run:
	@test -n "$${CARDCONFIRM_PG_DSN:-}" || { echo "postgres-run needs CARDCONFIRM_PG_DSN; run make postgres"; exit 1; }
	@mkdir -p .tools
	cd confirm/sqlstore/pgtest && PG_TEST_REQUIRED=1 $(GO) test -race -count=1 -v -timeout $(PG_TEST_TIMEOUT) . -campaign.n=$(PG_CAMPAIGN_N) > $(CURDIR)/.tools/postgres.log 2>&1 || { cat $(CURDIR)/.tools/postgres.log; exit 1; }
	cd examples/server/postgres && PG_TEST_REQUIRED=1 $(GO) test -count=1 -v . >> $(CURDIR)/.tools/postgres.log 2>&1 || { cat $(CURDIR)/.tools/postgres.log; exit 1; }
	@grep -E -- '^(\s*--- |ok|FAIL)|pg campaign:|goroutines on' .tools/postgres.log
	@if grep -q -- '--- SKIP' .tools/postgres.log; then echo "postgres tests were skipped"; exit 1; fi

## sqlite: confirm/sqlstore on SQLite through the pure-Go driver
## modernc.org/sqlite, in its own module (confirm/sqlstore/sqlitetest) so
## that the driver stays out of the root go.mod. Nothing to install: the
## database is a file in the test's temporary directory.
# Without -race: the Store's code runs under -race against PostgreSQL
# (postgres-run), and building the C-to-Go translated SQLite with -race
# costs minutes on a clean machine.
sqlite:
	@mkdir -p .tools
	cd confirm/sqlstore/sqlitetest && $(GO) vet ./... && $(GO) test -count=1 -v ./... > $(CURDIR)/.tools/sqlite.log 2>&1 || { cat $(CURDIR)/.tools/sqlite.log; exit 1; }
	cd examples/server/sqlite && $(GO) vet ./... && $(GO) test -count=1 -v ./... >> $(CURDIR)/.tools/sqlite.log 2>&1 || { cat $(CURDIR)/.tools/sqlite.log; exit 1; }
	@grep -E -- "^(\s*--- |ok|FAIL)" .tools/sqlite.log
	@if grep -q -- "--- SKIP" .tools/sqlite.log; then echo "sqlite tests were skipped"; exit 1; fi

## newcomer: a shop module written from README and go doc alone
## (examples/newcomer): its /pay handler pays with 3-D Secure on the fake
## and a SQLite Store, and runs against a hand-written mock. Its own module,
## so the SQLite driver stays out of the root go.mod; without -race, as
## sqlite above.
newcomer:
	@mkdir -p .tools
	cd examples/newcomer && $(GO) vet ./... && $(GO) test -count=1 -v ./... > $(CURDIR)/.tools/newcomer.log 2>&1 || { cat $(CURDIR)/.tools/newcomer.log; exit 1; }
	@grep -E -- "^(\s*--- |ok|FAIL)" .tools/newcomer.log
	@if grep -q -- "--- SKIP" .tools/newcomer.log; then echo "newcomer tests were skipped"; exit 1; fi

## fuzz: every fuzz target of the module (each package with a func Fuzz…
## in a _test.go file), one after another, for FUZZTIME each. The default is
## a count of inputs, a few seconds per target: a duration (-fuzztime=5s)
## can fail with a spurious "context deadline exceeded" on Go 1.26
## (golang/go#75804). Longer on demand: make fuzz FUZZTIME=200000x (or 5m).
FUZZTIME ?= 20000x
FUZZ_PKGS = $(addprefix ./,$(sort $(dir $(shell git ls-files --cached --others --exclude-standard '*_test.go' | xargs grep -l '^func Fuzz'))))
fuzz:
	@for pkg in $(FUZZ_PKGS); do \
		for name in $$($(GO) test -list '^Fuzz' "$$pkg" | grep '^Fuzz'); do \
			echo "fuzz: $$pkg $$name -fuzztime=$(FUZZTIME)"; \
			$(GO) test -run '^$$' -fuzz "^$$name\$$" -fuzztime=$(FUZZTIME) "$$pkg"; \
		done; \
	done

## bench: benchmarks (not part of test): runs ./benchmarks BENCH_COUNT times
## under a private stripe-mock into .tools/bench.txt and prints benchstat
## tables; BENCHMARKS.md publishes one such run.
# Each round runs every benchmark once (-count=1) and the rounds repeat, so
# that the two sides of each comparison alternate in time rather than one
# running six times before the other: on a shared machine the load drifts.
# CallsPerFlow's counts are exact at any benchtime, so it runs short.
BENCH_COUNT ?= 6
BENCHSTAT := .tools/bin/benchstat
BENCH_BIN := .tools/benchmarks.test

bench: $(BENCHSTAT)
	@mkdir -p .tools
	@{ echo "date: $$(date -u '+%Y-%m-%d %H:%M UTC')"; echo "go: $$($(GO) version)"; \
	  echo "cpu: $$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)"; \
	  echo "cores: $$(nproc)"; echo "load before: $$(cut -d' ' -f1-3 /proc/loadavg)"; } > .tools/bench-machine.txt
	scripts/with-stripe-mock.sh $(MAKE) --no-print-directory bench-run
	@echo "load after: $$(cut -d' ' -f1-3 /proc/loadavg)" >> .tools/bench-machine.txt
	@$(MAKE) --no-print-directory bench-report

$(BENCHSTAT):
	GOBIN=$(CURDIR)/.tools/bin $(GO) install golang.org/x/perf/cmd/benchstat@latest

bench-run:
	@test -n "$${STRIPE_MOCK_URL:-}" || { echo "bench-run needs STRIPE_MOCK_URL; run make bench"; exit 1; }
	$(GO) test -c -o $(BENCH_BIN) ./benchmarks
	@: > .tools/bench.txt
	@for i in $$(seq 1 $(BENCH_COUNT)); do \
	  echo "bench: round $$i of $(BENCH_COUNT)"; \
	  $(BENCH_BIN) -test.run '^$$' -test.bench '^Benchmark(Overhead|OverheadPaired|ThreeDS|ThreeDSOverHTTP|Scale|FakeMemory)$$' -test.benchmem -test.count 1 >> .tools/bench.txt \
	    && $(BENCH_BIN) -test.run '^$$' -test.bench '^BenchmarkCallsPerFlow$$' -test.benchtime 2000x -test.benchmem -test.count 1 >> .tools/bench.txt \
	    || { cat .tools/bench.txt; exit 1; }; \
	done
	@if grep -q -- '--- SKIP' .tools/bench.txt; then grep -A1 -- '--- SKIP' .tools/bench.txt; exit 1; fi

# bench-report prints the tables of .tools/bench.txt, one per benchmark.
bench-report: $(BENCHSTAT)
	@cat .tools/bench-machine.txt
	@echo; echo "## Stripe calls per flow"
	@$(BENCHSTAT) -filter '.name:CallsPerFlow (.unit:calls/op OR .unit:writes/op OR .unit:replays/op)' -row /flow -col /mode .tools/bench.txt
	@echo; echo "## Overhead: Flow.Pay vs stripe-go v76, one canned httptest server"
	@$(BENCHSTAT) -filter '.name:Overhead' -row /flow -col /impl .tools/bench.txt
	@$(BENCHSTAT) -filter '.name:OverheadPaired' -row /flow .tools/bench.txt
	@echo; echo "## 3-D Secure: in-process fake vs stripe-mock"
	@$(BENCHSTAT) -filter '.name:ThreeDS' -row /via -col /stripe .tools/bench.txt
	@echo; echo "## 3-D Secure over HTTP: the fake behind stripetest.NewServer vs stripe-mock"
	@$(BENCHSTAT) -filter '.name:ThreeDSOverHTTP' -row /via -col /stripe .tools/bench.txt
	@echo; echo "## Scale and memory of the fake"
	@$(BENCHSTAT) -filter '.name:(Scale OR FakeMemory)' .tools/bench.txt

## bench-postgres: the Store on PostgreSQL (not part of test): 4 instances
## x 64 payers (and x 1) on a throwaway local server, against MemoryStore
## and against pgbench running the Store's own statements, and an open
## loop at 50 % and 80 % of that ceiling; BENCHMARKS.md section 5
## publishes one run.
PG_BENCHTIME ?= 20000x
bench-postgres:
	@mkdir -p .tools
	@{ echo "date: $$(date -u '+%Y-%m-%d %H:%M UTC')"; echo "go: $$($(GO) version)"; \
	  echo "cpu: $$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)"; \
	  echo "cores: $$(nproc)"; echo "load before: $$(cut -d' ' -f1-3 /proc/loadavg)"; } | tee .tools/bench-postgres.txt
	scripts/with-postgres.sh sh -c 'cd confirm/sqlstore/pgtest && $(GO) test -run "^$$" -bench "^Benchmark(Store|PgbenchCeiling|OpenLoop)$$" -benchtime $(PG_BENCHTIME) -timeout 60m -v .' | tee -a .tools/bench-postgres.txt
	@echo "load after: $$(cut -d' ' -f1-3 /proc/loadavg)" | tee -a .tools/bench-postgres.txt

#!/usr/bin/env bash
# with-stripe-mock.sh COMMAND [ARG…]
#
# Runs COMMAND with a private stripe-mock running and its URL exported as
# STRIPE_MOCK_URL, then stops that stripe-mock by its PID, whatever way
# COMMAND or this script ends. Exits with COMMAND's status.
#
# stripe-mock is pinned: STRIPE_MOCK_VERSION, default v0.203.0 (`make test`
# also runs the contract tests under v0.162.0). Each version is installed
# with `go install` into its own git-ignored directory,
# .tools/stripe-mock/<version>/ (GOBIN per version), when missing, so two
# versions coexist and switching between them reinstalls nothing. The
# version is exported as STRIPE_MOCK_VERSION for COMMAND. stripe-mock
# listens on 127.0.0.1 only, on ports the kernel picks: both -http-addr and
# -https-addr are given, since stripe-mock otherwise also opens its default
# port on every interface. The port is read from its log line "Listening
# for HTTP at address: …".
set -euo pipefail

STRIPE_MOCK_VERSION="${STRIPE_MOCK_VERSION:-v0.203.0}"

if [ "$#" -eq 0 ]; then
	echo "usage: $0 COMMAND [ARG…]" >&2
	exit 2
fi
# The version names a directory: only a plain vMAJOR.MINOR.PATCH.
if ! [[ "$STRIPE_MOCK_VERSION" =~ ^v[0-9]+\.[0-9]+\.[0-9]+$ ]]; then
	echo "with-stripe-mock: STRIPE_MOCK_VERSION=$STRIPE_MOCK_VERSION is not a vMAJOR.MINOR.PATCH version" >&2
	exit 2
fi

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bindir="$root/.tools/stripe-mock/$STRIPE_MOCK_VERSION"
bin="$bindir/stripe-mock"
# stripe-mock reports its version as "master", so nothing in the binary
# says which version it is; the directory does, and a stamp written after
# go install succeeded tells a complete install from an interrupted one.
stamp="$bindir/.installed"

if [ ! -x "$bin" ] || [ ! -e "$stamp" ]; then
	echo "with-stripe-mock: installing stripe-mock $STRIPE_MOCK_VERSION into .tools/stripe-mock/$STRIPE_MOCK_VERSION" >&2
	mkdir -p "$bindir"
	rm -f "$stamp"
	GOBIN="$bindir" go install "github.com/stripe/stripe-mock@$STRIPE_MOCK_VERSION"
	touch "$stamp"
fi

log="$(mktemp "${TMPDIR:-/tmp}/stripe-mock.XXXXXX")"
pid=""
cmd=""

cleanup() {
	if [ -n "$cmd" ] && kill -0 "$cmd" 2>/dev/null; then
		kill -TERM "$cmd" 2>/dev/null || true
		wait "$cmd" 2>/dev/null || true
	fi
	if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
		kill "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	fi
	rm -f "$log"
}
trap cleanup EXIT
# Turn signals into an ordinary exit so that the EXIT trap runs.
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

"$bin" -http-addr 127.0.0.1:0 -https-addr 127.0.0.1:0 >"$log" 2>&1 &
pid=$!

port=""
for _ in $(seq 1 300); do # up to 30 s: the first start parses Stripe's whole OpenAPI spec
	port="$(sed -n 's/^.*Listening for HTTP at address: 127\.0\.0\.1:\([0-9][0-9]*\).*$/\1/p' "$log" | head -n 1)"
	[ -n "$port" ] && break
	if ! kill -0 "$pid" 2>/dev/null; then
		echo "with-stripe-mock: stripe-mock exited before listening; its log:" >&2
		cat "$log" >&2
		exit 1
	fi
	sleep 0.1
done
if [ -z "$port" ]; then
	echo "with-stripe-mock: stripe-mock did not report its port within 30 s; its log:" >&2
	cat "$log" >&2
	exit 1
fi

export STRIPE_MOCK_URL="http://127.0.0.1:$port"
export STRIPE_MOCK_VERSION
echo "with-stripe-mock: stripe-mock $STRIPE_MOCK_VERSION (pid $pid) at $STRIPE_MOCK_URL" >&2

# COMMAND runs in the background and is waited for: bash runs a trap only
# once its foreground child ends, but interrupts `wait` at once, so a signal
# sent to this script alone still stops COMMAND and stripe-mock.
status=0
"$@" &
cmd=$!
wait "$cmd" || status=$?
cmd=""
exit "$status"

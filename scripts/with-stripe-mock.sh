#!/usr/bin/env bash
# with-stripe-mock.sh COMMAND [ARG…]
#
# Runs COMMAND with a private stripe-mock running and its URL exported as
# STRIPE_MOCK_URL, then stops that stripe-mock by its PID, whatever way
# COMMAND or this script ends. Exits with COMMAND's status.
#
# stripe-mock is pinned (STRIPE_MOCK_VERSION) and installed with `go install`
# into the git-ignored .tools/bin when missing. It listens on 127.0.0.1 only,
# on ports the kernel picks: both -http-addr and -https-addr are given, since
# stripe-mock otherwise also opens its default port on every interface. The
# port is read from its log line "Listening for HTTP at address: …".
set -euo pipefail

STRIPE_MOCK_VERSION="${STRIPE_MOCK_VERSION:-v0.203.0}"

if [ "$#" -eq 0 ]; then
	echo "usage: $0 COMMAND [ARG…]" >&2
	exit 2
fi

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bindir="$root/.tools/bin"
bin="$bindir/stripe-mock"
# stripe-mock reports its version as "master", so a stamp file records which
# version was installed, and a change of pin reinstalls.
stamp="$bindir/.stripe-mock-$STRIPE_MOCK_VERSION"

if [ ! -x "$bin" ] || [ ! -e "$stamp" ]; then
	echo "with-stripe-mock: installing stripe-mock $STRIPE_MOCK_VERSION into .tools/bin" >&2
	mkdir -p "$bindir"
	rm -f "$bindir"/.stripe-mock-*
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

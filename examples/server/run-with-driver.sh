#!/usr/bin/env bash
# run-with-driver.sh DRIVER [FLAG…]: builds and runs the example server
# with the database/sql driver of module examples/server/DRIVER linked in
# ("postgres": pgx; "sqlite": modernc.org/sqlite), for -database. Called by
# examples/server/DRIVER/run.sh; flags go to the server.
#
# The example (module examples/server) depends on no driver; the DRIVER
# module does. This builds the example from there with `go build -overlay`,
# which adds one generated file to the example's package: an import of the
# DRIVER module's package, whose only content is the driver's
# registration. Nothing is written into the source tree.
set -euo pipefail

driver="$1"
shift
case "$driver" in
postgres | sqlite) ;;
*) echo "run-with-driver.sh: unknown driver module $driver" >&2; exit 2 ;;
esac
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/$driver" && pwd)"
tmp="$(mktemp -d "${TMPDIR:-/tmp}/cardconfirm-server.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT

printf 'package main\n\nimport _ "github.com/cardconfirm/cardconfirm/examples/server/%s"\n' "$driver" >"$tmp/${driver}_driver.go"
printf '{"Replace": {"%s": "%s"}}\n' "$here/../zz_${driver}_driver.go" "$tmp/${driver}_driver.go" >"$tmp/overlay.json"
(cd "$here" && go build -overlay "$tmp/overlay.json" -o "$tmp/server" github.com/cardconfirm/cardconfirm/examples/server)

# Run in the background and wait, so that a signal reaches the server and
# the build directory is removed afterwards.
"$tmp/server" "$@" &
pid=$!
trap 'kill -TERM "$pid" 2>/dev/null || true' INT TERM
status=0
wait "$pid" || status=$?
# A signal interrupts the first wait; wait again for the server's shutdown.
if kill -0 "$pid" 2>/dev/null; then wait "$pid" || status=$?; fi
exit "$status"

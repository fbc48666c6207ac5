#!/usr/bin/env bash
# run.sh [FLAG…]: builds and runs the example server with the PostgreSQL
# driver (pgx) linked in, for -database (or DATABASE_URL). Flags go to the
# server, e.g.
#
#	examples/server/sqlite/run.sh -database sqlite:shop.db
#
# The example (module examples/server, replaced by its directory here)
# depends on no driver; this module (examples/server/sqlite) does. run.sh builds the
# example from here with `go build -overlay`, which adds one generated
# file to the example's package: an import of this module's package, whose
# only content is the SQLite driver's registration. Nothing is written into the
# source tree.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
tmp="$(mktemp -d "${TMPDIR:-/tmp}/cardconfirm-server.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT

printf 'package main\n\nimport _ "github.com/cardconfirm/cardconfirm/examples/server/sqlite"\n' >"$tmp/sqlite_driver.go"
printf '{"Replace": {"%s": "%s"}}\n' "$here/../zz_sqlite_driver.go" "$tmp/sqlite_driver.go" >"$tmp/overlay.json"
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

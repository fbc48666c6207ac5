#!/usr/bin/env bash
# run.sh [FLAG…]: builds and runs the example server with this module's
# driver linked in, for -database; flags go to the server, e.g.
#
#	examples/server/postgres/run.sh -addr 127.0.0.1:4243 -database "$DATABASE_URL"
#
# See ../run-with-driver.sh.
exec "$(dirname "${BASH_SOURCE[0]}")/../run-with-driver.sh" postgres "$@"

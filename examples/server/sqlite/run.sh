#!/usr/bin/env bash
# run.sh [FLAG…]: builds and runs the example server with this module's
# driver linked in, for -database; flags go to the server, e.g.
#
#	examples/server/sqlite/run.sh -database sqlite:shop.db
#
# See ../run-with-driver.sh.
exec "$(dirname "${BASH_SOURCE[0]}")/../run-with-driver.sh" sqlite "$@"

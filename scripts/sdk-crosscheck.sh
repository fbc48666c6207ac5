#!/usr/bin/env bash
# sdk-crosscheck.sh
#
# Runs Stripe's official SDKs against cmd/stripetest, the fake over HTTP,
# with this repository's own scenarios (stripeclient/stripetest/sdktest):
#
#   - the Node SDK, the version locked in sdktest/node/package-lock.json,
#     installed with `npm ci` into sdktest/node/node_modules (git-ignored);
#   - the Python SDK as Debian packages it (python3-stripe), run with
#     Debian's /usr/bin/python3, which is the interpreter that package
#     serves.
#
# What is missing is installed: Node.js and npm, and python3-stripe, with
# apt-get (as root, or through sudo). The fake is built into .tools/sdk/,
# started on 127.0.0.1 on a port the kernel picks (read from its first log
# line), and stopped by its PID however this script ends. With
# STRIPETEST_RECORD_BODIES set, the fake records every body it serves
# there, for `make openapi` to check.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
tools="$root/.tools/sdk"
nodedir="$root/stripeclient/stripetest/sdktest/node"
pyscript="$root/stripeclient/stripetest/sdktest/python/crosscheck.py"
mkdir -p "$tools"

as_root() {
	if [ "$(id -u)" -eq 0 ]; then
		"$@"
	elif command -v sudo > /dev/null; then
		sudo "$@"
	else
		echo "sdk-crosscheck: need root (or sudo) to run: $*" >&2
		return 1
	fi
}

# apt_install installs Debian packages, refreshing the package lists once
# if the first attempt fails (a fresh machine has none). Another apt-get
# may hold the lock for a while: wait for it rather than fail.
apt_install() {
	local opts=(-y -o DPkg::Lock::Timeout=300)
	if ! as_root env DEBIAN_FRONTEND=noninteractive apt-get install "${opts[@]}" "$@"; then
		as_root apt-get update -o DPkg::Lock::Timeout=300
		as_root env DEBIAN_FRONTEND=noninteractive apt-get install "${opts[@]}" "$@"
	fi
}

# Node.js 18 or later (the scenarios use its fetch) and npm.
node_major() { node -p 'process.versions.node.split(".")[0]' 2> /dev/null || echo 0; }
if ! command -v node > /dev/null || ! command -v npm > /dev/null || [ "$(node_major)" -lt 18 ]; then
	echo "sdk-crosscheck: installing Node.js and npm (Debian packages)"
	apt_install nodejs npm
fi
if [ "$(node_major)" -lt 18 ]; then
	echo "sdk-crosscheck: Node.js $(node --version) is older than 18" >&2
	exit 1
fi
# npm ci installs exactly what package-lock.json locks; a stamp of the
# lock file's hash spares the reinstall when node_modules already holds it.
lockhash="$(sha256sum "$nodedir/package-lock.json" | cut -d' ' -f1)"
stamp="$nodedir/node_modules/.crosscheck-lock-sha256"
if [ "$(cat "$stamp" 2> /dev/null || true)" != "$lockhash" ]; then
	(cd "$nodedir" && npm ci --no-audit --no-fund --loglevel=error)
	echo "$lockhash" > "$stamp"
fi

# Debian's python3-stripe serves Debian's own interpreter.
python=/usr/bin/python3
if ! "$python" -c 'import stripe' 2> /dev/null; then
	echo "sdk-crosscheck: installing python3-stripe (Debian package)"
	apt_install python3-stripe
fi

(cd "$root" && go build -o "$tools/stripetest" ./stripeclient/stripetest/cmd/stripetest)
if [ -n "${STRIPETEST_RECORD_BODIES:-}" ]; then
	mkdir -p "$STRIPETEST_RECORD_BODIES"
fi

log="$tools/stripetest.log"
"$tools/stripetest" -addr 127.0.0.1:0 > "$log" 2>&1 &
pid=$!
trap 'kill "$pid" 2> /dev/null || true; wait "$pid" 2> /dev/null || true' EXIT

url=""
for _ in $(seq 1 100); do
	url="$(grep -o 'http://127\.0\.0\.1:[0-9]*' "$log" | head -n 1 || true)"
	[ -n "$url" ] && break
	if ! kill -0 "$pid" 2> /dev/null; then
		echo "sdk-crosscheck: cmd/stripetest exited:" >&2
		cat "$log" >&2
		exit 1
	fi
	sleep 0.1
done
if [ -z "$url" ]; then
	echo "sdk-crosscheck: cmd/stripetest did not report its address:" >&2
	cat "$log" >&2
	exit 1
fi

status=0
(cd "$nodedir" && STRIPETEST_URL="$url" node crosscheck.mjs) || status=1
STRIPETEST_URL="$url" "$python" "$pyscript" || status=1
exit "$status"

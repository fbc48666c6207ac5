#!/bin/sh
# install-chromium.sh installs Debian's chromium for the example's browser
# test (examples/server/browsertest) when it is not already there. It is what
# `make browser` runs first, so a fresh machine needs no manual step; test
# tools' own browser downloads are not used because they do not work offline.
set -eu

if [ -x /usr/bin/chromium ]; then
	echo "install-chromium: /usr/bin/chromium present: $(/usr/bin/chromium --version 2>/dev/null || echo unknown version)"
	exit 0
fi

# Root needs no sudo (CI containers often have none); everyone else does.
SUDO=
if [ "$(id -u)" -ne 0 ]; then
	SUDO=sudo
fi

echo "install-chromium: installing Debian package chromium"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update
$SUDO apt-get install -y chromium

if [ ! -x /usr/bin/chromium ]; then
	echo "install-chromium: apt-get finished but /usr/bin/chromium is missing" >&2
	exit 1
fi
echo "install-chromium: installed $(/usr/bin/chromium --version 2>/dev/null || echo chromium)"

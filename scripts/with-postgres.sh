#!/usr/bin/env bash
# with-postgres.sh COMMAND [ARG…]
#
# Runs COMMAND with a private, throwaway PostgreSQL server running and
# exports, for COMMAND:
#
#   CARDCONFIRM_PG_DSN  postgres://cardconfirm:…@127.0.0.1:PORT/cardconfirm?sslmode=disable
#   CARDCONFIRM_PG_BIN  the directory of the server's binaries (psql, pgbench …)
#
# then stops that server by its PID, whatever way COMMAND or this script
# ends, and removes its data. Exits with COMMAND's status.
#
# Debian's PostgreSQL (/usr/lib/postgresql/N/bin, the newest N) is used;
# when it is missing, `apt-get install postgresql` installs it. The data
# directory is a new one under .tools/ each run, initialised (initdb) and
# served by an unprivileged user: the caller when not root, else
# PG_RUN_AS (default nobody). The server listens on 127.0.0.1 only, on a
# free port (another is tried if it is taken meanwhile), with its Unix
# socket in the data's directory, and accepts the one role it was created
# with, by a random password (scram-sha-256). It runs with fsync off: the
# data is thrown away, so durability only costs time.
set -euo pipefail

if [ "$#" -eq 0 ]; then
	echo "usage: $0 COMMAND [ARG…]" >&2
	exit 2
fi

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

# pgbin prints the newest Debian PostgreSQL bin directory with a server.
pgbin() {
	local d best=""
	for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V); do
		if [ -x "$d/postgres" ] && [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ]; then best="$d"; fi
	done
	[ -n "$best" ] && echo "$best"
}

bin="$(pgbin || true)"
if [ -z "$bin" ]; then
	echo "with-postgres: no PostgreSQL server found; installing Debian package postgresql" >&2
	SUDO=
	if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; fi
	export DEBIAN_FRONTEND=noninteractive
	$SUDO apt-get update
	$SUDO apt-get install -y postgresql
	bin="$(pgbin || true)"
	if [ -z "$bin" ]; then
		echo "with-postgres: apt-get finished but no /usr/lib/postgresql/*/bin/postgres" >&2
		exit 1
	fi
fi

# as USER CMD…: runs CMD as the server's user.
user="$(id -un)"
if [ "$(id -u)" -eq 0 ]; then
	user="${PG_RUN_AS:-nobody}"
	if ! id "$user" >/dev/null 2>&1; then
		echo "with-postgres: user $user does not exist (set PG_RUN_AS to an unprivileged user)" >&2
		exit 1
	fi
fi
as() {
	if [ "$(id -u)" -eq 0 ]; then
		runuser -u "$user" -- "$@"
	else
		"$@"
	fi
}

# The run's directory: under .tools when the server's user can reach it,
# else under TMPDIR (a checkout in a private home directory).
mkdir -p "$root/.tools"
if as test -x "$root/.tools"; then
	base="$root/.tools"
else
	base="${TMPDIR:-/tmp}"
fi
dir="$(mktemp -d "$base/pg.XXXXXX")"
data="$dir/data"
log="$dir/server.log"
pwfile="$dir/pwfile"
chmod 700 "$dir"
password="$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"
(umask 077 && printf '%s\n' "$password" >"$pwfile")
if [ "$(id -u)" -eq 0 ]; then chown -R "$user" "$dir"; fi

pid=""
cmd=""
cleanup() {
	local status=$?
	if [ -n "$cmd" ] && kill -0 "$cmd" 2>/dev/null; then
		kill -TERM "$cmd" 2>/dev/null || true
		wait "$cmd" 2>/dev/null || true
	fi
	if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
		# pg_ctl stops the postmaster named in the data's pidfile; should it
		# fail, the PID read at start is killed directly.
		as "$bin/pg_ctl" -D "$data" -m fast -w -t 30 stop >/dev/null 2>&1 || kill -TERM "$pid" 2>/dev/null || true
		for _ in $(seq 1 100); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.1
		done
		if kill -0 "$pid" 2>/dev/null; then kill -KILL "$pid" 2>/dev/null || true; fi
	fi
	if [ "$status" -ne 0 ] && [ -s "$log" ] && [ -z "$cmd_ran" ]; then
		echo "with-postgres: server log:" >&2
		tail -n 50 "$log" >&2 || true
	fi
	rm -rf "$dir"
}
cmd_ran=""
trap cleanup EXIT
# Turn signals into an ordinary exit so that the EXIT trap runs.
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

as "$bin/initdb" -D "$data" -U cardconfirm --pwfile="$pwfile" --auth=scram-sha-256 \
	-E UTF8 --locale=C -N >"$dir/initdb.log" 2>&1 || {
	echo "with-postgres: initdb failed:" >&2
	cat "$dir/initdb.log" >&2
	exit 1
}

# port_taken PORT: whether something on 127.0.0.1 accepts connections there.
port_taken() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

port=""
for _ in 1 2 3 4 5; do
	p=$((20000 + RANDOM % 40000))
	port_taken "$p" && continue
	if as "$bin/pg_ctl" -D "$data" -l "$log" -w -t 60 start -o "-p $p -c listen_addresses=127.0.0.1 \
		-c unix_socket_directories='$dir' -c max_connections=300 \
		-c fsync=off -c synchronous_commit=off -c full_page_writes=off" >/dev/null 2>&1; then
		port="$p"
		break
	fi
	# Most likely the port was taken between the check and the bind.
	echo "with-postgres: server did not start on port $p; trying another" >&2
done
if [ -z "$port" ]; then
	echo "with-postgres: the server did not start; its log:" >&2
	cat "$log" >&2
	exit 1
fi
pid="$(head -n 1 "$data/postmaster.pid")"

export PGPASSWORD="$password"
"$bin/createdb" -h 127.0.0.1 -p "$port" -U cardconfirm cardconfirm
unset PGPASSWORD

export CARDCONFIRM_PG_DSN="postgres://cardconfirm:$password@127.0.0.1:$port/cardconfirm?sslmode=disable"
export CARDCONFIRM_PG_BIN="$bin"
echo "with-postgres: PostgreSQL $("$bin/postgres" --version | sed 's/^[^0-9]*//') (pid $pid) at 127.0.0.1:$port, database cardconfirm, data in $dir" >&2

# COMMAND runs in the background and is waited for: bash runs a trap only
# once its foreground child ends, but interrupts `wait` at once, so a signal
# sent to this script alone still stops COMMAND and the server.
status=0
cmd_ran=1
"$@" &
cmd=$!
wait "$cmd" || status=$?
cmd=""
exit "$status"

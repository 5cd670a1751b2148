#!/usr/bin/env bash
# Starts a throwaway PostgreSQL cluster for the tests (installing the server package when it is missing) and
# prints the connection string on stdout. `scripts/postgres.sh stop DIR` stops and removes it.
set -euo pipefail

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

if [ "${1:-}" = "stop" ]; then
  dir=$2
  bin=$(dirname "$(ls /usr/lib/postgresql/*/bin/pg_ctl | sort -V | tail -n 1)")
  runuser -u postgres -- "$bin/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$dir"
  exit 0
fi

if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  echo "Installing PostgreSQL for the tests..." >&2
  as_root apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq postgresql >/dev/null
fi
bin=$(dirname "$(ls /usr/lib/postgresql/*/bin/initdb | sort -V | tail -n 1)")

# The first port from 55433 on that nothing listens on, so a server already running here (another checkout's) is
# left alone. A port can still be taken as the local end of some connection (it lies in the ephemeral range): then
# the start fails and the next port is tried.
port=${CALLSCOPE_TEST_PG_PORT:-55433}
dir=$(mktemp -d /tmp/callscope-pg.XXXXXX)
chown postgres "$dir"
cd "$dir"
runuser -u postgres -- "$bin/initdb" -D "$dir/data" -A trust -U postgres --no-sync >/dev/null
for attempt in $(seq 1 20); do
  while (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do port=$((port + 1)); done
  if runuser -u postgres -- "$bin/pg_ctl" -D "$dir/data" -l "$dir/log" -w \
    -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=300 -c shared_buffers=256MB" start >/dev/null; then
    break
  fi
  [ "$attempt" -eq 20 ] && { cat "$dir/log" >&2; exit 1; }
  port=$((port + 1))
done
echo "$dir"
echo "Host=127.0.0.1;Port=$port;Username=postgres;Pooling=true;Maximum Pool Size=20"

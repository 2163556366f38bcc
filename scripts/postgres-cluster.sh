#!/usr/bin/env bash
# A throwaway PostgreSQL cluster from Debian's postgresql package, for the tests and for a local run on PostgreSQL.
#
#   scripts/postgres-cluster.sh start DIR   creates the cluster in DIR (initdb), starts it on a free TCP port of
#                                           127.0.0.1 with its socket in DIR, and prints its connection string
#   scripts/postgres-cluster.sh stop DIR    stops it (fast shutdown); a missing or stopped cluster is not an error
#   scripts/postgres-cluster.sh crash DIR   stops it at once, as a crash would (immediate shutdown: no checkpoint,
#                                           every connection cut), for the tests of what the hub does then
#   scripts/postgres-cluster.sh resume DIR  starts a stopped cluster again, on its port (it recovers first)
#
# The caller removes DIR after stop and arranges for stop to run even when it fails (trap ... EXIT). initdb refuses to
# run as root, so as root the cluster belongs to the `postgres` user (runuser); otherwise to the caller. The cluster
# trusts local connections: it is for tests and development on one machine, never for production.
set -euo pipefail

command=${1:-}
dir=${2:-}
if [ -z "$command" ] || [ -z "$dir" ]; then
  echo "usage: $0 start|stop|crash|resume DIR" >&2
  exit 2
fi

bindir=""
if command -v pg_config >/dev/null 2>&1; then bindir=$(pg_config --bindir); fi
if [ -z "$bindir" ] || [ ! -x "$bindir/initdb" ]; then
  bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
fi
if [ -z "$bindir" ] || [ ! -x "$bindir/initdb" ]; then
  echo "PostgreSQL is not installed (Debian: apt-get install postgresql; scripts/install-tools.sh does so as root)" >&2
  exit 3
fi

as_owner() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

case "$command" in
  start)
    mkdir -p "$dir"
    if [ "$(id -u)" -eq 0 ]; then
      chown postgres "$dir"
      # The postgres user must be able to reach DIR (a folder under root's home or a private temp folder is not).
      parent=$(dirname "$(readlink -f "$dir")")
      while [ "$parent" != "/" ]; do chmod o+x "$parent" 2>/dev/null || true; parent=$(dirname "$parent"); done
    fi
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' 2>/dev/null \
      || node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
    as_owner "$bindir/initdb" --pgdata="$dir/data" --username=postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 \
      >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; exit 1; }
    # Sized for a test run of a few hundred databases and two hub replicas on one machine. fsync stays on: the tests
    # check what is durable.
    cat >>"$dir/data/postgresql.conf" <<EOF
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$dir'
max_connections = 300
shared_buffers = 128MB
max_locks_per_transaction = 128
EOF
    as_owner "$bindir/pg_ctl" --pgdata="$dir/data" --log="$dir/postgres.log" --wait --timeout=60 start >/dev/null \
      || { cat "$dir/postgres.log" >&2; exit 1; }
    echo "Host=127.0.0.1;Port=$port;Username=postgres;Database=postgres"
    ;;
  stop)
    if [ -f "$dir/data/postmaster.pid" ]; then
      as_owner "$bindir/pg_ctl" --pgdata="$dir/data" --mode=fast --wait --timeout=60 stop >/dev/null 2>&1 \
        || as_owner "$bindir/pg_ctl" --pgdata="$dir/data" --mode=immediate stop >/dev/null 2>&1 || true
    fi
    ;;
  crash)
    as_owner "$bindir/pg_ctl" --pgdata="$dir/data" --mode=immediate --wait stop >/dev/null
    ;;
  resume)
    as_owner "$bindir/pg_ctl" --pgdata="$dir/data" --log="$dir/postgres.log" --wait --timeout=60 start >/dev/null \
      || { cat "$dir/postgres.log" >&2; exit 1; }
    ;;
  *)
    echo "usage: $0 start|stop|crash|resume DIR" >&2
    exit 2
    ;;
esac

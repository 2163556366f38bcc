#!/usr/bin/env bash
# Runs the hub on PostgreSQL (docs/postgres.md).
#
#   scripts/run-postgres.sh [HUB ARGS...]
#       starts a local PostgreSQL cluster in data/postgres (scripts/postgres-cluster.sh; kept between runs, stopped when
#       the hub stops), creates the database "ebakul" in it, and runs one hub on it (gRPC 127.0.0.1:5080, JSON :5081, metrics and health :5082)
#   EBAKUL_POSTGRES="Host=db.example;Database=ebakul;Username=ebakul;Password=..." scripts/run-postgres.sh [HUB ARGS...]
#       runs the hub on an existing server's database instead (created and migrated by the hub if it is empty)
#   EBAKUL_REPLICAS=2 scripts/run-postgres.sh
#       runs two replicas on the one database: the second on gRPC :5180, JSON :5181 and :5182 (put a load balancer in front)
#
# Arguments after the script name go to every replica (e.g. --DemoData:Enabled=true). Ctrl+C stops everything.
set -euo pipefail
cd "$(dirname "$0")/.."

replicas=${EBAKUL_REPLICAS:-1}
cluster=""
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  if [ -n "$cluster" ]; then scripts/postgres-cluster.sh stop "$cluster" >/dev/null 2>&1 || true; fi
}
trap cleanup EXIT INT TERM

if [ -n "${EBAKUL_POSTGRES:-}" ]; then
  connection=$EBAKUL_POSTGRES
else
  cluster=$(pwd)/data/postgres
  if [ -f "$cluster/data/postmaster.pid" ] && [ -f "$cluster/connection" ]; then
    echo "PostgreSQL cluster in $cluster seems to run already (remove $cluster/data/postmaster.pid if it does not)" >&2
    exit 1
  fi
  if [ -d "$cluster/data" ]; then
    # A cluster of an earlier run: start it again on its port.
    bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
    if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$bindir/pg_ctl" --pgdata="$cluster/data" --log="$cluster/postgres.log" --wait start >/dev/null
    else "$bindir/pg_ctl" --pgdata="$cluster/data" --log="$cluster/postgres.log" --wait start >/dev/null; fi
    server=$(cat "$cluster/connection")
  else
    server=$(scripts/postgres-cluster.sh start "$cluster")
    echo "$server" >"$cluster/connection"
  fi
  psql "host=127.0.0.1 port=$(sed -E 's/.*Port=([0-9]+).*/\1/' <<<"$server") user=postgres dbname=postgres" -tAc \
    "SELECT 1 FROM pg_database WHERE datname = 'ebakul'" | grep -q 1 \
    || psql "host=127.0.0.1 port=$(sed -E 's/.*Port=([0-9]+).*/\1/' <<<"$server") user=postgres dbname=postgres" -qc "CREATE DATABASE ebakul"
  connection="${server/Database=postgres/Database=ebakul}"
  echo "PostgreSQL: $connection (cluster in $cluster, stopped when the hub stops)"
fi

dotnet build src/EBakul.Hub --configuration Release --nologo -v quiet
# Migrations first, once: the replicas then start on a migrated database.
dotnet run --project src/EBakul.Hub --configuration Release --no-build -- migrate \
  --Database:Provider=Postgres "--ConnectionStrings:Postgres=$connection" "$@"
for i in $(seq 1 "$replicas"); do
  grpc=$((5080 + (i - 1) * 100)); http=$((grpc + 1)); management=$((grpc + 2))
  dotnet run --project src/EBakul.Hub --configuration Release --no-build -- \
    --Database:Provider=Postgres "--ConnectionStrings:Postgres=$connection" \
    --Kestrel:Endpoints:Grpc:Url=http://127.0.0.1:$grpc --Kestrel:Endpoints:Http:Url=http://127.0.0.1:$http \
    --Kestrel:Endpoints:Management:Url=http://127.0.0.1:$management "$@" &
  pids+=($!)
  echo "replica $i: gRPC http://127.0.0.1:$grpc, JSON http://127.0.0.1:$http, metrics and health http://127.0.0.1:$management"
  # The first replica creates the development callers of an empty database before the next one starts.
  [ "$i" -lt "$replicas" ] && sleep 8
done
wait -n "${pids[@]}"

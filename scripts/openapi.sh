#!/usr/bin/env bash
# Writes the hub's OpenAPI document (generated from the protos and their comments by the built hub) to
# clients/openapi/ebakul-hub.v1.json. Needs a Release build (dotnet build EBakul.sln -c Release).
# scripts/test.sh runs it and fails when the committed copy differs.
set -euo pipefail
cd "$(dirname "$0")/.."
out=clients/openapi/ebakul-hub.v1.json
work=$(mktemp -d)
hub_pid=""
cleanup() {
  if [ -n "$hub_pid" ]; then kill "$hub_pid" 2>/dev/null || true; wait "$hub_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

# Port 0: the system picks free ports; the hub prints the addresses it listens on.
dotnet src/EBakul.Hub/bin/Release/net10.0/EBakul.Hub.dll \
  --Database:Path="$work/hub.db" --Access:CreateDevelopmentCredential=false \
  --Kestrel:Endpoints:Grpc:Url=http://127.0.0.1:0 --Kestrel:Endpoints:Http:Url=http://127.0.0.1:0 \
  --Kestrel:Endpoints:Management:Url=http://127.0.0.1:0 \
  --Logging:LogLevel:Microsoft.Hosting.Lifetime=Information >"$work/hub.log" 2>&1 &
hub_pid=$!

http=""
for _ in $(seq 1 120); do
  for address in $(grep -o 'Now listening on: http://127.0.0.1:[0-9]*' "$work/hub.log" | sed 's/Now listening on: //'); do
    if curl -sf "$address/openapi/v1.json" -o "$work/openapi.json" 2>/dev/null; then http=$address; break 2; fi
  done
  kill -0 "$hub_pid" 2>/dev/null || { cat "$work/hub.log" >&2; echo "the hub exited" >&2; exit 1; }
  sleep 0.5
done
[ -n "$http" ] || { cat "$work/hub.log" >&2; echo "the hub did not serve /openapi/v1.json" >&2; exit 1; }
mkdir -p "$(dirname "$out")"
cp "$work/openapi.json" "$out"
echo "wrote $out"

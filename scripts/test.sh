#!/usr/bin/env bash
# Runs every check and test of the repository: proto lint, the OpenAPI document (regenerated from the built hub,
# compared with the committed copy, linted), the xunit suite (which also starts the real hub process for the
# end-to-end tests) on SQLite and again, the hub's tests, on PostgreSQL (a throwaway cluster this script starts and
# always stops: scripts/postgres-cluster.sh), the TypeScript client's generated-code check and tests, a client generated
# from the OpenAPI document (tests/openapi-client) and the reference page in a browser, the dashboard's browser test, then the benchmark's smoke run
# (every scenario at a tiny size, in seconds: it fails only when a scenario fails, never on a figure).
# Prints "N passed, N failed" at the end, and before it the tests that failed with their messages (scripts/failed-tests.mjs).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-tools.sh

echo "== buf lint"
node_modules/.bin/buf lint

echo "== buf breaking (against the released v1 contracts, protos/v1-released.binpb)"
# v1 only grows: new fields and values, nothing renamed or renumbered. A release refreshes the image with
# node_modules/.bin/buf build -o protos/v1-released.binpb
node_modules/.bin/buf breaking --against protos/v1-released.binpb

echo "== dotnet build"
# The whole solution: dotnet test alone builds only the test projects and what they reference, not the benchmark.
dotnet build EBakul.sln --configuration Release

echo "== OpenAPI document (clients/openapi)"
scripts/openapi.sh
if ! git diff --exit-code -- clients/openapi; then
  echo "clients/openapi/ebakul-hub.v1.json is stale: run scripts/openapi.sh and commit the result" >&2
  exit 1
fi
REDOCLY_TELEMETRY=off NO_UPDATE_NOTIFIER=1 node_modules/.bin/redocly lint clients/openapi/ebakul-hub.v1.json --format=summary

echo "== dotnet test"
rm -rf TestResults
status=0
dotnet test EBakul.sln --configuration Release --no-build \
  --logger "trx;LogFilePrefix=results" --logger "console;verbosity=minimal" \
  --results-directory TestResults || status=$?

echo "== dotnet test on PostgreSQL (the hub's tests, every hub on a database of its own in a throwaway cluster)"
# Tests about SQLite's files by nature are skipped there, each with its reason (SqliteOnlyFact).
pg_dir=$(mktemp -d "${TMPDIR:-/tmp}/ebakul-pg.XXXXXX")
stop_cluster() { scripts/postgres-cluster.sh stop "$pg_dir" >/dev/null 2>&1 || true; rm -rf "$pg_dir"; }
trap stop_cluster EXIT
if pg_server=$(scripts/postgres-cluster.sh start "$pg_dir"); then
  EBAKUL_TEST_POSTGRES="$pg_server" dotnet test tests/EBakul.Hub.Tests --configuration Release --no-build \
    --logger "trx;LogFilePrefix=postgres" --logger "console;verbosity=minimal" \
    --results-directory TestResults || status=$?
else
  echo "the PostgreSQL cluster did not start: the PostgreSQL run of the tests is missing" >&2
  status=1
fi
stop_cluster
trap - EXIT

echo "== TypeScript client (@ebakul/client)"
# The generated code must be what buf generate makes from protos/ today; then the package's tests run against
# a hub process they start themselves (the Release build above) and always stop.
ts_results=TestResults/typescript-client.tap
(
  cd clients/typescript
  npm run --silent generate
  git diff --exit-code -- src/gen
  if [ -n "$(git status --porcelain -- src/gen)" ]; then
    echo "clients/typescript/src/gen is not committed as generated:" >&2
    git status --porcelain -- src/gen >&2
    exit 1
  fi
  npm run --silent build
) || status=1
node --test --test-reporter=tap clients/typescript/test/*.test.mjs >"$ts_results" || status=1
grep -E '^# (pass|fail) ' "$ts_results" || true

echo "== a client generated from the OpenAPI document, and the reference page (/docs) in a browser"
# openapi-typescript makes types of clients/openapi/ebakul-hub.v1.json, tsc checks tests/openapi-client/program.ts
# against them, and the program (openapi-fetch) runs against a hub process the test starts and always stops; the
# reference page must load nothing from another host (Debian's chromium, playwright-core).
openapi_client_results=TestResults/openapi-client.tap
node --test --test-reporter=tap tests/openapi-client/*.test.mjs >"$openapi_client_results" || status=1
grep -E '^# (pass|fail|skipped) |# SKIP' "$openapi_client_results" || true

echo "== dashboard in a browser (Debian's chromium, playwright-core, axe-core)"
# Starts its own hub processes with demo data (integrity.test.mjs: one with planted integrity cases); screenshots, the
# print view as PDF and CSVs go to TestResults/dashboard/ (artifacts).
dashboard_results=TestResults/dashboard.tap
node --test --test-reporter=tap tests/dashboard/*.test.mjs >"$dashboard_results" || status=1
grep -E '^# (pass|fail|skipped) |# SKIP' "$dashboard_results" || true

echo "== the docs run (README.md and docs/clients.md shell blocks, the PHP example) against a demo hub"
# On the documented addresses 127.0.0.1:5080 and :5081; each page's output goes to TestResults/docs/.
# tests/docs/reasons.test.mjs (no hub) checks that docs/errors.md lists every error reason the hub raises, and only those.
docs_results=TestResults/docs.tap
node --test --test-reporter=tap tests/docs/*.test.mjs >"$docs_results" || status=1
grep -E '^# (pass|fail|skipped) |# SKIP|^not ok' "$docs_results" || true

echo "== benchmark smoke (figures not judged)"
smoke=0
dotnet run --configuration Release --no-build --project benchmarks/EBakul.Benchmarks -- --smoke || smoke=$?
if [ "$smoke" -ne 0 ]; then
  echo "benchmark smoke run failed ($smoke)" >&2
  status=1
fi

passed=0; failed=0
for trx in TestResults/*.trx; do
  [ -f "$trx" ] || continue
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -1)
  p=$(sed -E 's/.* passed="([0-9]+)".*/\1/' <<<"$counters")
  f=$(sed -E 's/.* failed="([0-9]+)".*/\1/' <<<"$counters")
  passed=$((passed + p)); failed=$((failed + f))
done
for tap in "$ts_results" "$openapi_client_results" "$dashboard_results" "$docs_results"; do
  [ -f "$tap" ] || continue
  p=$(sed -nE 's/^# pass ([0-9]+)$/\1/p' "$tap" | tail -1)
  f=$(sed -nE 's/^# fail ([0-9]+)$/\1/p' "$tap" | tail -1)
  passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0}))
done
if [ "$failed" -ne 0 ]; then
  # Last but one: which tests failed and why, so that the end of a long log names them.
  echo "failed:"
  node scripts/failed-tests.mjs TestResults || true
fi
echo "tests: $passed passed, $failed failed"
if [ "$passed" -eq 0 ] && [ "$status" -eq 0 ]; then
  echo "no test ran" >&2
  exit 1
fi
exit $status

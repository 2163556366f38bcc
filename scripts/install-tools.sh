#!/usr/bin/env bash
# Installs the command-line tools the repository uses: buf and redocly (from npm) and the local dotnet tools; Chart.js
# (embedded in the hub's dashboard at build time), playwright-core and axe-core (the dashboard's browser test and its
# accessibility check) from npm; openapi-typescript, openapi-fetch and typescript (the generated-client test of the
# OpenAPI document, tests/openapi-client); oidc-provider (the test issuer of access tokens, tests/oidc-issuer); Debian's chromium (apt, as root) for the dashboard's browser test; Debian's
# postgresql (apt, as root) for the tests on PostgreSQL; jq, php-cli and php-curl (apt, as root) for the docs test.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x node_modules/.bin/buf ] || [ ! -x node_modules/.bin/redocly ] || [ ! -f node_modules/chart.js/dist/chart.umd.min.js ] \
  || [ ! -d node_modules/playwright-core ] || [ ! -f node_modules/axe-core/axe.min.js ] || [ ! -x node_modules/.bin/openapi-typescript ] \
  || [ ! -d node_modules/openapi-fetch ] || [ ! -x node_modules/.bin/tsc ] || [ ! -d node_modules/oidc-provider ]; then
  # npm ci refuses a lock file that lacks any platform's optional buf binary; npm install then installs
  # the pinned versions for this platform without touching package.json or the lock file.
  npm ci --no-fund --no-audit --loglevel=error 2>/dev/null \
    || npm install --no-save --no-fund --no-audit --loglevel=error
fi
# The TypeScript client package's dependencies (protoc-gen-es, Connect-ES, tsc), pinned by its own lock file.
if [ ! -x clients/typescript/node_modules/.bin/tsc ]; then
  (cd clients/typescript && { npm ci --no-fund --no-audit --loglevel=error 2>/dev/null \
    || npm install --no-save --no-fund --no-audit --loglevel=error; })
fi
dotnet tool restore >/dev/null
# promtool, for the tests of deploy/prometheus (promtool check config, test rules, check metrics): the one binary of
# Debian's prometheus package, unpacked under .tools/ (nothing is installed or started). Without apt-get the tests
# check those files without it.
if [ ! -x .tools/promtool ] && command -v apt-get >/dev/null && command -v dpkg-deb >/dev/null; then
  download=$(mktemp -d)
  if (cd "$download" && { apt-get download prometheus >/dev/null 2>&1 \
        || { [ "$(id -u)" = 0 ] && apt-get update -qq >/dev/null 2>&1 && apt-get download prometheus >/dev/null 2>&1; }; }); then
    mkdir -p .tools
    dpkg-deb --fsys-tarfile "$download"/prometheus_*.deb | tar -x -O ./usr/bin/promtool > .tools/promtool.part \
      && chmod +x .tools/promtool.part && mv .tools/promtool.part .tools/promtool
  else
    echo "promtool not available (apt-get download prometheus failed): deploy/prometheus is checked without it" >&2
  fi
  rm -rf "$download" .tools/promtool.part
fi
# Debian's chromium drives the dashboard's browser test (tests/dashboard). It needs root and apt; without it that test
# is skipped and says why.
if ! command -v chromium >/dev/null 2>&1 && [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
  if ! { DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium >/dev/null 2>&1 \
      || { apt-get update >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium >/dev/null; }; }; then
    echo "chromium could not be installed with apt: the dashboard's browser test will be skipped" >&2
  fi
fi
# jq (the README's and docs/clients.md's shell examples pick fields of answers with it), and php-cli with php-curl (the
# PHP example of docs/clients.md): the docs test (tests/docs) runs them. Without apt the PHP example is skipped.
if { ! command -v jq >/dev/null 2>&1 || ! command -v php >/dev/null 2>&1 || ! php -m 2>/dev/null | grep -qx curl; } \
  && [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
  if ! { DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends jq php-cli php-curl >/dev/null 2>&1 \
      || { apt-get update >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends jq php-cli php-curl >/dev/null; }; }; then
    echo "jq, php-cli or php-curl could not be installed with apt: the docs test will fail or skip the PHP example" >&2
  fi
fi
# Debian's postgresql: the test command runs the suite on PostgreSQL too, in a throwaway cluster of its own
# (scripts/postgres-cluster.sh). Only the binaries are needed; the package's own cluster is not used.
if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 && [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
  if ! { DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends postgresql >/dev/null 2>&1 \
      || { apt-get update >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends postgresql >/dev/null; }; }; then
    echo "postgresql could not be installed with apt: the PostgreSQL tests cannot run" >&2
  fi
fi

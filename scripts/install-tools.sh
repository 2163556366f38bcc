#!/usr/bin/env bash
# Installs the command-line tools the repository uses: buf and redocly (from npm) and the local dotnet tools.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x node_modules/.bin/buf ] || [ ! -x node_modules/.bin/redocly ]; then
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

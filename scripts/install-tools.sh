#!/usr/bin/env bash
# Installs the command-line tools the repository uses: buf (from npm) and the local dotnet tools.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x node_modules/.bin/buf ]; then
  npm ci --no-fund --no-audit --loglevel=error
fi
dotnet tool restore >/dev/null

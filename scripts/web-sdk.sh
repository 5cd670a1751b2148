#!/usr/bin/env bash
# Installs, builds and tests the browser SDK (clients/web). The build (with the gzip budget) runs in its checking
# form: it copies nothing and fails when the bundles served from src/Callscope.Server/wwwroot/sdk are not the ones a
# fresh build makes (after a change to the SDK, run `npm run build` in clients/web and commit the copies).
# Needs Node 20+ and npm.
set -euo pipefail
cd "$(dirname "$0")/../clients/web"
npm ci --no-audit --no-fund --loglevel=error
npm run check-served
npm test

#!/usr/bin/env bash
# Installs, builds and tests the browser SDK (clients/web), and checks that the bundles served from
# src/Callscope.Server/wwwroot/sdk are the ones a fresh build makes. Needs Node 20+ and npm.
set -euo pipefail
cd "$(dirname "$0")/../clients/web"
npm ci --no-audit --no-fund --loglevel=error
npm run build
npm test
npm run check-served

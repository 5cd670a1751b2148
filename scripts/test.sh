#!/usr/bin/env bash
# Runs every test of Callscope: every suite on SQLite, and the data-facing suites (store and API) again on
# PostgreSQL. Installs what the tests need when it is missing (Node packages for the LiveKit webhook generator,
# Debian's Chromium for the dashboard tests, a PostgreSQL server), then prints "N passed, N failed" from the
# test results and exits non-zero on any failure.
set -uo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
results="$root/artifacts/test-results"
rm -rf "$results"
mkdir -p "$results"

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
apt_updated=
apt_install() {
  [ -n "$apt_updated" ] || { as_root apt-get update -qq >/dev/null; apt_updated=1; }
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "$@" >/dev/null
}

# Dashboard tests drive Debian's Chromium (Playwright cannot download browsers here).
if [ -d tests/Callscope.Dashboard.Tests ] && [ ! -x /usr/bin/chromium ]; then
  echo "Installing Chromium for the dashboard tests..."
  apt_install chromium fonts-dejavu-core || { echo "Chromium could not be installed"; exit 1; }
fi

# Genuine LiveKit webhook requests are built with LiveKit's own npm packages.
if [ -f tests/livekit-webhooks/package.json ]; then
  echo "Generating LiveKit webhook fixtures..."
  (cd tests/livekit-webhooks && npm ci --no-audit --no-fund --loglevel=error && node generate.mjs) || { echo "LiveKit fixture generation failed"; exit 1; }
fi

# The data-facing suites run a second time on PostgreSQL: a throwaway server unless one is configured.
pg_dir=
if [ -z "${CALLSCOPE_TEST_POSTGRES:-}" ]; then
  echo "Starting a throwaway PostgreSQL..."
  pg=$(bash scripts/postgres.sh) || { echo "PostgreSQL could not be started"; echo "0 passed, 1 failed"; exit 1; }
  pg_dir=$(sed -n 1p <<<"$pg")
  export CALLSCOPE_TEST_POSTGRES=$(sed -n 2p <<<"$pg")
  trap 'bash scripts/postgres.sh stop "$pg_dir"' EXIT
fi

dotnet build Callscope.slnx -c Release -nologo -v quiet -warnaserror || { echo "0 passed, 1 failed"; exit 1; }

status=0
passed=0
failed=0

# The browser SDK (clients/web): built, its own tests run with Node's test runner, and the server's copies of its
# bundles checked against the fresh build.
echo "Building and testing the browser SDK..."
bash scripts/web-sdk.sh 2>&1 | tee "$results/web-sdk.log"
sdk_status=${PIPESTATUS[0]}
sdk_passed=$(sed -n 's/^# pass \([0-9]*\)$/\1/p' "$results/web-sdk.log" | tail -n 1)
sdk_failed=$(sed -n 's/^# fail \([0-9]*\)$/\1/p' "$results/web-sdk.log" | tail -n 1)
passed=$((passed + ${sdk_passed:-0}))
failed=$((failed + ${sdk_failed:-0}))
if [ "$sdk_status" -ne 0 ]; then
  status=$sdk_status
  [ "${sdk_failed:-0}" -eq 0 ] && failed=$((failed + 1))
fi

echo "Running every test suite on SQLite..."
dotnet test --solution Callscope.slnx -c Release --no-build --report-trx --results-directory "$results/sqlite" || status=$?
for project in tests/Callscope.Data.Tests tests/Callscope.Server.Tests; do
  echo "Running $(basename "$project") on PostgreSQL..."
  CALLSCOPE_TEST_PROVIDER=postgres dotnet test --project "$project" -c Release --no-build --report-trx \
    --results-directory "$results/postgres" || status=$?
done

for trx in "$results"/*/*.trx; do
  [ -e "$trx" ] || continue
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -n 1)
  p=$(sed -n 's/.* passed="\([0-9]*\)".*/\1/p' <<<"$counters")
  f=$(sed -n 's/.* failed="\([0-9]*\)".*/\1/p' <<<"$counters")
  passed=$((passed + ${p:-0}))
  failed=$((failed + ${f:-0}))
done

# Name every failed test with the first line of its message, so a run's record says what to look at.
for trx in "$results"/*/*.trx; do
  [ -e "$trx" ] || continue
  if ! command -v python3 >/dev/null; then
    grep -o '<UnitTestResult [^>]*outcome="Failed"[^>]*>' "$trx" | sed 's/.* testName="\([^"]*\)".*/FAILED: \1/'
    continue
  fi
  python3 - "$trx" <<'PY' || true
import sys, xml.etree.ElementTree as ET
ns = {"t": "http://microsoft.com/schemas/VisualStudio/TeamTest/2010"}
store = sys.argv[1].split("/")[-2]
for result in ET.parse(sys.argv[1]).getroot().iterfind(".//t:UnitTestResult", ns):
    if result.get("outcome") != "Failed":
        continue
    message = result.find("t:Output/t:ErrorInfo/t:Message", ns)
    first = (message.text or "").strip().splitlines()[0] if message is not None and message.text else ""
    print(f"FAILED ({store}): {result.get('testName')}: {first[:400]}")
PY
done

if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
  failed=1
fi
echo "$passed passed, $failed failed"
[ "$status" -eq 0 ] && [ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]

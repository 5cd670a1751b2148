#!/usr/bin/env bash
# Prints, every INTERVAL seconds for SECONDS seconds, the cores used by the bench's Callscope server, by every
# PostgreSQL process, by the bench itself (the load generator and its baselines), and the cores left idle: user and
# system time from /proc, read apart while a bench runs beside it. docs/benchmarks.md uses it to say where each
# event's time goes.
#   scripts/cpu-split.sh 300 5 > cpu.txt &   then start the bench
set -euo pipefail

seconds=${1:?seconds to watch}
interval=${2:-5}
ticks=$(getconf CLK_TCK)

# The summed user and system ticks of the processes named by pgrep's arguments; a process that ends between the
# listing and the read counts nothing.
ticks_of() {
  local total=0 pid used
  for pid in $(pgrep "$@" || true); do
    used=$(awk '{ print $14 + $15 }' "/proc/$pid/stat" 2>/dev/null || echo 0)
    total=$((total + used))
  done
  echo "$total"
}

idle_ticks() { awk '/^cpu / { print $5 }' /proc/stat; }

cores() { awk -v d="$1" -v t="$ticks" -v s="$interval" 'BEGIN { printf "%.2f", (d < 0 ? 0 : d) / t / s }'; }

echo "time server postgres bench idle"
end=$((SECONDS + seconds))
while [ "$SECONDS" -lt "$end" ]; do
  server=$(ticks_of -f "callscope.dll --urls") postgres=$(ticks_of -x postgres) bench=$(ticks_of -f "Callscope.Bench") idle=$(idle_ticks)
  sleep "$interval"
  # A process that ended within the interval takes its ticks out of the sum: a difference below 0 is shown as 0.
  echo "$(date +%T) $(cores $(($(ticks_of -f "callscope.dll --urls") - server))) $(cores $(($(ticks_of -x postgres) - postgres)))" \
    "$(cores $(($(ticks_of -f "Callscope.Bench") - bench))) $(cores $(($(idle_ticks) - idle)))"
done

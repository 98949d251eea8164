#!/usr/bin/env bash
# TLB-shootdown strategies compared on mmapstorm with 8 harts in lockstep (reproducible figures),
# default cost model and lookahead unless extra options say otherwise.
# Prints a Markdown table and writes bench/results/strategies.csv (+ one stats JSON per strategy).
# Usage: bench/strategy-table.sh [THREADS ITERS PAGES] [extra hartlab options...]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
args=("${1:-8}" "${2:-200}" "${3:-8}")
shift $(( $# < 3 ? $# : 3 )) || true
out="$root/bench/results"
mkdir -p "$out"
csv="$out/strategies.csv"
echo "strategy,shootdowns,full_shootdowns,ipis,cycles_p50,cycles_p99,cycles_max,busiest_hart_cycles,host_seconds" > "$csv"
printf '| strategy | shootdowns | IPIs | cycles/shootdown p50 | p99 | run length (busiest hart, cycles) | host s |\n'
printf '|---|---:|---:|---:|---:|---:|---:|\n'
for s in $("$root/hartlab" strategies | awk '{print $1}'); do
  json="$out/strategy-$s.json"
  "$root/hartlab" boot mmapstorm --cores 8 --exec lockstep --shootdown "$s" --stats none \
    --stats-file "$json" "$@" -- "${args[@]}" > /dev/null
  python3 - "$json" "$s" "$csv" <<'PY'
import json, sys
d = json.load(open(sys.argv[1])); s = sys.argv[2]
t = d["totals"]; lat = d["latency"]["shootdownLatencyCycles"]
row = [s, t["shootdowns"], t["fullShootdowns"], t["ipisSent"], lat["p50"], lat["p99"], lat["max"],
       t["busyCycles"], round(d["hostSeconds"], 3)]
open(sys.argv[3], "a").write(",".join(map(str, row)) + "\n")
print("| %s | %s | %s | %s | %s | %s | %s |" % (s, f"{row[1]:,}", f"{row[3]:,}", f"{row[4]:,}",
      f"{row[5]:,}", f"{row[7]:,}", row[8]))
PY
done
echo "written to $csv" >&2

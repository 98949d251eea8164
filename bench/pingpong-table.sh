#!/usr/bin/env bash
# Context-switch cost: pingpong (processes and threads) under every lazy-TLB mode, ASIDs on and
# off, in lockstep, on one hart (every hand-over a direct switch) and across two harts (pingpong
# -x: each side idles between tokens, so every hand-over goes through idle, the lazy-TLB path).
# Prints a Markdown table and writes bench/results/pingpong.csv.
# Emulated cycles come from the guest's own rdcycle; host ns per switch is the run's host time
# divided by its context switches (so it includes everything else the run did).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
rounds="${1:-200000}"
out="$root/bench/results"
mkdir -p "$out"
csv="$out/pingpong.csv"
echo "harts,lazy_tlb,kind,asid,cycles_per_switch,host_ns_per_switch,switches" > "$csv"
printf '| harts | lazy TLB | kind | ASID | cycles/switch | host ns/switch |\n|---|---|---|---|---:|---:|\n'
for harts in 1 2; do
for lazy in refcount shootdown off; do
  for kind in processes threads; do
    for asid in on off; do
      flag=(); [ "$kind" = threads ] && flag=(-t); [ "$harts" = 2 ] && flag+=(-x)
      json="$out/pingpong-$harts-$lazy-$kind-$asid.json"
      guest=$("$root/hartlab" boot pingpong --cores "$harts" --exec lockstep --lazy-tlb "$lazy" --asid "$asid" \
        --stats none --stats-file "$json" -- "${flag[@]}" "$rounds")
      cycles=$(sed -n 's/^cycles per switch: //p' <<<"$guest")
      read -r ns switches < <(python3 -c "import json,sys; d=json.load(open(sys.argv[1])); s=d['totals']['contextSwitches']; print(round(d['hostSeconds']*1e9/s), s)" "$json")
      echo "$harts,$lazy,$kind,$asid,$cycles,$ns,$switches" >> "$csv"
      printf '| %s | %s | %s | %s | %s | %s |\n' "$harts" "$lazy" "$kind" "$asid" "$cycles" "$ns"
    done
  done
done
done
echo "written to $csv" >&2

#!/bin/bash
# transfers.sh - `cointrail ingest transfers` throughput (rows/s) on a large
# generated CSV (bench/gen_transfers.c): median of ROUNDS runs, each into a
# fresh data directory, the input in the page cache, `sync` before each.
#
# usage: bench/transfers.sh [CLI] [ROWS] [ADDRESSES]
#        (defaults: build/src/cli/cointrail, 10000000, 1000000)
# env:   BENCH_DIR (scratch, default /tmp/cointrail-bench), ROUNDS (3),
#        GEN (the gen_transfers binary, default next to CLI's build)
set -euo pipefail
CLI=$(readlink -f "${1:-build/src/cli/cointrail}")
ROWS=${2:-10000000}
NADDR=${3:-1000000}
W=${BENCH_DIR:-/tmp/cointrail-bench}
ROUNDS=${ROUNDS:-3}
GEN=${GEN:-$(dirname "$CLI")/../../bench/gen_transfers}
mkdir -p "$W"
IN=$W/transfers-$ROWS-$NADDR.csv
if [ ! -f "$IN" ]; then
	echo "generating $ROWS rows over $NADDR addresses ..."
	"$GEN" "$ROWS" "$NADDR" 1 >"$IN.tmp"
	mv "$IN.tmp" "$IN"
fi
BYTES=$(stat -c %s "$IN")
echo "input: $IN, $((BYTES / 1000000)) MB, $ROWS rows"
cat "$IN" >/dev/null # into the page cache

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
times=()
cpus=()
for r in $(seq 1 "$ROUNDS"); do
	DB=$W/transfers-db
	rm -rf "$DB"
	sync
	/usr/bin/time -f "%e %U %S %M" -o "$W/time.txt" \
		"$CLI" --db "$DB" ingest transfers "$IN" --chain eth --json >"$W/out.json"
	read -r wall user sys rss <"$W/time.txt"
	cpu=$(echo "$user + $sys" | bc)
	rate=$(echo "scale=0; $ROWS / $wall" | bc)
	crate=$(echo "scale=0; $ROWS / $cpu" | bc)
	echo "round $r: $wall s wall, $user s user, $sys s sys, peak RSS $rss KB: $rate rows/s wall, $crate rows per CPU-second"
	times+=("$wall")
	cpus+=("$cpu")
done
med=$(printf '%s\n' "${times[@]}" | median)
cmed=$(printf '%s\n' "${cpus[@]}" | median)
echo "median: $med s wall = $(echo "scale=0; $ROWS / $med" | bc) rows/s; $cmed CPU-s = $(echo "scale=0; $ROWS / $cmed" | bc) rows per CPU-second"
du -sh "$W/transfers-db/eth" | awk '{print "store: " $1}'
rm -rf "$W/transfers-db"

#!/bin/bash
# run.sh - ingest benchmark: cointrail vs blockparser on the same
# generated legacy-format chain, in one run, reported as ratios.
#
# usage: bench/run.sh [CLI] [TXS]       (defaults: build/src/cli/cointrail, 2000000)
# env:   BENCH_DIR (scratch, default /tmp/cointrail-bench), BLOCKPARSER
#        (a built blockparser binary; else /work/peers/build-blockparser.sh
#        is run if present, else the peer is skipped with a message)
#
# The input: `cointrail synth --network mainnet --legacy` writes Bitcoin
# Core-style blk files (mainnet magic, no segwit: blockparser reads only
# legacy serialization, from a chain whose first block has a zero parent).
set -euo pipefail
CLI=$(readlink -f "${1:-build/src/cli/cointrail}")
TXS=${2:-2000000}
W=${BENCH_DIR:-/tmp/cointrail-bench}
mkdir -p "$W"
IN=$W/synth-$TXS
if [ ! -d "$IN/blocks" ]; then
	rm -rf "$IN"
	echo "generating $TXS txs ..."
	/usr/bin/time -f "synth: %e s wall, %M KB peak RSS" \
		"$CLI" synth --out "$IN" --txs "$TXS" --seed 1 --network mainnet --legacy
fi
BYTES=$(cat "$IN"/blocks/blk*.dat | wc -c)
MB=$(echo "scale=1; $BYTES/1000000" | bc)
echo "input: $IN/blocks, $MB MB"
sync

ROUNDS=${ROUNDS:-3}
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

# One round = cointrail ingest into a fresh store, then each blockparser
# mode; the page cache holds the input (read once before), and `sync`
# runs before every timed command so that no earlier writeback competes.
BP=${BLOCKPARSER:-}
if [ -z "$BP" ] && [ -x /work/peers/build-blockparser.sh ]; then
	BP=$(/work/peers/build-blockparser.sh 2>/dev/null | tail -1)
fi
[ -n "$BP" ] && [ -x "$BP" ] || BP=
if [ -n "$BP" ]; then
	mkdir -p "$W/bp/.bitcoin"
	ln -sfn "$IN/blocks" "$W/bp/.bitcoin/blocks"
fi
cat "$IN"/blocks/blk*.dat > /dev/null
: > "$W/ct.times"; : > "$W/bp.txotype.times"; : > "$W/bp.simpleStats.times"
for r in $(seq 1 "$ROUNDS"); do
	rm -rf "$W/db"; sync
	/usr/bin/time -f "%e %M %U %S" -o "$W/t" "$CLI" --db "$W/db" ingest btc "$IN/blocks" --json > "$W/ct.json"
	cat "$W/t" >> "$W/ct.times"
	if [ -n "$BP" ]; then
		for mode in txotype simpleStats; do
			sync
			BLOCKCHAIN_DIR=$W/bp /usr/bin/time -f "%e %M %U %S" -o "$W/t" "$BP" $mode > "$W/bp.$mode.out" 2>&1 || true
			cat "$W/t" >> "$W/bp.$mode.times"
		done
	fi
done
CT_TXS=$(/usr/bin/python3 -c "import json;print(json.load(open('$W/ct.json'))['txs'])")
CT_S=$(cut -d' ' -f1 "$W/ct.times" | median)
CT_RSS=$(cut -d' ' -f2 "$W/ct.times" | sort -n | tail -1)
CT_CPU=$(awk '{print $3+$4}' "$W/ct.times" | median)
echo "cointrail ingest (median of $ROUNDS): ${CT_S}s wall, $(echo "scale=1; $MB/$CT_S" | bc) MB/s," \
	"$(echo "$CT_TXS/$CT_S" | bc) txs/s; CPU ${CT_CPU}s = $(echo "scale=1; $MB/$CT_CPU" | bc) MB per CPU-second;" \
	"peak RSS ${CT_RSS} KB; store $(du -sh "$W/db" | cut -f1)"
echo "  all runs (wall KB user sys): $(tr '\n' ';' < "$W/ct.times")"
/usr/bin/python3 -c "import json; d = json.load(open('$W/ct.json')); print('  resident memory of the last run: anonymous (heap, buffers) %d KB max, file pages of the mapped store %d KB max' % (d['max_rss_anon_kb'], d['max_rss_file_kb']))"
if [ -z "$BP" ]; then
	echo "blockparser: not available (build it outside the repo, see bench/blockparser/NOTES.md); peer skipped"
	exit 0
fi
for mode in txotype simpleStats; do
	s=$(cut -d' ' -f1 "$W/bp.$mode.times" | median)
	rss=$(cut -d' ' -f2 "$W/bp.$mode.times" | sort -n | tail -1)
	echo "blockparser $mode (median): ${s}s, $(echo "scale=1; $MB/$s" | bc) MB/s, peak RSS ${rss} KB;" \
		"throughput ratio cointrail/blockparser: $(echo "scale=2; $s/$CT_S" | bc)"
done

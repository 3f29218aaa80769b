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

run_ct() {
	rm -rf "$W/db"
	/usr/bin/time -f "%e %M" -o "$W/ct.time" "$CLI" --db "$W/db" ingest btc "$IN/blocks" --json > "$W/ct.json"
	read -r secs rss < "$W/ct.time"
	txs=$(/usr/bin/python3 -c "import json;print(json.load(open('$W/ct.json'))['txs'])")
	echo "$secs $rss $txs"
}
read -r CT_S CT_RSS CT_TXS < <(run_ct)
echo "cointrail ingest: ${CT_S}s, $(echo "scale=1; $MB/$CT_S" | bc) MB/s, $(echo "$CT_TXS/$CT_S" | bc) txs/s, peak RSS ${CT_RSS} KB"
echo "  store size: $(du -sh "$W/db" | cut -f1)"

BP=${BLOCKPARSER:-}
if [ -z "$BP" ] && [ -x /work/peers/build-blockparser.sh ]; then
	BP=$(/work/peers/build-blockparser.sh 2>/dev/null | tail -1)
fi
if [ -z "$BP" ] || [ ! -x "$BP" ]; then
	echo "blockparser: not available (build it outside the repo, see bench/blockparser/NOTES.md); peer skipped"
	exit 0
fi
mkdir -p "$W/bp/.bitcoin"
ln -sfn "$IN/blocks" "$W/bp/.bitcoin/blocks"
for mode in txotype simpleStats; do
	BLOCKCHAIN_DIR=$W/bp /usr/bin/time -f "%e %M" -o "$W/bp.time" "$BP" $mode > "$W/bp.$mode.out" 2>&1 || true
	read -r s rss < "$W/bp.time"
	echo "blockparser $mode: ${s}s, $(echo "scale=1; $MB/$s" | bc) MB/s, peak RSS ${rss} KB;" \
		"cointrail/blockparser throughput ratio: $(echo "scale=2; $s/$CT_S" | bc)"
done

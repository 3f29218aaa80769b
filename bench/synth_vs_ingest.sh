#!/bin/bash
# synth_vs_ingest.sh - is the generator faster than ingest? `cointrail synth`
# and `cointrail ingest btc` on the same output, in alternating rounds of
# one script run, reported in MB/s and txs/s of that output and as a ratio.
#
# usage: bench/synth_vs_ingest.sh [CLI] [TXS]   (defaults: build/src/cli/cointrail, 2000000)
# env:   ROUNDS (default 3), BENCH_DIR (scratch, default /tmp/cointrail-bench-synth),
#        SYNTH_ARGS (default "--network mainnet --legacy --seed 1", the input of
#        bench/run.sh), SYNTH_EXTRA (added to synth only, e.g. --no-membership)
#
# One round: remove the previous output, sync, time `synth` (blocks,
# transfers.csv and truth.json: the whole command); then sync, time `ingest
# btc` of its blocks into a fresh data directory (the whole command: ingest,
# its fdatasyncs and the clustering that follows it). Both numbers are of
# the same bytes and txs (the blk files, the txs truth.json and the blk
# headers count). Every round's blocks must hash the same (determinism,
# whatever the threads' timing).
set -euo pipefail
CLI=$(readlink -f "${1:-build/src/cli/cointrail}")
TXS=${2:-2000000}
ROUNDS=${ROUNDS:-3}
W=${BENCH_DIR:-/tmp/cointrail-bench-synth}
ARGS=${SYNTH_ARGS:---network mainnet --legacy --seed 1}
EXTRA=${SYNTH_EXTRA:-}
mkdir -p "$W"
OUT=$W/synth-out
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
: > "$W/synth.times"; : > "$W/ingest.times"; : > "$W/ingest.phase"; : > "$W/blk.sums"
for r in $(seq 1 "$ROUNDS"); do
	rm -rf "$OUT" "$W/db"
	sync
	# shellcheck disable=SC2086
	CT_SYNTH_TIMES=1 /usr/bin/time -f "%e %M %U %S" -o "$W/t" "$CLI" synth --out "$OUT" --txs "$TXS" \
		$ARGS $EXTRA --quiet 2> "$W/synth.err"
	cat "$W/t" >> "$W/synth.times"
	grep 'times:' "$W/synth.err" | sed "s/^/  round $r: /" || true
	cat "$OUT"/blocks/blk*.dat | sha256sum | cut -c1-16 >> "$W/blk.sums"
	sync
	/usr/bin/time -f "%e %M %U %S" -o "$W/t" "$CLI" --db "$W/db" ingest btc "$OUT/blocks" --json > "$W/ingest.json"
	cat "$W/t" >> "$W/ingest.times"
	/usr/bin/python3 -c "import json; d = json.load(open('$W/ingest.json')); print(d['seconds'], d['txs'], d['bytes'])" >> "$W/ingest.phase"
done
BYTES=$(cat "$OUT"/blocks/blk*.dat | wc -c)
MB=$(echo "scale=1; $BYTES/1000000" | bc)
T_TXS=$(/usr/bin/python3 -c "import json; print(json.load(open('$OUT/truth.json'))['txs'])")
I_TXS=$(cut -d' ' -f2 "$W/ingest.phase" | tail -1)
I_BYTES=$(cut -d' ' -f3 "$W/ingest.phase" | tail -1)
S=$(cut -d' ' -f1 "$W/synth.times" | median)
I=$(cut -d' ' -f1 "$W/ingest.times" | median)
IP=$(cut -d' ' -f1 "$W/ingest.phase" | median)
S_CPU=$(awk '{print $3+$4}' "$W/synth.times" | median)
I_CPU=$(awk '{print $3+$4}' "$W/ingest.times" | median)
echo "output: $MB MB of blk files, $T_TXS txs (truth.json), ingest counted $I_TXS txs in $I_BYTES bytes"
[ "$T_TXS" = "$TXS" ] || echo "WARNING: synth wrote $T_TXS txs, not $TXS"
[ "$I_TXS" = "$T_TXS" ] || echo "WARNING: ingest counted $I_TXS txs, truth.json says $T_TXS"
if [ "$(sort -u "$W/blk.sums" | wc -l)" -eq 1 ]; then
	echo "determinism: the $ROUNDS rounds wrote the same blocks ($(head -1 "$W/blk.sums"))"
else
	echo "WARNING: the rounds wrote different blocks: $(tr '\n' ' ' < "$W/blk.sums")"
fi
echo "synth  (median of $ROUNDS): ${S}s wall, $(echo "scale=1; $MB/$S" | bc) MB/s," \
	"$(echo "$T_TXS/$S" | bc) txs/s; CPU ${S_CPU}s; runs (wall KB user sys): $(tr '\n' ';' < "$W/synth.times")"
echo "ingest (median of $ROUNDS): ${I}s wall, $(echo "scale=1; $MB/$I" | bc) MB/s," \
	"$(echo "$T_TXS/$I" | bc) txs/s; CPU ${I_CPU}s; runs: $(tr '\n' ';' < "$W/ingest.times")"
echo "  ingest's own phase (without clustering and exit): ${IP}s, $(echo "scale=1; $MB/$IP" | bc) MB/s"
echo "ratio synth/ingest throughput: $(echo "scale=2; $I/$S" | bc)x (whole commands)," \
	"$(echo "scale=2; $IP/$S" | bc)x (against ingest's own phase)"

#!/bin/bash
# trace_bench.sh - tracing speed on a large generated chain (bench/RESULTS.md).
#
#   bench/trace_bench.sh [CLI] [TXS] [WORKDIR]
#
# Generates `cointrail synth --txs TXS --seed 1` (default 2,000,000) in
# WORKDIR (default /tmp/cointrail-trace-bench; reused when present), ingests
# it, then measures:
#  1. edges per second for haircut: traces from the largest txs of blocks in
#     the first tenth of the chain, with no dust cutoff and through services
#     (taint spreads until the shares round to zero satoshi), median of
#     ROUNDS (default 3); edges = inputs + outputs examined, time = the
#     engine's own (stats.seconds: seeds and propagation, not the JSON),
#     and the whole command's CPU and wall time (GNU time);
#  2. the planted hot-wallet drain traced 10 hops deep (--max-hops 10,
#     through services, haircut), wall time of the whole command;
#  3. peak RSS of each (GNU time);
#  4. the ceiling: build/bench/trace_floor on the same seeds, when built.
set -euo pipefail
CLI=${1:-build/src/cli/cointrail}
TXS=${2:-2000000}
W=${3:-/tmp/cointrail-trace-bench}
ROUNDS=${ROUNDS:-3}
PY=/usr/bin/python3
mkdir -p "$W"
if [ ! -f "$W/syn/truth.json" ]; then
	rm -rf "$W/syn" "$W/db"
	"$CLI" synth --out "$W/syn" --txs "$TXS" --seed 1 --quiet
fi
if [ ! -d "$W/db" ]; then
	"$CLI" --db "$W/db" ingest btc "$W/syn/blocks" >/dev/null
fi
BLOCKS=$("$CLI" --db "$W/db" stats --json | $PY -c "import json,sys; print(json.load(sys.stdin)['chains'][0]['blocks'])")
# seeds: in blocks 120.., the tx with the most outputs of each block
SEEDS=$(for h in $(seq 120 $((120 + BLOCKS / 10)) | awk 'NR % 20 == 1' | head -5); do
	"$CLI" --db "$W/db" block "$h" --json | $PY -c "
import json,sys
b=json.load(sys.stdin)
print((b.get('txids') or [t['txid'] for t in b['txs']])[1])"
done)
SEEDS_ALL=$SEEDS
echo "chain: $TXS txs, $BLOCKS blocks; seeds: $(echo $SEEDS | wc -w) txs"
for s in $SEEDS; do
	for r in $(seq "$ROUNDS"); do
		/usr/bin/time -f "%M %U %S %e" -o "$W/rss" "$CLI" --db "$W/db" trace "$s" --policy haircut \
			--through-services --max-flows 1 --max-addresses 100 --max-patterns 100 --json > "$W/t.json"
		$PY -c "
import json; j=json.load(open('$W/t.json'))['stats']
rss, u, sy, wall = open('$W/rss').read().split()
print('%s %d %d %.4f %.0f %d %s %.4f %.2f %s' % ('$s'[:12], j['edges'], j['txs'], j['seconds'], j['edges_per_second'], j['peak_frontier'], rss, j['cpu_seconds'], float(u) + float(sy), wall))"
	done
done > "$W/edges.txt"
echo "seed edges txs seconds edges/s peak_frontier rss_kb cpu_seconds command_cpu command_wall"
cat "$W/edges.txt"
$PY - "$W/edges.txt" <<'PY'
import sys, statistics
rows = [l.split() for l in open(sys.argv[1])]
e = sum(int(r[1]) for r in rows); s = sum(float(r[3]) for r in rows); c = sum(float(r[7]) for r in rows)
by = {}
for r in rows:
    by.setdefault(r[0], []).append(float(r[4]))
cc = sum(float(r[8]) for r in rows); cw = sum(float(r[9]) for r in rows)
print("overall (engine): %d edges in %.3f s wall = %.2f M edges/s; %.3f s CPU = %.2f M edges per CPU-second; "
      "median per seed: %s; max RSS %d MB" % (
    e, s, e / s / 1e6, c, e / c / 1e6, ", ".join("%.2f M" % (statistics.median(v) / 1e6) for v in by.values()),
    max(int(r[6]) for r in rows) // 1024))
print("whole commands: %.2f s CPU (user+sys) = %.2f M edges per CPU-second, %.2f s wall" % (cc, e / cc / 1e6, cw))
PY
# the ceiling on the same seeds (bench/trace_floor.c), when it was built
# beside the CLI: propagation only, in three shapes (a hash-map frontier,
# a dense sweep, the engine's bucketed frontier); the engine's rate as a
# share of the last
FLOOR=$(dirname "$CLI")/../../bench/trace_floor
CHAIN=$("$CLI" --db "$W/db" stats --json | $PY -c "import json,sys; print(json.load(sys.stdin)['chains'][0]['chain'])")
if [ -x "$FLOOR" ]; then
	for s in $SEEDS_ALL; do "$FLOOR" "$W/db" "$CHAIN" "$s"; done > "$W/floor.txt"
	cat "$W/floor.txt"
	$PY - "$W/floor.txt" "$W/edges.txt" <<'PY'
import sys
fl = [l.split() for l in open(sys.argv[1])]
ph = [float(l[l.index("=") + 1]) for l in fl if l[0] == "pending-hash"]
sd = [float(l[l.index("=") + 1]) for l in fl if l[0] == "sweep-dense"]
bw = [float(l[l.index("=") + 1]) for l in fl if l[0] == "bucket-window"]
rows = [l.split() for l in open(sys.argv[2])]
eng = sum(int(r[1]) for r in rows) / sum(float(r[7]) for r in rows) / 1e6
m = lambda v: sum(v) / len(v)
print("ceiling (propagation only, means in M edges per CPU-second): pending-hash %.2f, sweep-dense %.2f, "
      "bucket-window %.2f (the engine's frontier); the engine's %.2f M is %.0f %% of the last" % (
          m(ph), m(sd), m(bw), eng, 100 * eng / m(bw)))
PY
else
	echo "ceiling: $FLOOR not built (cmake --build build --target trace_floor)"
fi
# the planted drain, 10 hops deep
SEEDS=$($PY - "$CLI" "$W/db" "$W/syn/truth.json" <<'PY'
import json, subprocess, sys
cli, db, truth = sys.argv[1:4]
with open(truth) as f:
    t = json.load(f)
inc = [i for i in t["incidents"] if i["name"] == "hot-wallet-drain"][0]
out = []
for txid in inc["seed_txids"]:
    tx = json.loads(subprocess.run([cli, "--db", db, "tx", txid, "--json"], capture_output=True, text=True).stdout)
    out += ["%s:%d" % (txid, o["n"]) for o in tx["outputs"] if o["address"] in inc["seed_addresses"]]
print(" ".join(out))
PY
)
for r in $(seq "$ROUNDS"); do
	/usr/bin/time -f "%e %M" -o "$W/rss" "$CLI" --db "$W/db" trace $SEEDS --max-hops 10 --through-services \
		--json > "$W/d.json"
	$PY -c "
import json; j=json.load(open('$W/d.json')); s=j['stats']
wall, rss = open('$W/rss').read().split()
print('drain 10 hops: %s BTC, %d addresses, %d txs, %d edges; engine %.3f s (CPU %.3f s), wall %s s (JSON of %d flows included), RSS %d MB' % (
    j['total'], s['addresses'], s['txs'], s['edges'], s['seconds'], s['cpu_seconds'], wall, len(j['flows']), int(rss) // 1024))"
done

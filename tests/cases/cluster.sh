# cluster.sh - common-input clustering against the generator's ground
# truth (wallet membership in truth.json): precision >= 99.9% with
# CoinJoin-shaped txs skipped; incremental updates equal one run; a reorg
# rebuilds; the collapse guard refuses and reports; cluster output shape.
source "$(dirname "$0")/common.bash"
"$CLI" synth --out "$WORK/syn" --txs 60000 --seed 11 --quiet >/dev/null
"$CLI" --db "$WORK/db" ingest btc "$WORK/syn/blocks" >/dev/null
"$CLI" --db "$WORK/db" cluster --export "$WORK/cl.csv"
"$PY" "$SRC/tests/tools/cluster_eval.py" "$WORK/syn/truth.json" "$WORK/cl.csv" --min-precision 0.999 \
	|| fail "clustering precision below 99.9%"

# A clustered address: JSON shape, and every evidence tx really spends
# from two members of the cluster.
addr=$("$PY" -c "
import csv,collections
c=collections.Counter(r['cluster'] for r in csv.DictReader(open('$WORK/cl.csv')))
print(c.most_common(1)[0][0].split(':',1)[1])")
"$CLI" --db "$WORK/db" cluster "$addr" --json --limit 50 > "$WORK/c.json"
"$PY" - "$CLI" "$WORK/db" "$WORK/c.json" <<'PY' || fail "cluster evidence"
import json, subprocess, sys
cli, db, path = sys.argv[1:4]
c = json.load(open(path))
assert c["size"] >= 2 and c["current"] is True, c
assert c["cluster"].endswith(c["addresses"][0]), c
members = set(c["addresses"])
for e in c["evidence"][:20]:
    tx = json.loads(subprocess.run([cli, "--db", db, "tx", e["tx"], "--json"], capture_output=True, text=True, check=True).stdout)
    ins = {i["address"] for i in tx["inputs"]}
    assert e["address"] in ins, (e, ins)
a = json.loads(subprocess.run([cli, "--db", db, "address", c["addresses"][-1], "--json"], capture_output=True, text=True, check=True).stdout)
assert a["cluster"] == c["cluster"], (a["cluster"], c["cluster"])
print(f"cluster of {c['size']} addresses, {len(c['evidence'])} evidence txs checked")
PY

# Change heuristics are options: switching them rebuilds, and switching
# back gives the multi-input clustering again, byte for byte.
"$CLI" --db "$WORK/db" cluster --update --change-heuristics optimal,type > "$WORK/u.json"
"$PY" -c "import json; d=json.load(open('$WORK/u.json'))['chains'][0]; assert d['rebuilt'] and d['change_merges'] > 0, d; print('change merges', d['change_merges'])" \
	|| fail "change heuristics did not apply"
"$CLI" --db "$WORK/db" cluster --export "$WORK/cl2.csv"
cmp -s "$WORK/cl.csv" "$WORK/cl2.csv" && fail "change heuristics changed nothing"
"$CLI" --db "$WORK/db" cluster --update --change-heuristics none >/dev/null
"$CLI" --db "$WORK/db" cluster --export "$WORK/cl3.csv"
cmp -s "$WORK/cl.csv" "$WORK/cl3.csv" || fail "back to multi-input only differs"

# Incremental: the linear scenario in two runs equals one run; a reorg
# (run1 then run2) equals a fresh ingest of run2.
G=$WORK/gen
"$PY" "$SRC/tests/tools/mkchain.py" --scenario all --out "$G" >/dev/null
"$CLI" --db "$WORK/one" ingest btc "$G/linear" >/dev/null
"$CLI" --db "$WORK/two" ingest btc "$G/linear/blk00000.dat" >/dev/null
"$CLI" --db "$WORK/two" ingest btc "$G/linear" >/dev/null
"$CLI" --db "$WORK/one" cluster --export "$WORK/one.csv"
"$CLI" --db "$WORK/two" cluster --export "$WORK/two.csv"
cmp -s "$WORK/one.csv" "$WORK/two.csv" || fail "incremental clustering differs from one run"
"$CLI" --db "$WORK/r" ingest btc "$G/reorg/run1" >/dev/null
"$CLI" --db "$WORK/r" ingest btc "$G/reorg/run2" >/dev/null
"$CLI" --db "$WORK/f" ingest btc "$G/reorg/run2" >/dev/null
"$CLI" --db "$WORK/r" cluster --export "$WORK/r.csv"
"$CLI" --db "$WORK/f" cluster --export "$WORK/f.csv"
cmp -s "$WORK/r.csv" "$WORK/f.csv" || fail "clustering after a reorg differs from a fresh ingest"

# The collapse guard: with a limit of 2 addresses, merges of two clusters
# of 2+ are refused and counted.
out=$(COINTRAIL_CLUSTER_GUARD=2 "$CLI" --db "$WORK/g" ingest btc "$WORK/syn/blocks" --json)
echo "$out" | "$PY" -c 'import json,sys; d=json.load(sys.stdin); assert d["cluster_merges_refused"] > 0, d; print("guard refused", d["cluster_merges_refused"], "merges")' \
	|| fail "collapse guard"
echo PASS

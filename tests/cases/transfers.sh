# transfers.sh - `ingest transfers` against an independent reading of the
# same files (tests/ref/transfers_ref.py: Python csv/json/gzip/decimal):
# per-address, per-asset received/sent/fees/balance, counts and times from
# `address --json` must equal it. Generated data (synth's NEM transfers,
# a JSON Lines file with big amounts) always; real data (ethereum-etl and
# GraphSense samples, the Bybit flows) when ../shared/data is present.
source "$(dirname "$0")/common.bash"
REF="$PY $SRC/tests/ref/transfers_ref.py"

# check DB CHAIN [--from A] FILE...: reference vs cointrail (sample of 300)
check() {
	local db=$1
	shift
	$REF "$@" >"$WORK/exp.json" || fail "reference failed on $*"
	$REF --compare "$WORK/exp.json" "$CLI" "$db" --sample 300 || fail "mismatch on $*"
	"$CLI" --db "$db" check --deep >/dev/null || fail "check --deep after $*"
}

# 1. synth's NEM transfers (fees, NEM addresses with checksums)
"$CLI" synth --out "$WORK/syn" --txs 4000 --seed 11 >/dev/null
"$CLI" --db "$WORK/nem" ingest transfers "$WORK/syn/transfers.csv" >/dev/null
check "$WORK/nem" --chain nem "$WORK/syn/transfers.csv"
# re-ingesting the same file adds nothing
d1=$(digest "$WORK/nem")
"$CLI" --db "$WORK/nem" ingest transfers "$WORK/syn/transfers.csv" 2>/dev/null >/dev/null
[ "$(digest "$WORK/nem")" = "$d1" ] || fail "re-ingest changed the store"

# `block` of an account chain: the txs of that height as the CSV has them
# (rows from files: no block hash), with and without the chain prefix;
# a height with no rows is not found
"$PY" - "$WORK/syn/transfers.csv" "$CLI" "$WORK/nem" <<'EOF' || fail "block look-up"
import csv, json, subprocess, sys
from collections import defaultdict
f, cli, db = sys.argv[1:4]
by = defaultdict(lambda: [set(), 0])
for r in csv.DictReader(open(f)):
    h = by[int(r["block_height"])]
    h[0].add("0x" + r["tx_hash"].lower().removeprefix("0x"))
    h[1] += 1
heights = sorted(by)
for n, hgt in enumerate([heights[0], heights[len(heights) // 2], heights[-1]]):
    arg = ("nem:%d" if n % 2 else "%d") % hgt
    j = json.loads(subprocess.run([cli, "--db", db, "block", arg, "--json"], check=True,
                                  capture_output=True, text=True).stdout)
    txids = {t["txid"] for t in j["txs"]}
    xfers = sum(len(t["transfers"]) for t in j["txs"])
    assert (j["chain"], j["height"], j["hash"]) == ("nem", hgt, None), j
    assert txids == by[hgt][0] and j["tx_count"] == len(by[hgt][0]), (hgt, txids ^ by[hgt][0])
    assert xfers == by[hgt][1] == j["transfer_count"], (hgt, xfers, by[hgt][1])
missing = max(heights) + 1000
r = subprocess.run([cli, "--db", db, "block", "nem:%d" % missing], capture_output=True, text=True)
assert r.returncode == 1 and "not found" in r.stderr, (r.returncode, r.stderr)
EOF

# 2. generated JSON Lines and CSV: tokens past 128 bits, exponents, unsorted
#    times, zones, failed rows, shared tx hashes, EIP-55 input
"$PY" - "$WORK" <<'EOF'
import json, random, sys
w = sys.argv[1]
random.seed(5)
addrs = ["0x%040x" % random.getrandbits(160) for _ in range(40)]
tok = "0x%040x" % random.getrandbits(160)
with open(w + "/g.jsonl", "w") as f:
    for i in range(3000):
        r = {"timestamp": 1600000000 + random.randrange(100000), "from": random.choice(addrs),
             "to": random.choice(addrs), "chain": "eth"}
        if i % 3 == 0:
            r["asset"] = tok
            r["decimals"] = 24
            r["amount"] = "%d.%024d" % (random.getrandbits(90), random.getrandbits(70) % 10**24)
        else:
            r["amount"] = random.choice(["%de-3" % random.randrange(10**9), "%d" % random.randrange(1000),
                                         "0.%018d" % random.randrange(10**18)])
        if i % 5 == 0:
            r["tx_hash"] = "0x%064x" % (i // 10)
            r["fee"] = "0.000021"
        if i % 7 == 0:
            r["block_height"] = 1000 + i
        json.dump(r, f)
        f.write("\n")
with open(w + "/g.csv", "w") as f:
    f.write("timestamp,from,to,amount,tx_hash,extra\n")
    for i in range(500):
        t = ["2021-03-04T05:06:07Z", "2021-03-04T14:06:07+09:00", "2021-03-04 05:06:07 UTC",
             "1614834367"][i % 4]
        f.write('%s,%s,%s,"%d.5",,x\n' % (t, random.choice(addrs), random.choice(addrs), i))
EOF
"$CLI" --db "$WORK/gen" ingest transfers "$WORK/g.jsonl" "$WORK/g.csv" --chain eth >/dev/null 2>&1
check "$WORK/gen" --chain eth "$WORK/g.jsonl" "$WORK/g.csv"

# 3. real data
if [ -d "$DATA/eth/raphtory-data" ]; then
	R=$DATA/eth/raphtory-data
	"$CLI" --db "$WORK/r" ingest transfers "$R/ethereum_tx.csv" "$R/token_transfers.csv" \
		"$R/transactions_03300000_03399999_small.csv.gz" >/dev/null 2>&1 || fail "raphtory ingest"
	check "$WORK/r" --chain eth "$R/ethereum_tx.csv" "$R/token_transfers.csv" \
		"$R/transactions_03300000_03399999_small.csv.gz"
	# one tx in full: one input and one output
	"$CLI" --db "$WORK/r" tx 0x0dad6736f7b17d3cfc328e3e768f5f9137de4d739c72e809f8609af552a4683f --json |
		"$PY" -c '
import json,sys
t=json.load(sys.stdin)
assert len(t["inputs"])==1 and len(t["outputs"])==1, t
assert t["inputs"][0]["address"]=="0x3960a3649aa1e985ded1e21cf8d08cfdabbe16ff", t
assert t["outputs"][0]["address"]=="0x947f707078bbb2d4bfa8a4376c7c73db09e6844a", t
assert t["outputs"][0]["amount"]=="0.024200000000000000", t   # 24200000000000000 wei
assert t["height"]==10500400 and t["time"]=="2020-07-21T03:34:24Z", t
' || fail "tx look-up"
	echo "raphtory: ok"
else
	echo "note: $DATA/eth/raphtory-data absent, real-data part skipped"
fi
G=$DATA/eth/graphsense-lib/eth
if [ -d "$G" ]; then
	for d in simple_graph complex_graph balance; do
		"$CLI" --db "$WORK/gs-$d" ingest transfers "$G/$d/transactions.csv" >/dev/null 2>&1 ||
			fail "graphsense $d ingest"
		check "$WORK/gs-$d" --chain eth "$G/$d/transactions.csv"
	done
	echo "graphsense: ok"
fi
F=$DATA/cases/bybit-2025/flows
if [ -d "$F" ]; then
	# hop files have no from column: each is one address's outflows
	froms=(0x47666fab8bd0ac7003bce3f5c3585383f09486e2 0xa4b2fd68593b6f34e51cb9edb66e71c1b4ab449e
		0xdd90071d52f20e85c89802e5dc1ec0a7b6475f92 0xf302572594a68aa8f951fae64ed3ae7da41c72be
		0x327ffe25f330d2d809106ace581099ad1af9ba23)
	for i in 1 2 3 4 5; do
		"$CLI" --db "$WORK/bybit" ingest transfers "$F/hop$i.csv" --chain eth \
			--from "${froms[$((i - 1))]}" >/dev/null 2>&1 || fail "bybit hop$i ingest"
	done
	# the reference sees the same five files, each with its sender
	for i in 1 2 3 4 5; do
		"$PY" -c '
import csv,sys
r=csv.reader(open(sys.argv[1], newline="")); h=next(r); w=csv.writer(sys.stdout, lineterminator="\n")
w.writerow(h+["from"]); [w.writerow(x+[sys.argv[2]]) for x in r]' "$F/hop$i.csv" "${froms[$((i - 1))]}"
	done >"$WORK/bybit-all.csv.tmp"
	# one header only
	awk 'NR==1 || !/^hash,/' "$WORK/bybit-all.csv.tmp" >"$WORK/bybit-all.csv"
	check "$WORK/bybit" --chain eth "$WORK/bybit-all.csv"
	# the anchor sent 400,001 ETH natively (SOURCE.txt, phase03 README)
	"$CLI" --db "$WORK/bybit" address 0x47666fab8bd0ac7003bce3f5c3585383f09486e2 --json |
		"$PY" -c '
import json,sys
a=json.load(sys.stdin)
assert a["sent"]=="400001.000000000000000000", a["sent"]
' || fail "bybit anchor outflow"
	echo "bybit: ok"
fi
echo PASS

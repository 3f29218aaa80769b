# trace_acct.sh - the account model: a hand-computed toy (dilution by a
# clean balance, a fee, unknown-origin value) under every policy, and the
# synth NEM Coincheck drain (transfers.csv) against truth.json: endpoints
# with their amounts, holdings, dusted bystanders not significant,
# conservation (stolen = held + fees + cut off), an address seed.
source "$(dirname "$0")/common.bash"
"$CLI" synth --out "$WORK/syn" --txs 20000 --seed 3 --quiet >/dev/null

# ---- the toy: accounts borrowed from the synth file (valid NEM addresses)
"$PY" - "$WORK/syn/transfers.csv" "$WORK/toy.csv" "$WORK/toy.json" <<'PY'
import csv, json, sys
addrs = []
for r in csv.DictReader(open(sys.argv[1])):
    for a in (r["from"], r["to"]):
        if a not in addrs:
            addrs.append(a)
    if len(addrs) >= 8:
        break
C, V, T, X, Y, W, Q = addrs[:7]
rows = [  # time order; amounts in XEM (6 decimals)
    ("2020-01-01T00:00:00Z", C, T, "70", "0"),    # T's clean balance
    ("2020-01-02T00:00:00Z", V, T, "30", "0"),    # the stolen 30 (seed: this tx)
    ("2020-01-03T00:00:00Z", T, X, "10", "0"),
    ("2020-01-04T00:00:00Z", T, Y, "50", "1"),    # fee 1 paid by T
    ("2020-01-05T00:00:00Z", X, W, "20", "0"),    # X held 10: 10 of unknown origin (clean)
]
with open(sys.argv[2], "w", newline="") as f:
    w = csv.writer(f)
    w.writerow(["timestamp", "from", "to", "amount", "tx_hash", "chain", "fee"])
    for k, (t, a, b, v, fee) in enumerate(rows):
        w.writerow([t, a, b, v, "%064x" % (k + 1), "nem", fee])
json.dump({"C": C, "V": V, "T": T, "X": X, "Y": Y, "W": W, "seed": "%064x" % 2}, open(sys.argv[3], "w"))
# the same flows on Ethereum, 1,000 times larger: 70,000 ETH is 7e22 wei,
# past 64 bits, so the result's wide amounts are exercised
E = ["0x%040x" % (0xc0ffee00 + i) for i in range(6)]
with open(sys.argv[2].replace("toy.csv", "toy_eth.csv"), "w", newline="") as f:
    w = csv.writer(f)
    w.writerow(["timestamp", "from", "to", "amount", "tx_hash", "chain", "fee"])
    for k, (t, a, b, v, fee) in enumerate(rows):
        a, b = (E[(C, V, T, X, Y, W).index(x)] for x in (a, b))
        w.writerow([t, a, b, str(int(v) * 1000), "0x%064x" % (k + 1), "eth", str(int(fee) * 1000)])
json.dump(dict(zip("CVTXYW", E), seed="0x%064x" % 2),
          open(sys.argv[3].replace("toy.json", "toy_eth.json"), "w"))
PY
"$CLI" --db "$WORK/toydb" ingest transfers "$WORK/toy.csv" >/dev/null
"$CLI" --db "$WORK/toydb_eth" ingest transfers "$WORK/toy_eth.csv" >/dev/null
SEED=$("$PY" -c "import json;print(json.load(open('$WORK/toy.json'))['seed'])")
SEED_ETH=$("$PY" -c "import json;print(json.load(open('$WORK/toy_eth.json'))['seed'])")
for p in poison haircut fifo lifo tiho; do
	"$CLI" --db "$WORK/toydb" trace "nem:$SEED" --policy $p --json > "$WORK/toy_$p.json"
	"$CLI" --db "$WORK/toydb_eth" trace "eth:$SEED_ETH" --policy $p --json > "$WORK/toy_eth_$p.json"
done
for chain in nem eth; do
"$PY" - "$WORK" $chain <<'PY' || fail "account toy ($chain)"
import json, sys
from decimal import Decimal as D
w, chain = sys.argv[1], sys.argv[2]
sfx, scale, asset = ("", 1, "XEM") if chain == "nem" else ("_eth", 1000, "ETH")
A = json.load(open(w + "/toy%s.json" % sfx))
# hand-computed (docs/tracing.md):
#  haircut: T holds 100 (30 tainted): X 10*0.3 = 3, Y 50*0.3 = 15, fee 1*12/40 = 0.3,
#           T keeps 11.7; X holds 10 (3 tainted) and sends 20: 10 unknown-origin clean
#           value tops it up, so W gets 3*20/20 = 3
#  fifo:    T's lots 70 clean then 30 tainted: X 0, Y 0, fee 0, T keeps 30;
#           X got clean only: W 0
#  lifo:    newest first: X 10, Y 20, fee 0; X's 10 tainted leave first: W 10
#  tiho:    taint first: X 10, Y 20; W 10
#  poison:  everything T and X send: X 10, Y 50, W 20 (not conserved)
want = {"haircut": {"X": "3", "Y": "15", "W": "3", "fees": "0.3", "T_held": "11.7"},
        "fifo": {"X": "0", "Y": "0", "W": "0", "fees": "0", "T_held": "30"},
        "lifo": {"X": "10", "Y": "20", "W": "10", "fees": "0", "T_held": "0"},
        "tiho": {"X": "10", "Y": "20", "W": "10", "fees": "0", "T_held": "0"},
        "poison": {"X": "10", "Y": "50", "W": "20"}}
for pol, exp in want.items():
    j = json.load(open("%s/toy%s_%s.json" % (w, sfx, pol)))
    g = {a["address"]: a for a in j["addresses"]}
    for k in ("X", "Y", "W"):
        got = D(g[A[k]]["amount"]) if A[k] in g else D(0)
        assert got == D(exp[k]) * scale, (pol, k, got, exp[k])
    assert all(a["asset"] == asset for a in j["addresses"]) and j["asset"] == asset
    assert D(j["total"]) == 30 * scale, (pol, j["total"])
    if pol != "poison":
        t = j["totals"][0]
        assert D(t["fees"]) == D(exp["fees"]) * scale, (pol, t)
        gt = g[A["T"]]
        assert D(gt["held"]) == D(exp["T_held"]) * scale, (pol, gt)
        # T passed on what it did not keep: to X, to Y and the fee
        assert D(gt["sent"]) == D(gt["amount"]) - D(gt["held"]), (pol, gt)
        held = sum(D(a["held"]) for a in j["addresses"])
        assert held + D(t["fees"]) == 30 * scale and t["conserved"] is True, (pol, held, t)
print("account toy ok (%s)" % chain)
PY
done

# ---- the synth NEM drain
DB=$WORK/db
"$CLI" --db "$DB" ingest transfers "$WORK/syn/transfers.csv" >/dev/null
"$PY" - "$WORK/syn/truth.json" "$WORK/svc.csv" <<'PY'
import csv, json, sys
t = json.load(open(sys.argv[1]))
with open(sys.argv[2], "w", newline="") as f:
    w = csv.writer(f)
    w.writerow(["address", "category", "name", "source"])
    for a in t["accounts"]:
        if a["kind"] in ("exchange", "mixer"):
            for ad in a["addresses"]:
                w.writerow(["nem:" + ad, a["kind"], a["name"], "synth-truth"])
PY
"$CLI" --db "$DB" label import "$WORK/svc.csv" >/dev/null
"$PY" - "$CLI" "$DB" "$WORK/syn" <<'PY' || fail "NEM drain"
import csv, json, subprocess, sys
from decimal import Decimal as D
cli, db, syn = sys.argv[1:4]
t = json.load(open(syn + "/truth.json"))
inc = [i for i in t["incidents"] if i["chain"] == "nem"][0]
def run(*a):
    r = subprocess.run([cli, "--db", db] + list(a), capture_output=True, text=True)
    assert r.returncode == 0, (a, r.stderr)
    return json.loads(r.stdout)
for pol in ("haircut", "fifo"):
    j = run("trace", *["nem:" + s for s in inc["seed_txids"]], "--policy", pol, "--min-amount", "1", "--json")
    g = {a["address"]: a for a in j["addresses"]}
    assert D(j["total"]) == D(inc["stolen"]), (pol, j["total"], inc["stolen"])
    for e in inc["endpoints"]:
        a = g[e["address"]]
        assert D(a["amount"]) == D(e["amount"]) and "service" in a["reasons"], (pol, e, a)
    for h in inc["holdings"]:
        a = g[h["address"]]
        assert D(a["held"]) == D(h["amount"]) and "unspent" in a["reasons"], (pol, h, a)
    for b in inc["bystanders"]:
        a = g[b["address"]]
        assert D(a["amount"]) == D(b["amount"]) and not a["significant"] and "dust" in a["reasons"], (pol, b, a)
    tot = j["totals"][0]
    assert tot["conserved"] is True and D(tot["fees"]) == D(inc["fees"]), (pol, tot, inc["fees"])
    kinds = {p["kind"] for p in j["patterns"]}
    assert {"fan-out", "dusting", "round-trip"} <= kinds, kinds
# an address seed: the thief's first account; what it sent, summed from the CSV
a0 = inc["seed_addresses"][0]
sent = sum(D(r["amount"]) + D(r["fee"] or 0) for r in csv.DictReader(open(syn + "/transfers.csv")) if r["from"] == a0)
j = run("trace", "nem:" + a0, "--min-amount", "1", "--json")
assert D(j["total"]) == sent, (j["total"], sent)
g = {a["address"]: a for a in j["addresses"]}
for e in inc["endpoints"]:
    assert D(g[e["address"]]["amount"]) == D(e["amount"]), e
# a window before the dispersal: the account sent nothing then
r = subprocess.run([cli, "--db", db, "trace", "nem:" + a0, "--until", inc["start_time"]], capture_output=True, text=True)
assert r.returncode == 1 and "nothing in the time window" in r.stderr, (r.returncode, r.stderr)
# backward from the thief's first account: what it received (summed from
# the CSV) came from the drained hot wallet, a labelled exchange
got = sum(D(r["amount"]) for r in csv.DictReader(open(syn + "/transfers.csv")) if r["to"] == a0)
jb = run("trace", "nem:" + a0, "--backward", "--json")
assert D(jb["total"]) == got and jb["totals"][0]["conserved"] is True, (jb["total"], got)
src = [a for a in jb["addresses"] if "service" in a["reasons"]]
assert len(src) == 1 and D(src[0]["held"]) == got, src
assert src[0]["labels"] and src[0]["labels"][0]["category"] == "exchange", src
# --asset: the native asset by its symbol; an asset the seeds never moved
j2 = run("trace", "nem:" + a0, "--min-amount", "1", "--asset", "XEM", "--json")
assert j2["total"] == j["total"] and j2["asset"] == "XEM", (j2["total"], j["total"])
r = subprocess.run([cli, "--db", db, "trace", "nem:" + a0, "--asset", "0xdac17f958d2ee523a2206206994597c13d831ec7"],
                   capture_output=True, text=True)
assert r.returncode == 1 and "moved no" in r.stderr, (r.returncode, r.stderr)
print("NEM drain ok")
PY
echo "trace acct ok"

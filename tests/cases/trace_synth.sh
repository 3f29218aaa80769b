# trace_synth.sh - tracing on a generated chain (cointrail synth):
#  1. from each planted theft's seeds (truth.json), haircut and FIFO reach
#     every ground-truth endpoint with exactly its amount, keep the
#     holdings, and conserve (stolen = held + fees + cut off);
#  2. haircut with a dust cutoff does not rank the dusted bystanders as
#     significant receivers (and without the cutoff they are reached);
#  3. many random traces (every policy, random hop limits and dust
#     cutoffs, exchanges labelled) against the independent reference
#     tests/ref/trace_ref.py (python-bitcoinlib), address by address, and
#     the conservation identity on each.
source "$(dirname "$0")/common.bash"
"$CLI" synth --out "$WORK/syn" --txs 30000 --seed 5 --quiet >/dev/null
DB=$WORK/db
"$CLI" --db "$DB" ingest btc "$WORK/syn/blocks" >/dev/null
# services from the ground truth, as an investigator's label list
"$PY" - "$WORK/syn/truth.json" "$WORK/services.csv" <<'PY'
import csv, json, sys
t = json.load(open(sys.argv[1]))
with open(sys.argv[2], "w", newline="") as f:
    w = csv.writer(f)
    w.writerow(["address", "category", "name", "source"])
    for wal in t["wallets"]:
        if wal["kind"] in ("exchange", "mixer"):
            for a in wal["addresses"]:
                w.writerow([a, wal["kind"], wal["name"], "synth-truth"])
PY
"$CLI" --db "$DB" label import "$WORK/services.csv" >/dev/null

# 1 and 2: planted thefts
"$PY" - "$CLI" "$DB" "$WORK/syn/truth.json" "$WORK" <<'PY' || fail "planted incidents"
import json, subprocess, sys
from decimal import Decimal as D
cli, db, truth, work = sys.argv[1:5]
t = json.load(open(truth))
def run(*args):
    r = subprocess.run([cli, "--db", db] + list(args), capture_output=True, text=True)
    assert r.returncode == 0, (args, r.stderr)
    return json.loads(r.stdout)
checked = 0
for inc in t["incidents"]:
    if inc["kind"] == "sanctioned" or inc["chain"] == "nem" or not inc.get("complete"):
        continue
    seeds_addr = set(inc["seed_addresses"])
    seeds = []
    for txid in inc["seed_txids"]:
        tx = run("tx", txid, "--json")
        seeds += ["%s:%d" % (txid, o["n"]) for o in tx["outputs"] if o["address"] in seeds_addr]
    stolen = sum(D(e) for e in [inc["stolen"]]) if inc.get("conserved") else None
    for pol in ("haircut", "fifo"):
        j = run("trace", *seeds, "--policy", pol, "--min-amount", "0.001", "--json")
        g = {a["address"]: a for a in j["addresses"]}
        for e in inc["endpoints"]:
            a = g.get(e["address"])
            assert a, "%s %s: endpoint %s not reached" % (inc["name"], pol, e["address"])
            assert D(a["amount"]) == D(e["amount"]), "%s %s: %s got %s, truth %s" % (
                inc["name"], pol, e["address"], a["amount"], e["amount"])
            assert a["endpoint"] and "service" in a["reasons"], a
        if inc["name"] != "mixer-laundering":
            for h in inc.get("holdings", []):
                a = g.get(h["address"])
                assert a and D(a["held"]) == D(h["amount"]) and "unspent" in a["reasons"], (inc["name"], pol, h, a)
        tot = j["totals"][0]
        assert tot["conserved"] is True, tot
        if stolen is not None:
            assert D(j["total"]) == stolen, (inc["name"], j["total"], inc["stolen"])
            assert D(tot["fees"]) == D(inc["fees"]), (inc["name"], pol, tot["fees"], inc["fees"])
        # 2. the dusted bystanders are not significant receivers
        for b in inc.get("bystanders", []):
            a = g.get(b["address"])
            assert a is not None, (inc["name"], "bystander not reached at all", b)
            assert not a["significant"] and "dust" in a["reasons"], (inc["name"], pol, a)
        sig = {a["address"] for a in j["addresses"] if a["significant"]}
        assert not sig & {b["address"] for b in inc.get("bystanders", [])}
        if inc.get("bystanders"):
            assert any(p["kind"] == "dusting" for p in j["patterns"]), (inc["name"], j["patterns"])
        checked += 1
    # without the cutoff haircut still reaches every endpoint, with at least
    # the truth's amount (dust that bystanders pass on may add to it)
    j = run("trace", *seeds, "--json")
    g = {a["address"]: a for a in j["addresses"]}
    for e in inc["endpoints"]:
        assert D(g[e["address"]]["amount"]) >= D(e["amount"]), (inc["name"], e)
    for b in inc.get("bystanders", []):
        assert D(g[b["address"]]["amount"]) >= D(b["amount"]), (inc["name"], b)
    kinds = {p["kind"] for p in j["patterns"]}
    for p in inc.get("patterns", []):
        k = {"split-hops": "fan-out"}.get(p["kind"], p["kind"])
        assert k in kinds, (inc["name"], p["kind"], kinds)
assert checked >= 6, checked
print("planted incidents: %d traces match truth.json" % checked)
# a case for the drain: every endpoint labelled theft with its amount, the
# dusted bystanders listed below the threshold and not labelled
inc = [i for i in t["incidents"] if i["name"] == "hot-wallet-drain"][0]
seeds = []
for txid in inc["seed_txids"]:
    tx = run("tx", txid, "--json")
    seeds += ["%s:%d" % (txid, o["n"]) for o in tx["outputs"] if o["address"] in set(inc["seed_addresses"])]
run("case", "open", "drain", "--seed", *seeds, "--threshold", "0.01", "--json")
c = run("case", "show", "drain", "--json")
chain = t["chain"]
lab = {x["address"]: x for x in c["labelled"]}
below = {x["address"] for x in c["below_threshold"]}
for e in inc["endpoints"]:
    assert D(lab[chain + ":" + e["address"]]["amount"]) == D(e["amount"]), e
for b in inc["bystanders"]:
    assert chain + ":" + b["address"] in below and chain + ":" + b["address"] not in lab, b
l = run("label", "show", inc["endpoints"][0]["address"], "--json")
assert any(x["category"] == "theft" and x["source"] == "case:drain" for x in l["labels"]), l
print("case drain: %d labelled, %d below the threshold" % (len(lab), len(below)))
PY

# 3. random traces against the reference
"$PY" - "$CLI" "$DB" "$WORK/syn/truth.json" "$WORK" <<'PY' || fail "random traces"
import json, random, subprocess, sys
cli, db, truth, work = sys.argv[1:5]
t = json.load(open(truth))
stops = [a for w in t["wallets"] if w["kind"] in ("exchange", "mixer") for a in w["addresses"]]
rng = random.Random(7)
blocks = json.loads(subprocess.run([cli, "--db", db, "stats", "--json"], capture_output=True,
                                   text=True, check=True).stdout)["chains"][0]["blocks"]
queries = []
while len(queries) < 40:
    h = rng.randrange(120, blocks - 5)
    b = json.loads(subprocess.run([cli, "--db", db, "block", str(h), "--json"], capture_output=True,
                                  text=True, check=True).stdout)
    ids = b.get("txids") or [x["txid"] for x in b["txs"]]
    if len(ids) < 2:
        continue
    txid = rng.choice(ids[1:])
    pol = rng.choice(["haircut", "fifo", "lifo", "tiho", "haircut", "poison"])
    q = {"name": "q%d" % len(queries), "policy": pol, "stops": stops,
         "seeds": [txid if rng.random() < 0.4 else txid + ":0"],
         "max_hops": rng.choice([0, 2, 5, 10]) if pol != "poison" else rng.choice([2, 3]),
         "min_amount": rng.choice([None, 100000, 1000000])}
    args = [cli, "--db", db, "trace", q["seeds"][0], "--policy", pol, "--json"]
    if q["max_hops"]:
        args += ["--max-hops", str(q["max_hops"])]
    if q["min_amount"] is not None:
        args += ["--min-amount", "%.8f" % (q["min_amount"] / 1e8)]
    with open("%s/%s.json" % (work, q["name"]), "w") as f:
        subprocess.run(args, stdout=f, check=True)
    queries.append(q)
json.dump(queries, open(work + "/queries.json", "w"))
PY
"$PY" "$SRC/tests/ref/trace_ref.py" "$WORK/syn/blocks" "$WORK/queries.json" "$WORK" \
	|| fail "traces differ from the reference"
echo "trace synth ok"

# 4. the output limits: --max-addresses lists the largest (the same as
# the head of the full list), --max-patterns the patterns with the most
# tainted value (in the order found), the stats and totals unchanged
"$PY" - "$CLI" "$DB" <<'PY' || fail "output limits"
import json, subprocess, sys
from decimal import Decimal as D
cli, db = sys.argv[1:3]
def run(*a):
    r = subprocess.run([cli, "--db", db] + list(a), capture_output=True, text=True)
    assert r.returncode == 0, (a, r.stderr)
    return json.loads(r.stdout)
b = run("block", "130", "--json")
seed = (b.get("txids") or [x["txid"] for x in b["txs"]])[1]
full = run("trace", seed, "--through-services", "--json")
cut = run("trace", seed, "--through-services", "--max-addresses", "7", "--max-patterns", "5", "--json")
# (flows are capped while the trace runs, and round trips, fan-out and
# dusting receivers are found among the flows kept: a separate run)
cf = run("trace", seed, "--through-services", "--max-flows", "10", "--json")
assert len(full["patterns"]) > 5 and len(full["addresses"]) > 7, (len(full["patterns"]), len(full["addresses"]))
assert cut["addresses"] == full["addresses"][:7]
assert cut["addresses_dropped"] == len(full["addresses"]) - 7
assert cf["flows"] == full["flows"][:10] and cf["flows_dropped"] == len(full["flows"]) - 10 + full["flows_dropped"]
assert cf["addresses"] == full["addresses"] and cf["totals"] == full["totals"]
assert cut["totals"] == full["totals"]
for k in ("addresses", "endpoints", "significant", "txs", "edges", "peak_frontier"):
    assert cut["stats"][k] == full["stats"][k], k
assert len(cut["patterns"]) == 5 and cut["patterns_dropped"] == len(full["patterns"]) - 5
# in the order found, and none dropped has more tainted value than one kept
pos = [full["patterns"].index(p) for p in cut["patterns"]]
assert pos == sorted(pos), pos
kept_min = min(D(p["tainted"]) for p in cut["patterns"])
assert all(D(p["tainted"]) <= kept_min for i, p in enumerate(full["patterns"]) if i not in pos)
print("limits ok: %d addresses, %d patterns, %d flows in the full trace" % (
    len(full["addresses"]), len(full["patterns"]), len(full["flows"])))
PY
echo "trace limits ok"

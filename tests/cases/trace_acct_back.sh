# trace_acct_back.sh - backward tracing on the account model ("where did
# this value come from"): a hand-computed toy (a mix of two inflows, value
# from before the data, a labelled service, the hop limit) under haircut,
# poison, FIFO, LIFO and TIHO, then random transfer sets against an
# independent reference written here: exact fractions for haircut (each
# address's amount within rounding, the identity seeds = held exactly),
# a lot replay for FIFO, LIFO and TIHO (every amount exact).
source "$(dirname "$0")/common.bash"
"$CLI" synth --out "$WORK/syn" --txs 4000 --seed 3 --quiet >/dev/null

# accounts borrowed from the synth file (valid NEM addresses)
"$PY" - "$WORK/syn/transfers.csv" "$WORK/addrs.json" <<'PY'
import csv, json, sys
addrs = []
for r in csv.DictReader(open(sys.argv[1])):
    for a in (r["from"], r["to"]):
        if a not in addrs:
            addrs.append(a)
    if len(addrs) >= 12:
        break
json.dump(addrs, open(sys.argv[2], "w"))
PY

# ---- the toy
"$PY" - "$WORK/addrs.json" "$WORK/toy.csv" "$WORK/svc.csv" <<'PY'
import csv, json, sys
X, M1, M2, A, B, C = json.load(open(sys.argv[1]))[:6]
rows = [("2020-01-01T00:00:00Z", X, M1, "60"),    # X had nothing: 60 from before the data
        ("2020-01-02T00:00:00Z", M1, A, "100"),   # M1 held 60: 40 from before the data
        ("2020-01-03T00:00:00Z", M2, A, "300"),   # M2 had nothing: 300 from before
        ("2020-01-04T00:00:00Z", A, B, "200"),    # the seed: where did these 200 come from?
        ("2020-01-05T00:00:00Z", C, B, "100")]    # later: not part of it
with open(sys.argv[2], "w", newline="") as f:
    w = csv.writer(f)
    w.writerow(["timestamp", "from", "to", "amount", "tx_hash", "chain"])
    for k, (t, a, b, v) in enumerate(rows):
        w.writerow([t, a, b, v, "%064x" % (k + 1), "nem"])
with open(sys.argv[3], "w", newline="") as f:
    w = csv.writer(f)
    w.writerow(["address", "category", "name", "source"])
    w.writerow(["nem:" + M2, "exchange", "toy exchange", "test"])
PY
DB=$WORK/toydb
"$CLI" --db "$DB" ingest transfers "$WORK/toy.csv" >/dev/null
SEED=nem:$(printf '%064x' 4)
"$CLI" --db "$DB" trace "$SEED" --backward --through-services --json > "$WORK/hc.json"
"$CLI" --db "$DB" trace "$SEED" --backward --through-services --policy poison --json > "$WORK/po.json"
"$CLI" --db "$DB" trace "$SEED" --backward --through-services --max-hops 2 --json > "$WORK/hops.json"
"$CLI" --db "$DB" trace "$SEED" --backward --through-services --policy fifo --json > "$WORK/fifo.json"
"$CLI" --db "$DB" trace "$SEED" --backward --through-services --policy lifo --json > "$WORK/lifo.json"
"$CLI" --db "$DB" label import "$WORK/svc.csv" >/dev/null
"$CLI" --db "$DB" trace "$SEED" --backward --json > "$WORK/svc.json"
"$CLI" --db "$DB" trace "$SEED" --backward --through-services --policy tiho --json > "$WORK/tiho.json"
"$PY" - "$WORK" <<'PY' || fail "backward toy"
import json, sys
from decimal import Decimal as D
w = sys.argv[1]
X, M1, M2, A, B, C = json.load(open(w + "/addrs.json"))[:6]
U = "(unknown origin)"
def load(n):
    j = json.load(open("%s/%s.json" % (w, n)))
    return j, {a["address"]: a for a in j["addresses"]}
# haircut, by hand: A's 400 before the seed are 100 from M1 and 300 from
# M2, so the 200 are 50 M1 + 150 M2; M1's 100 were 60 from X and 40 from
# before the data: 50 -> 30 X + 20 unknown; X's 60 and M2's 300 were all
# from before the data: 30 + 150 more unknown. Everything ends unknown.
j, g = load("hc")
want = {B: ("200", 0), A: ("200", 1), M2: ("150", 2), M1: ("50", 2), X: ("30", 3), U: ("200", 3)}
for a, (amt, hops) in want.items():
    assert D(g[a]["amount"]) == D(amt), (a, g[a]["amount"], amt)
    assert g[a]["hops"] == hops, (a, g[a]["hops"], hops)
assert C not in g
assert g[B]["seed"] and g[U]["endpoint"] and "unknown-origin" in g[U]["reasons"]
t = j["totals"][0]
assert D(t["seeds"]) == 200 and D(t["held"]) == 200 and t["conserved"] is True, t
assert j["direction"] == "backward"
# poison: every earlier inflow counts whole
j, g = load("po")
want = {B: "200", A: "200", M2: "300", M1: "100", X: "60", U: "400"}
for a, amt in want.items():
    assert D(g[a]["amount"]) == D(amt), ("poison", a, g[a]["amount"], amt)
# fifo: A's lots are M1's 100 then M2's 300: the 200 are M1 100 + M2 100;
# M1's 100 were 40 from before the data (oldest) then X's 60; X's and
# M2's were from before the data. lifo: the newest first: M2's 200.
j, g = load("fifo")
want = {B: "200", A: "200", M1: "100", M2: "100", X: "60", U: "200"}
for a, amt in want.items():
    assert D(g[a]["amount"]) == D(amt), ("fifo", a, g[a]["amount"], amt)
assert j["totals"][0]["conserved"] is True
j, g = load("lifo")
want = {B: "200", A: "200", M2: "200", U: "200"}
for a, amt in want.items():
    assert D(g[a]["amount"]) == D(amt), ("lifo", a, g[a]["amount"], amt)
assert M1 not in g and X not in g and j["totals"][0]["conserved"] is True
# tiho: the largest lot first: A holds M1's 100 and M2's 300, so the 200
# are M2's; M2's 300 were from before the data (as lifo, by size here)
j, g = load("tiho")
want = {B: "200", A: "200", M2: "200", U: "200"}
for a, amt in want.items():
    assert D(g[a]["amount"]) == D(amt), ("tiho", a, g[a]["amount"], amt)
assert M1 not in g and X not in g and j["totals"][0]["conserved"] is True
# hop limit 2: M1 and M2 are where it stops
j, g = load("hops")
assert "hop-limit" in g[M2]["reasons"] and D(g[M2]["held"]) == 150
assert "hop-limit" in g[M1]["reasons"] and D(g[M1]["held"]) == 50 and X not in g
# a labelled exchange stops it (its 150 came "from the exchange")
j, g = load("svc")
assert "service" in g[M2]["reasons"] and D(g[M2]["held"]) == 150
assert g[M2]["labels"][0]["category"] == "exchange"
assert D(g[U]["amount"]) == 50 and j["totals"][0]["conserved"] is True
print("backward toy ok")
PY

# ---- random transfer sets against the reference
"$PY" - "$WORK" "$CLI" <<'PY' || fail "backward random"
import csv, json, random, subprocess, sys
from fractions import Fraction as F
from decimal import Decimal as D
w, cli = sys.argv[1:3]
addrs = json.load(open(w + "/addrs.json"))[:8]
rng = random.Random(11)
checked = 0
for case in range(12):
    n = rng.randrange(8, 30)
    rows = []
    for k in range(n):
        a, b = rng.sample(addrs, 2)
        rows.append((1577836800 + 3600 * k, a, b, rng.randrange(1, 5000) * 1000 + rng.randrange(1000)))
    db = "%s/r%d" % (w, case)
    with open(db + ".csv", "w", newline="") as f:
        cw = csv.writer(f)
        cw.writerow(["timestamp", "from", "to", "amount", "tx_hash", "chain"])
        for k, (t, a, b, v) in enumerate(rows):
            cw.writerow([t, a, b, "%d.%06d" % (v // 10**6, v % 10**6), "%064x" % (k + 1), "nem"])
    subprocess.run([cli, "--db", db, "ingest", "transfers", db + ".csv"], check=True, capture_output=True)
    # the reference: each account's events, balances with value from before the data
    hist = {}
    for k, (t, a, b, v) in enumerate(rows):
        hist.setdefault(a, []).append(k)
        hist.setdefault(b, []).append(k)
    def account(s):
        bal, after, top = 0, {}, {}
        for k in hist[s]:
            t, a, b, v = rows[k]
            if b == s:
                bal += v
            else:
                top[k] = max(0, v - bal)
                bal = max(bal, v) - v
            after[k] = bal
        return after, top
    acct = {s: account(s) for s in hist}
    got = {}
    def add(a, x):
        got[a] = got.get(a, 0) + x
    def origin(s, k, d, hops):
        # d of outflow k of s: as of the balance before it
        after, top = acct[s]
        add(s, d)
        v = rows[k][3]
        if top[k]:
            u = d * F(top[k], after[k] + v)
            add("U", u)
            d -= u
        ev = hist[s]
        for kk in reversed(ev[:ev.index(k)]):
            if d == 0:
                break
            t, a, b, v = rows[kk]
            if b == s:
                share = d * F(v, after[kk])
                origin(a, kk, share, hops + 1)
                d -= share
            elif top[kk]:
                u = d * F(top[kk], after[kk] + v)
                add("U", u)
                d -= u
        assert d == 0
    seed = rng.randrange(n // 2, n)
    t, a, b, v = rows[seed]
    add(b, F(v))  # the seed's receiver holds it (hops 0)
    origin(a, seed, F(v), 1)
    # fifo / lifo: replay each account's lots of (source transfer, offset,
    # length), value from before the data oldest; what each outflow took
    # (tiho: the largest lot first, ties to the oldest)
    def takes(s, pol):
        q, took = [], {}
        for k in hist[s]:
            t_, a_, b_, v_ = rows[k]
            if b_ == s:
                q.append([k, 0, v_])
                continue
            bal = sum(l[2] for l in q)
            if bal < v_:
                q.insert(0, [None, 0, v_ - bal])
            need, out = v_, []
            while need:
                i = {"fifo": 0, "lifo": len(q) - 1}.get(pol)
                if i is None:
                    i = max(range(len(q)), key=lambda j: (q[j][2], -j))
                l = q[i]
                x = min(l[2], need)
                out.append((l[0], l[1], x))
                l[1] += x
                l[2] -= x
                need -= x
                if not l[2]:
                    q.pop(i)
            took[k] = out
        return took
    lots = {}
    for pol in ("fifo", "lifo", "tiho"):
        tk = {s: takes(s, pol) for s in hist}
        exp = {b: v}
        work = [(a, seed, 0, v)]
        while work:
            s, k, off, ln = work.pop()
            exp[s] = exp.get(s, 0) + ln
            p = 0
            for src, soff, x in tk[s][k]:
                lo, hi = max(p, off), min(p + x, off + ln)
                if lo < hi:
                    if src is None:
                        exp["U"] = exp.get("U", 0) + hi - lo
                    else:
                        work.append((rows[src][1], src, soff + lo - p, hi - lo))
                p += x
        lots[pol] = exp
    out = json.loads(subprocess.run([cli, "--db", db, "trace", "nem:%064x" % (seed + 1), "--backward",
                                     "--json"], check=True, capture_output=True, text=True).stdout)
    g = {x["address"]: D(x["amount"]) for x in out["addresses"]}
    g["U"] = g.pop("(unknown origin)", D(0))
    for acc, amt in got.items():
        if amt == 0:
            continue
        mine = g.get(acc, D(0)) * 10**6
        # each split rounds to a base unit: a few units at most
        assert abs(mine - D(amt.numerator) / D(amt.denominator)) <= 20, (case, acc, mine, float(amt))
        checked += 1
    tt = out["totals"][0]
    assert tt["conserved"] is True and D(tt["seeds"]) * 10**6 == v, tt
    for pol, exp in lots.items():
        o2 = json.loads(subprocess.run([cli, "--db", db, "trace", "nem:%064x" % (seed + 1), "--backward",
                                        "--policy", pol, "--json"], check=True, capture_output=True,
                                       text=True).stdout)
        g2 = {x["address"]: int(D(x["amount"]) * 10**6) for x in o2["addresses"]}
        g2["U"] = g2.pop("(unknown origin)", 0)
        assert g2 == exp, (case, pol, g2, exp)  # integers: exact
        checked += len(exp)
print("backward random: %d address amounts match the reference" % checked)
PY
echo "trace acct backward ok"

# trace_toy.sh - DESIGN.md section 5's toy, built as real blocks by
# tests/tools/mktoy.py (python-bitcoinlib), traced under every policy in
# both directions; the expected amounts below are computed by hand (see
# docs/tracing.md for the LIFO and TIHO orderings). Also the limits
# (hops, dust cutoff, exchange stop), the formats and bad arguments.
source "$(dirname "$0")/common.bash"
"$PY" "$SRC/tests/tools/mktoy.py" --out "$WORK/toy" >/dev/null
DB=$WORK/db
"$CLI" --db "$DB" ingest btc "$WORK/toy" >/dev/null
tx() { "$PY" -c "import json;print(json.load(open('$WORK/toy/toy.json'))['txs']['$1'])"; }
STEAL=$(tx steal); STEAL2=$(tx steal2); TOY=$(tx toy); TOY2=$(tx toy2)
for p in poison haircut fifo lifo tiho; do
	"$CLI" --db "$DB" trace "$STEAL:0" --policy $p --json > "$WORK/t1_$p.json"
	"$CLI" --db "$DB" trace "$STEAL2:0" --policy $p --json > "$WORK/t2_$p.json"
done
"$CLI" --db "$DB" trace "$TOY:0" --backward --policy haircut --json > "$WORK/b_haircut.json"
"$CLI" --db "$DB" trace "$TOY:0" --backward --policy fifo --json > "$WORK/b_fifo.json"
"$CLI" --db "$DB" trace "$TOY:9" --backward --policy lifo --json > "$WORK/b_lifo.json"
"$CLI" --db "$DB" trace "$TOY2:1" --backward --policy tiho --json > "$WORK/b_tiho.json"
"$CLI" --db "$DB" trace "$TOY:0" --backward --policy poison --json > "$WORK/b_poison.json"
"$CLI" --db "$DB" trace "$STEAL:0" --max-hops 1 --json > "$WORK/hops.json"
# two seeds, one downstream of the other: O0 (TOY:0) is paid by the tx
# that spends S (STEAL:0), so S's taint comes back to a seed
"$CLI" --db "$DB" trace "$STEAL:0" "$TOY:0" --policy haircut --json > "$WORK/ret.json"
"$CLI" --db "$DB" trace "$STEAL:0" --min-amount 0.5 --json > "$WORK/dust.json"
O0=$("$PY" -c "import json;print(json.load(open('$WORK/toy/toy.json'))['addresses']['O0'])")
"$CLI" --db "$DB" label add "$O0" --category exchange --name "Toy Exchange" >/dev/null
"$CLI" --db "$DB" trace "$STEAL:0" --json > "$WORK/exch.json"
"$CLI" --db "$DB" trace "$STEAL:0" --through-exchanges --json > "$WORK/through.json"

"$PY" - "$WORK" <<'PY' || fail "toy trace amounts"
import json, sys
from decimal import Decimal as D
w = sys.argv[1]
toy = json.load(open(w + "/toy/toy.json"))
A = toy["addresses"]
def load(n): return json.load(open("%s/%s.json" % (w, n)))
def amounts(j):
    return {a["address"]: D(a["amount"]) for a in j["addresses"]}
def check(name, j, want, exact_set=True, hop=1):
    got = amounts(j)
    for k, v in want.items():
        g = got.get(A.get(k, k), D(0))
        assert g == D(v), "%s: %s got %s, want %s" % (name, k, g, v)
    if exact_set:
        at = {a["address"] for a in j["addresses"] if a["hops"] == hop}
        wantset = {A.get(k, k) for k, v in want.items() if D(v) > 0}
        assert at == wantset, "%s: reached at hop %d %s, want %s" % (name, hop, sorted(at), sorted(wantset))
# toy 1: 3 stolen (S) + 7 clean (C) in, ten outputs of 1 BTC (O0..O9), no fee
O = ["O%d" % i for i in range(10)]
check("poison", load("t1_poison"), {o: "1" for o in O})
check("haircut", load("t1_haircut"), {o: "0.3" for o in O})
check("fifo", load("t1_fifo"), {o: ("1" if i < 3 else "0") for i, o in enumerate(O)})
check("lifo", load("t1_lifo"), {o: ("1" if i >= 7 else "0") for i, o in enumerate(O)})
check("tiho", load("t1_tiho"), {o: ("1" if i < 3 else "0") for i, o in enumerate(O)})
# toy 2: 2 stolen (S2) + 5 clean (C2) in; outputs 1, 4, 1.5, 0.4999; fee 0.0001
check("poison2", load("t2_poison"), {"P0": "1", "P1": "4", "P2": "1.5", "P3": "0.4999"})
# haircut 2/7 of each: floors 28571428, 114285714, 42857142, 14282857, fee 2857;
# two units left go to the largest remainders (P2 .857, P0 .571)
check("haircut2", load("t2_haircut"), {"P0": "0.28571429", "P1": "1.14285714",
                                       "P2": "0.42857143", "P3": "0.14282857"})
check("fifo2", load("t2_fifo"), {"P0": "1", "P1": "1", "P2": "0", "P3": "0"})
check("lifo2", load("t2_lifo"), {"P0": "0", "P1": "0", "P2": "1.5", "P3": "0.4999"})
check("tiho2", load("t2_tiho"), {"P0": "0", "P1": "2", "P2": "0", "P3": "0"})
# totals: what left the seeds = held + fees (+ cut + returned), for every
# conserving policy; fees are the hand-computed tainted fee shares
fees = {"t1_haircut": "0.00003", "t1_fifo": "0", "t1_lifo": "0", "t1_tiho": "0",
        "t2_haircut": "0.00002857", "t2_fifo": "0", "t2_lifo": "0.0001", "t2_tiho": "0"}
for n, fee in fees.items():
    t = load(n)["totals"][0]
    assert D(t["fees"]) == D(fee), (n, t)
    seeds = D("3") if n.startswith("t1") else D("2")
    assert D(t["seeds"]) == seeds and D(load(n)["total"]) == seeds, (n, t)
    held = sum(D(a["held"]) for a in load(n)["addresses"])
    assert held + D(t["fees"]) == seeds, (n, held, t)
    assert t["conserved"] is True, (n, t)
# the hop tx (O0 + O5 -> H, fee 0.0001): haircut H gets 0.6 less 0.6/2 of the fee share
h = amounts(load("t1_haircut"))
assert h[A["H"]] == D("0.59997"), h[A["H"]]
assert {a["address"]: a["hops"] for a in load("t1_haircut")["addresses"]}[A["H"]] == 2
# backward
b = amounts(load("b_haircut"))
assert b[A["S"]] == D("0.3") and b[A["C"]] == D("0.7"), b
assert b["(coinbase)"] == D("1"), b
assert load("b_haircut")["direction"] == "backward"
b = amounts(load("b_fifo"))
assert b[A["S"]] == D("1") and A["C"] not in b, b
b = amounts(load("b_lifo"))
assert b[A["S"]] == D("1") and A["C"] not in b, b
b = amounts(load("b_tiho"))
assert b[A["C2"]] == D("4") and A["S2"] not in b, b
b = amounts(load("b_poison"))
assert b[A["S"]] == D("3") and b[A["C"]] == D("7"), b
# taint back at a seed ends there (returned); each address's `sent` is the
# taint on the inputs it paid: S its 3 BTC, O0 its own 1 BTC (into H), not
# the 0.3 that came back to it
j = load("ret")
e = {a["address"]: a for a in j["addresses"]}
t = j["totals"][0]
assert D(t["seeds"]) == D("4") and D(t["returned_to_seeds"]) == D("0.3"), t
assert D(e[A["S"]]["sent"]) == D("3") and D(e[A["O0"]]["sent"]) == D("1"), (e[A["S"]], e[A["O0"]])
assert D(e[A["O0"]]["amount"]) == D("1.3") and D(e[A["O1"]]["sent"]) == 0, e[A["O0"]]
# H: O0 (1, all seed) + O5 (0.3 of 1) less the 0.0001 fee on 2 BTC
assert D(e[A["H"]]["amount"]) == D("1.299935"), e[A["H"]]
# limits: one hop; the dust cutoff; the exchange stop
j = load("hops")
e = {a["address"]: a for a in j["addresses"]}
assert "hop-limit" in e[A["O0"]]["reasons"] and e[A["O0"]]["endpoint"], e[A["O0"]]
assert A["H"] not in e
j = load("dust")
t = j["totals"][0]
assert D(t["cut_off"]) == D("3") and D(t["held"]) == 0, t
assert all(not a["significant"] for a in j["addresses"] if a["hops"] == 1)
j = load("exch")
e = {a["address"]: a for a in j["addresses"]}
assert "service" in e[A["O0"]]["reasons"] and e[A["O0"]]["labels"][0]["category"] == "exchange"
assert e[A["H"]]["amount"] == "0.29998500", e[A["H"]]
j = load("through")
e = {a["address"]: a for a in j["addresses"]}
assert e[A["H"]]["amount"] == "0.59997000" and e[A["O0"]]["endpoint"] is False
# contract keys (DESIGN section 6)
for k in ("policy", "direction", "seeds", "total", "asset", "addresses", "flows", "patterns"):
    assert k in j, k
for k in ("address", "asset", "amount", "hops", "labels", "endpoint"):
    assert k in j["addresses"][0], k
for k in ("from", "to", "amount", "tx", "time"):
    assert k in j["flows"][0], k
print("toy traces ok")
PY

# A store whose spender links are wrong (a damaged spent.col): every
# spent output said to be spent by the tx before its spender, or by the
# genesis coinbase. The trace stops with exit 2 and one line naming the
# file, the record's offset and what is wrong; it never misfiles taint or
# crashes.
for how in minus1 genesis creator; do
	rm -rf "$WORK/bad_$how"
	cp -r "$DB" "$WORK/bad_$how"
	"$PY" - "$WORK/bad_$how/btc-regtest" "$how" "$STEAL" <<'PY'
import struct, sys
st, how, steal = sys.argv[1], sys.argv[2], sys.argv[3]
d = bytearray(open(st + "/spent.col", "rb").read())
txs = open(st + "/txs.col", "rb").read()
ids = open(st + "/txid.col", "rb").read()
# the seed output (STEAL:0) keeps its link in "creator", where every other
# spent output is said to be spent by the tx that pays it
want = bytes.fromhex(steal)[::-1]
t_steal = next(t for t in range(len(ids) // 32) if ids[32 * t:32 * t + 32] == want)
seed = struct.unpack_from("<Q", txs, 16 * t_steal + 8)[0]
first_out = [struct.unpack_from("<Q", txs, 16 * t + 8)[0] for t in range(len(ids) // 32)]
creator, t = [], 0
for o in range(len(d) // 8):
    while t + 1 < len(first_out) and first_out[t + 1] <= o:
        t += 1
    creator.append(t)
for i in range(0, len(d) - 7, 8):
    v = struct.unpack_from("<Q", d, i)[0]
    if 1 < v < 1 << 40:
        if how == "minus1":
            v -= 1
        elif how == "genesis":
            v = 1
        elif i // 8 != seed:
            v = creator[i // 8] + 1
        struct.pack_into("<Q", d, i, v)
open(st + "/spent.col", "wb").write(bytes(d))
PY
	set +e
	err=$("$CLI" --db "$WORK/bad_$how" trace "$STEAL:0" --json 2>&1 >/dev/null)
	rc=$?
	set -e
	[ $rc -eq 2 ] || fail "damaged spent links ($how): exit $rc ($err)"
	[ "$(echo "$err" | wc -l)" -eq 1 ] || fail "damaged spent links ($how): not one line: $err"
	echo "$err" | grep -qE "btc-regtest/spent\.col: offset [0-9]+: output [0-9]+ is said to be spent by tx" ||
		fail "damaged spent links ($how): $err"
	echo "ok: damaged spent links ($how): $err"
	case $how in
	creator) echo "$err" | grep -q "which is not after the tx paying it" || fail "creator: $err" ;;
	*) echo "$err" | grep -q "which does not spend it" || fail "$how: $err" ;;
	esac
done

# an address seed: S sent its 3 BTC in the toy tx (block 4); a window
# that ends before block 4 holds nothing; one that holds it gives the same
# trace as the output seed
S=$("$PY" -c "import json;print(json.load(open('$WORK/toy/toy.json'))['addresses']['S'])")
T4=$("$CLI" --db "$DB" block 4 --json | "$PY" -c "import json,sys; print(json.load(sys.stdin)['time'])")
"$CLI" --db "$DB" trace "$S" --since "$T4" --through-exchanges --json > "$WORK/aseed.json"
"$CLI" --db "$DB" trace "$S" --since "$T4" --until "$T4" --through-exchanges --json > "$WORK/aseed_win.json"
"$CLI" --db "$DB" trace "$STEAL:0" --until "$T4" --through-exchanges --json > "$WORK/oseed_until.json"
"$CLI" --db "$DB" trace "$STEAL:0" --through-exchanges --json > "$WORK/oseed.json"
"$PY" - "$WORK" <<'PY' || fail "address seed"
import json, sys
w = sys.argv[1]
a, o = json.load(open(w + "/aseed.json")), json.load(open(w + "/oseed.json"))
amt = lambda j: {x["address"]: x["amount"] for x in j["addresses"]}
assert a["total"] == "3.00000000" and amt(a) == amt(o), (a["total"], amt(a), amt(o))
assert a["seed_kinds"][0]["kind"] == "address" and o["seed_kinds"][0]["kind"] == "output"
# for an address the window chooses what it sent, which is then followed
# anywhere: the same trace
assert amt(json.load(open(w + "/aseed_win.json"))) == amt(o)
# for a tx or output seed --until bounds the propagation: the hop tx
# (block 5) is not followed
u = json.load(open(w + "/oseed_until.json"))
e = {x["address"]: x for x in u["addresses"]}
assert len(e) == 11 and all(x["amount"] in ("3.00000000", "0.30000000") for x in e.values()), e
assert sum("time-limit" in x["reasons"] for x in e.values()) == 2, e   # O0 and O5 were spent later
assert u["totals"][0]["conserved"] is True
PY
set +e
"$CLI" --db "$DB" trace "$S" --until 2011-02-02T23:16:42Z > /dev/null 2> "$WORK/err"
rc=$?
set -e
[ $rc -eq 1 ] && grep -q "nothing in the time window" "$WORK/err" || fail "empty window: exit $rc"

# formats
"$CLI" --db "$DB" trace "$STEAL:0" --format csv --output "$WORK/f.csv"
head -1 "$WORK/f.csv" | grep -q '^from,to,amount,asset,tx,time,hops$' || fail "csv header"
[ "$(wc -l < "$WORK/f.csv")" -ge 11 ] || fail "csv rows"
"$CLI" --db "$DB" trace "$STEAL:0" --format dot > "$WORK/f.dot"
grep -q '^digraph trace' "$WORK/f.dot" || fail "dot"
# Graphviz and fontconfig keep caches for the life of the process
LSAN_OPTIONS="suppressions=$SRC/tests/tools/lsan-graphviz.supp:print_suppressions=0" \
	"$CLI" --db "$DB" trace "$STEAL:0" --format svg --output "$WORK/f.svg"
grep -q '<svg' "$WORK/f.svg" || fail "svg"
"$CLI" --db "$DB" trace "$STEAL:0" > "$WORK/f.txt"
grep -q 'conserved' "$WORK/f.txt" || fail "text report"

# bad arguments: one line, exit 1
for args in "nonsense" "$STEAL:99" "$STEAL:0 --policy magic" "$STEAL:0 --max-hops x" \
	"$STEAL:0 --since yesterday" "$STEAL:0 --format png" "$STEAL:0 --min-amount 1.123456789" \
	"0000000000000000000000000000000000000000000000000000000000000000"; do
	set +e
	"$CLI" --db "$DB" trace $args > "$WORK/out" 2> "$WORK/err"
	rc=$?
	set -e
	[ $rc -eq 1 ] || fail "trace $args: exit $rc, want 1"
	[ "$(wc -l < "$WORK/err")" -eq 1 ] || fail "trace $args: message not one line"
done
echo "trace toy ok"

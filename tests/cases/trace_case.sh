# trace_case.sh - cases: `case open` stores the seeds, runs the trace and
# labels the receivers above the threshold (category, source case:NAME,
# amount), lists those below; `case update` after new blocks extends the
# case; list/show; re-open adds seeds; bad arguments. Amounts are the
# toy's hand-computed ones (tests/tools/mktoy.py).
source "$(dirname "$0")/common.bash"
"$PY" "$SRC/tests/tools/mktoy.py" --out "$WORK/toy" >/dev/null
DB=$WORK/db
"$CLI" --db "$DB" ingest btc "$WORK/toy/blk00000.dat" >/dev/null   # without block 5
tx() { "$PY" -c "import json;print(json.load(open('$WORK/toy/toy.json'))['txs']['$1'])"; }
ad() { "$PY" -c "import json;print(json.load(open('$WORK/toy/toy.json'))['addresses']['$1'])"; }
STEAL=$(tx steal); STEAL2=$(tx steal2)
# FIFO: S (3 BTC) -> O0, O1, O2 get 1 BTC each; threshold 0.5
"$CLI" --db "$DB" case open toy-theft --seed "$STEAL:0" --policy fifo --threshold 0.5 --json > "$WORK/open.json"
"$CLI" --db "$DB" case show toy-theft --json > "$WORK/show1.json"
"$CLI" --db "$DB" label show "$(ad O1)" --json > "$WORK/lab.json"
# new data: block 5 spends O0 (and O5) into H
"$CLI" --db "$DB" ingest btc "$WORK/toy" >/dev/null
"$CLI" --db "$DB" case update toy-theft --json > "$WORK/upd.json"
"$CLI" --db "$DB" case show toy-theft --json > "$WORK/show2.json"
# haircut case with the default threshold (0.1% of the total) and one with
# a threshold above the 0.3 BTC shares: those are listed, not labelled
"$CLI" --db "$DB" case open hc --seed "$STEAL:0" --threshold 0.5 --json > "$WORK/hc.json"
"$CLI" --db "$DB" case show hc --json > "$WORK/hc_show.json"
# re-open with one more seed
"$CLI" --db "$DB" case open hc --seed "$STEAL2:0" --json > "$WORK/hc2.json"
"$CLI" --db "$DB" case list --json > "$WORK/list.json"
"$CLI" --db "$DB" case list > "$WORK/list.txt"
"$CLI" --db "$DB" case show hc > "$WORK/hc_show.txt"
"$PY" - "$WORK" <<'PY' || fail "cases"
import json, sys
from decimal import Decimal as D
w = sys.argv[1]
toy = json.load(open(w + "/toy/toy.json"))
A = {k: "btc-regtest:" + v for k, v in toy["addresses"].items()}
L = lambda n: json.load(open("%s/%s.json" % (w, n)))
o = L("open")
assert o["labelled"] == 4 and o["runs"] == 1, o    # S (seed) + O0..O2
s = L("show1")
lab = {x["address"]: x for x in s["labelled"]}
assert set(lab) == {A["S"], A["O0"], A["O1"], A["O2"]}, sorted(lab)
assert all(D(lab[A[k]]["amount"]) == 1 for k in ("O0", "O1", "O2"))
l = L("lab")["labels"]
mine = [x for x in l if x["source"] == "case:toy-theft"]
assert len(mine) == 1 and mine[0]["category"] == "theft" and mine[0]["ref"] == "1.00000000 BTC", l
u = L("upd")
assert u["runs"] == 2 and u["new_addresses"] == 1, u   # H appears
s = L("show2")
lab = {x["address"]: x for x in s["labelled"]}
# FIFO: O0's tainted 1 BTC comes first in the hop tx; the fee is taken last
assert D(lab[A["H"]]["amount"]) == D("1"), lab.get(A["H"])
assert "unspent" in lab[A["H"]]["reasons"]
h = L("hc_show")
# H collects 0.3 + 0.3 less its share of the hop's fee: 0.59997 > 0.5
assert {x["address"] for x in h["labelled"]} == {A["S"], A["H"]}, h["labelled"]
below = {x["address"]: D(x["amount"]) for x in h["below_threshold"]}
assert all(below[A["O%d" % i]] == D("0.3") for i in range(10)), below
h2 = L("hc2")
assert len(h2["seeds"]) == 2 and D(h2["total"]) == 5 and h2["runs"] == 2, h2
cases = {c["case"]: c for c in L("list")["cases"]}
assert set(cases) == {"toy-theft", "hc"} and cases["toy-theft"]["runs"] == 2
print("cases ok")
PY
grep -q toy-theft "$WORK/list.txt" || fail "case list text"
grep -q "below the threshold" "$WORK/hc_show.txt" || fail "case show text"
for args in "open" "open bad/name --seed $STEAL:0" "open x" "show nosuch" "update nosuch" "frobnicate" \
	"open y --seed $STEAL:0 --threshold abc" "open z --seed $STEAL:0 --category"; do
	set +e
	"$CLI" --db "$DB" case $args > "$WORK/out" 2> "$WORK/err"
	rc=$?
	set -e
	[ $rc -eq 1 ] || fail "case $args: exit $rc, want 1"
	[ "$(wc -l < "$WORK/err")" -eq 1 ] || fail "case $args: message not one line"
done
"$CLI" --db "$DB" case list --json | "$PY" -c "import json,sys; assert len(json.load(sys.stdin)['cases'])==2" \
	|| fail "a failed case open left something behind"
echo "trace case ok"

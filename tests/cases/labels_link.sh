# labels_link.sh - labels reach look-ups: `address` shows an address's
# labels with their source and its cluster id; `cluster` shows the labels
# of its members, each with the address it is on.
source "$(dirname "$0")/common.bash"
"$CLI" synth --out "$WORK/syn" --txs 20000 --seed 5 --quiet >/dev/null
"$CLI" --db "$WORK/db" ingest btc "$WORK/syn/blocks" >/dev/null
"$CLI" --db "$WORK/db" cluster --export "$WORK/cl.csv"
# the largest cluster, and two of its addresses
read -r a1 a2 < <("$PY" -c "
import csv, collections
rows = list(csv.DictReader(open('$WORK/cl.csv')))
big = collections.Counter(r['cluster'] for r in rows).most_common(1)[0][0]
m = [r['address'] for r in rows if r['cluster'] == big]
print(m[0], m[-1])")
printf 'address,category,name,source\nbtc-regtest:%s,exchange,Test Exchange,unit-test\n' "$a2" > "$WORK/l.csv"
"$CLI" --db "$WORK/db" label import "$WORK/l.csv" >/dev/null || fail "label import"
"$CLI" --db "$WORK/db" address "$a2" --json > "$WORK/a.json"
"$CLI" --db "$WORK/db" cluster "$a1" --json --limit 100000 > "$WORK/c.json"
"$PY" - "$WORK/a.json" "$WORK/c.json" "$a2" <<'PY' || fail "labels not shown"
import json, sys
a = json.load(open(sys.argv[1])); c = json.load(open(sys.argv[2])); addr = sys.argv[3]
assert [l["category"] for l in a["labels"]] == ["exchange"], a["labels"]
assert "unit-test" in a["labels"][0]["source"] and a["labels"][0]["name"] == "Test Exchange", a["labels"]
assert a["cluster"] == c["cluster"], (a["cluster"], c["cluster"])
hits = [l for l in c["labels"] if l["address"] == addr]
assert hits and hits[0]["category"] == "exchange", c["labels"]
print(f"label on {addr} seen through its cluster of {c['size']}")
PY
echo PASS

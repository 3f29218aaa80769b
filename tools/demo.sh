#!/bin/bash
# demo.sh - what `make demo` runs: the investigator's job end to end on the
# embedded default (a data directory in ./demo-data).
#   1. generate a chain with planted incidents (cointrail synth): Bitcoin blk
#      files, NEM transfers with a Coincheck-shaped drain, and truth.json;
#   2. ingest both chain models into one data directory, import the
#      services (exchanges, mixers) as labels;
#   3. trace the planted thefts (text report, SVG picture), open a case that
#      labels the receivers, and screen what the case reached;
#   4. with ../shared/data present: real Bitcoin blocks, the OFAC SDN list,
#      and the real Bybit 2025 laundering flows traced from the exploiter.
set -euo pipefail
CLI=${1:-build/src/cli/cointrail}
DB=demo-data
DATA=../shared/data
rm -rf "$DB"
mkdir -p "$DB"
say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
ct() { "$CLI" --db "$DB/store" "$@"; }
# the first N lines of a command's output (no SIGPIPE under pipefail)
show() { local n=$1; shift; ct "$@" > "$DB/out.txt"; head -n "$n" "$DB/out.txt"; }

say "generating a synthetic chain with planted incidents (cointrail synth)"
"$CLI" synth --out "$DB/synth" --txs 50000 --seed 2018
say "ingesting its Bitcoin blocks and its NEM transfers into one data directory"
ct ingest btc "$DB/synth/blocks"
ct ingest transfers "$DB/synth/transfers.csv" --chain nem

# The generator knows which wallets are exchanges and mixers; an investigator
# would have such a list from tag sets (GraphSense TagPacks, Etherscan labels).
/usr/bin/python3 - "$DB/synth/truth.json" "$DB/services.csv" <<'PY'
import csv, json, sys
t = json.load(open(sys.argv[1]))
with open(sys.argv[2], "w", newline="") as f:
    w = csv.writer(f)
    w.writerow(["address", "category", "name", "source"])
    for wal in t.get("wallets", []):
        if wal["kind"] in ("exchange", "mixer"):
            for a in wal["addresses"]:
                w.writerow([a, wal["kind"], wal["name"], "synth-truth"])
    for acc in t.get("accounts", []):
        if acc["kind"] in ("exchange", "mixer"):
            for a in acc["addresses"]:
                w.writerow(["nem:" + a, acc["kind"], acc["name"], "synth-truth"])
PY
say "labelling the generated exchanges and mixers"
ct label import "$DB/services.csv"

# seeds of the planted incidents, from the ground truth
seed() {
	/usr/bin/python3 -c 'import json,sys
t = json.load(open(sys.argv[1]))
print([i for i in t["incidents"] if i["name"] == sys.argv[2]][0]["seed_addresses"][0])' \
		"$DB/synth/truth.json" "$1"
}
DRAIN=$(seed hot-wallet-drain)
NEMDRAIN=$(seed coincheck-drain)

say "where did the hot-wallet drain go? (haircut, 8 hops, dust below 0.001 BTC cut off)"
ct trace "$DRAIN" --policy haircut --max-hops 8 --min-amount 0.001 > "$DB/drain.txt"
head -30 "$DB/drain.txt"
echo "  ... (full report: $DB/drain.txt)"
ct trace "$DRAIN" --policy haircut --max-hops 8 --min-amount 0.001 --format svg \
	--output "$DB/drain.svg"
echo "picture: $DB/drain.svg"

say "the same drain under FIFO (first in, first out)"
show 6 trace "$DRAIN" --policy fifo --max-hops 8 --min-amount 0.001

say "the Coincheck-shaped NEM drain (account model, haircut)"
ct trace "nem:$NEMDRAIN" --policy haircut --max-hops 6 > "$DB/nem-drain.txt"
head -30 "$DB/nem-drain.txt"
ct trace "nem:$NEMDRAIN" --policy haircut --max-hops 6 --format svg --output "$DB/nem-drain.svg"
echo "picture: $DB/nem-drain.svg"

say "opening a case: every receiver above 1 BTC is labelled theft"
ct case open drain-demo --seed "$DRAIN" --category theft --threshold 1 --max-hops 8
show 20 case show drain-demo

if [ -d "$DATA/btc/nbitcoin" ]; then
	say "ingesting real Bitcoin blocks (mainnet samples incl. Feb 2024 blocks 831328-831335)"
	ct ingest btc --allow-gaps "$DATA/btc/nbitcoin" "$DATA"/btc/ckb-spv-testdata/*.bin
	say "the first bitcoin transaction between two people (block 170)"
	ct tx f4184fc596403b9d638783cf57adfe4c75c605f6356fbc91338530e9831e9e16
fi
SDN=$DATA/labels/ofac/brave-intl-lists/sdn_advanced.xml.bz2
if [ -f "$SDN" ]; then
	say "importing the OFAC SDN list and Etherscan's labels"
	ct label import "$SDN"
	ct label import "$DATA/labels/brianleect-etherscan-labels/combinedAllLabels.json"
fi
BYBIT=$DATA/cases/bybit-2025/flows
if [ -f "$BYBIT/hop1.csv" ]; then
	say "the real Bybit 2025 laundering flows (Etherscan, five addresses' outbound transfers)"
	ct ingest transfers --chain eth --from 0x47666fab8bd0ac7003bce3f5c3585383f09486e2 "$BYBIT/hop1.csv"
	ct ingest transfers --chain eth --from 0xa4b2fd68593b6f34e51cb9edb66e71c1b4ab449e "$BYBIT/hop2.csv"
	ct ingest transfers --chain eth --from 0xdd90071d52f20e85c89802e5dc1ec0a7b6475f92 "$BYBIT/hop3.csv"
	ct ingest transfers --chain eth --from 0xf302572594a68aa8f951fae64ed3ae7da41c72be "$BYBIT/hop4.csv"
	ct ingest transfers --chain eth --from 0x327ffe25f330d2d809106ace581099ad1af9ba23 "$BYBIT/hop5.csv"
	say "the exploiter's address"
	show 20 address eth:0x47666fab8bd0ac7003bce3f5c3585383f09486e2 --limit 5
	say "ETH from the exploiter, followed (haircut, native asset only)"
	ct trace eth:0x47666fab8bd0ac7003bce3f5c3585383f09486e2 --policy haircut --asset ETH \
		--max-hops 6 > "$DB/bybit.txt" || ct trace eth:0x47666fab8bd0ac7003bce3f5c3585383f09486e2 \
		--policy haircut --max-hops 6 > "$DB/bybit.txt"
	head -25 "$DB/bybit.txt"
fi

say "what the store holds"
ct stats
say "verifying the store (check --deep)"
ct check --deep

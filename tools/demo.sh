#!/bin/bash
# demo.sh - what `make demo` runs: ingest sample chains into ./demo-data and
# show what the store answers. Real blocks from ../shared/data when present;
# a synthetic chain with planted incidents from `cointrail synth` always.
set -euo pipefail
CLI=${1:-build/src/cli/cointrail}
DB=demo-data
DATA=../shared/data/btc
rm -rf "$DB"
mkdir -p "$DB"
say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

if "$CLI" synth --help >/dev/null 2>&1; then
	say "generating a synthetic chain with planted thefts (cointrail synth)"
	"$CLI" synth --out "$DB/synth" --txs 50000 --seed 2018
	say "ingesting it"
	"$CLI" --db "$DB/store" ingest btc "$DB/synth/blocks"
	/usr/bin/python3 - "$CLI" "$DB" <<'PY' || true
import json, subprocess, sys
cli, db = sys.argv[1:3]
truth = json.load(open(f"{db}/synth/truth.json"))
for inc in truth.get("incidents", [])[:2]:
    seeds = inc.get("seed_addresses") or []
    print(f"\nincident: {inc.get('name')} ({inc.get('kind')})")
    for a in seeds[:1]:
        print(subprocess.run([cli, "--db", f"{db}/store", "address", a, "--limit", "8"],
                             capture_output=True, text=True).stdout)
PY
fi

if [ -d "$DATA/nbitcoin" ]; then
	say "ingesting real Bitcoin blocks from $DATA (mainnet samples, incl. Feb 2024 blocks 831328-831335)"
	"$CLI" --db "$DB/store" ingest btc --allow-gaps "$DATA/nbitcoin" "$DATA"/ckb-spv-testdata/*.bin
	say "the first bitcoin transaction between two people (block 170)"
	"$CLI" --db "$DB/store" tx f4184fc596403b9d638783cf57adfe4c75c605f6356fbc91338530e9831e9e16
	say "the genesis address"
	"$CLI" --db "$DB/store" address 1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa
	say "block 831335 (first txs)"
	"$CLI" --db "$DB/store" block 831335 > "$DB/block.txt"
	head -14 "$DB/block.txt"
fi
say "what the store holds"
"$CLI" --db "$DB/store" stats
say "verifying the store (check --deep)"
"$CLI" --db "$DB/store" check --deep

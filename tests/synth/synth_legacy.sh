#!/bin/bash
# Mainnet magic and addresses, no segwit (for blockparser and other
# pre-segwit parsers), checked like the regtest chain.
. "$(dirname "$0")/lib.sh"
need_bitcoinlib
if "$CT" synth --out "$WORK/out" --txs 15000 --seed 3 --network mainnet --legacy --quiet; then
	ok
else
	bad "synth failed"
fi
if /usr/bin/python3 "$SRC/tests/synth/check_synth.py" "$WORK/out" --expect-txs 15000 \
	--network mainnet --legacy; then
	ok
else
	bad "check_synth.py found problems"
fi
head -c 4 "$WORK/out/blocks/blk00000.dat" | od -An -tx1 | grep -q "f9 be b4 d9" && ok || bad "not mainnet magic"
grep -q '"chain": "btc",' "$WORK/out/truth.json" && ok || bad "truth chain is not btc"
finish

#!/bin/bash
# Generate a regtest chain with every incident and check it with an
# independent implementation (python-bitcoinlib): framing, CheckBlock
# (merkle root, witness commitment, PoW), header chain, BIP 34, coinbase
# value, no double spends, truth.json's wallets and incidents traced.
. "$(dirname "$0")/lib.sh"
need_bitcoinlib
if "$CT" synth --out "$WORK/out" --txs 20000 --seed 7 --quiet; then ok; else bad "synth failed"; fi
if /usr/bin/python3 "$SRC/tests/synth/check_synth.py" "$WORK/out" --expect-txs 20000; then
	ok
else
	bad "check_synth.py found problems"
fi
# a --blocks sized chain, another seed
if "$CT" synth --out "$WORK/b" --blocks 500 --txs 12000 --seed 99 --quiet; then ok; else bad "synth --blocks failed"; fi
if /usr/bin/python3 "$SRC/tests/synth/check_synth.py" "$WORK/b" --expect-txs 12000; then
	ok
else
	bad "check_synth.py found problems with --blocks 500"
fi
finish

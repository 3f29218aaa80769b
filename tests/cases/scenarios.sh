# scenarios.sh - generated chains (tests/tools/mkchain.py, built with
# python-bitcoinlib) against their independently computed expected state:
# out-of-order blk files, stale branches, a reorg across two runs,
# XOR-obfuscated files, script templates, re-ingest adding nothing.
source "$(dirname "$0")/common.bash"
G=$WORK/gen
"$PY" "$SRC/tests/tools/mkchain.py" --scenario all --out "$G" >/dev/null
check() { "$PY" "$SRC/tests/cases/check_state.py" "$CLI" "$@" || fail "state check $*"; }

for s in linear stale scripts; do
	"$CLI" --db "$WORK/$s" ingest btc "$G/$s" >/dev/null
	check "$WORK/$s" "$G/$s/expected.json"
	"$CLI" --db "$WORK/$s" check --deep >/dev/null || fail "$s: check --deep"
done

# Incremental: a second ingest of the same files adds nothing.
out=$("$CLI" --db "$WORK/linear" ingest btc "$G/linear" --json)
echo "$out" | "$PY" -c 'import json,sys; d=json.load(sys.stdin); assert d["blocks_added"]==0 and d["blocks_known"]>0, d' \
	|| fail "re-ingest added blocks"
# One file at a time (the second holds blocks whose parents are in the
# first and vice versa: out of order) ends equal to both at once.
"$CLI" --db "$WORK/inc" ingest btc "$G/linear/blk00000.dat" >/dev/null
"$CLI" --db "$WORK/inc" ingest btc "$G/linear/blk00000.dat" "$G/linear/blk00001.dat" >/dev/null
[ "$(digest "$WORK/inc")" = "$(digest "$WORK/linear")" ] || fail "incremental ingest differs from one run"

# XOR-obfuscated (Bitcoin Core 28+): same store as the plain copy.
"$CLI" --db "$WORK/xor" ingest btc "$G/xor" >/dev/null
"$CLI" --db "$WORK/plain" ingest btc "$G/xor/plain" >/dev/null
[ "$(digest "$WORK/xor")" = "$(digest "$WORK/plain")" ] || fail "xor store differs from plain"
check "$WORK/xor" "$G/xor/expected.json"

# Reorg: run1 (branch A), then run2 (branch B, more work, forks at 15).
"$CLI" --db "$WORK/reorg" ingest btc "$G/reorg/run1" >/dev/null
check "$WORK/reorg" "$G/reorg/expected.json" run1
out=$("$CLI" --db "$WORK/reorg" ingest btc "$G/reorg/run2" --json)
echo "$out" | "$PY" -c 'import json,sys; d=json.load(sys.stdin); assert d["blocks_rolled_back"]==5, d' \
	|| fail "reorg did not roll back 5 blocks: $out"
check "$WORK/reorg" "$G/reorg/expected.json" run2
"$CLI" --db "$WORK/reorg" check --deep >/dev/null || fail "reorg: check --deep"
"$CLI" --db "$WORK/fresh2" ingest btc "$G/reorg/run2" >/dev/null
[ "$(digest "$WORK/reorg")" = "$(digest "$WORK/fresh2")" ] || fail "store after reorg differs from a fresh ingest of the new chain"
echo PASS

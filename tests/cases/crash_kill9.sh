# crash_kill9.sh - kill -9 at every step of the commit protocol (and at
# random moments), re-run the ingest, and require the store to equal an
# uninterrupted run (same deep-check digest), with check --deep clean
# even before the re-run.
source "$(dirname "$0")/common.bash"

if [ -d "$BTC/nbitcoin" ]; then
	INPUTS=("$BTC/nbitcoin/blk00000.dat" "$BTC/nbitcoin/blk00001.dat")
else
	"$PY" "$SRC/tests/tools/mkchain.py" --scenario linear --out "$WORK/gen" >/dev/null
	INPUTS=("$WORK/gen"/blk*.dat)
fi

"$CLI" --db "$WORK/ref" ingest btc "${INPUTS[@]}" >/dev/null
REF=$(digest "$WORK/ref")
echo "reference: $REF"

INGEST=(ingest btc "${INPUTS[@]}")
META=btc/meta
# Deterministic crash points: COINTRAIL_CRASH_AT=N kills the process at
# the N-th step (block appended, columns synced, journal written, half of
# phase B, phase B done, meta written, rollback steps).
export COINTRAIL_COMMIT_BLOCKS=7
crash_points "$(seq 1 40) $(seq 41 37 1100)" 40

# A second run crashing in the middle (incremental ingest).
if [ ${#INPUTS[@]} -gt 1 ]; then
	crash_incremental "3 9 17 30" ingest btc "${INPUTS[0]}"
fi

# Random moments: real SIGKILL from outside, at varied delays.
export COINTRAIL_COMMIT_BLOCKS=1
random_kills 15
echo "PASS"

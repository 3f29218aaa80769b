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

# Deterministic crash points: COINTRAIL_CRASH_AT=N kills the process at
# the N-th step (block appended, columns synced, journal written, half of
# phase B, phase B done, meta written, rollback steps).
export COINTRAIL_COMMIT_BLOCKS=7
points="$(seq 1 40) $(seq 41 37 1100)"
n=0
for p in $points; do
	db="$WORK/c$p"
	set +e
	COINTRAIL_CRASH_AT=$p "$CLI" --db "$db" ingest btc "${INPUTS[@]}" >/dev/null 2>&1
	rc=$?
	set -e
	if [ $rc -eq 0 ]; then
		rm -rf "$db"
		continue   # fewer crash points than p: the run finished
	fi
	[ $rc -eq 137 ] || fail "crash point $p: expected SIGKILL (137), got $rc"
	# The committed state is consistent before any recovery ...
	if [ -d "$db/btc" ] && [ -f "$db/btc/meta" ]; then
		"$CLI" --db "$db" check --deep >/dev/null || fail "crash point $p: check --deep failed before recovery"
	fi
	# ... and a re-run finishes the job exactly.
	"$CLI" --db "$db" ingest btc "${INPUTS[@]}" >/dev/null
	got=$(digest "$db")
	[ "$got" = "$REF" ] || fail "crash point $p: digest $got != $REF"
	n=$((n + 1))
	rm -rf "$db"
done
[ $n -ge 40 ] || fail "only $n crash points were reached"
echo "deterministic crash points survived: $n"

# A second run crashing in the middle (incremental ingest).
half=$(( ${#INPUTS[@]} > 1 ? 1 : 0 ))
if [ $half -eq 1 ]; then
	for p in 3 9 17 30; do
		db="$WORK/i$p"
		"$CLI" --db "$db" ingest btc "${INPUTS[0]}" >/dev/null
		set +e
		COINTRAIL_CRASH_AT=$p "$CLI" --db "$db" ingest btc "${INPUTS[@]}" >/dev/null 2>&1
		set -e
		"$CLI" --db "$db" ingest btc "${INPUTS[@]}" >/dev/null
		[ "$(digest "$db")" = "$REF" ] || fail "incremental crash point $p differs"
		rm -rf "$db"
	done
fi

# Random moments: real SIGKILL from outside, at varied delays.
export COINTRAIL_COMMIT_BLOCKS=1
for i in $(seq 1 15); do
	db="$WORK/r$i"
	"$CLI" --db "$db" ingest btc "${INPUTS[@]}" >/dev/null 2>&1 &
	pid=$!
	sleep "0.0$(( (i * 7) % 10 ))$(( i % 10 ))"
	kill -9 $pid 2>/dev/null || true
	wait $pid 2>/dev/null || true
	"$CLI" --db "$db" ingest btc "${INPUTS[@]}" >/dev/null
	[ "$(digest "$db")" = "$REF" ] || fail "random kill $i differs"
	rm -rf "$db"
done
echo "random kills survived: 15"
echo "PASS"

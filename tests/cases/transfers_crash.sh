# transfers_crash.sh - kill -9 at every step of the account store's commit
# protocol (COINTRAIL_CRASH_AT: each appended file, columns synced, journal
# written, half of phase B, phase B done, meta written) and at random
# moments; the store must pass check --deep before the re-run, and the
# re-run must give the digest of an uninterrupted run.
source "$(dirname "$0")/common.bash"

"$CLI" synth --out "$WORK/syn" --txs 30000 --seed 4 >/dev/null
# three files: the synth transfers in pieces, so a run appends several
head -1 "$WORK/syn/transfers.csv" >"$WORK/h"
tail -n +2 "$WORK/syn/transfers.csv" >"$WORK/body"
split -n l/3 "$WORK/body" "$WORK/part."
INPUTS=()
for p in "$WORK"/part.*; do
	cat "$WORK/h" "$p" >"$p.csv"
	INPUTS+=("$p.csv")
done

"$CLI" --db "$WORK/ref" ingest transfers "${INPUTS[@]}" >/dev/null
REF=$(digest "$WORK/ref")
echo "reference: $REF"

n=0
for p in $(seq 1 12); do
	db="$WORK/c$p"
	set +e
	COINTRAIL_CRASH_AT=$p "$CLI" --db "$db" ingest transfers "${INPUTS[@]}" >/dev/null 2>&1
	rc=$?
	set -e
	if [ $rc -eq 0 ]; then
		rm -rf "$db"
		continue
	fi
	[ $rc -eq 137 ] || fail "crash point $p: expected SIGKILL (137), got $rc"
	"$CLI" --db "$db" check --deep >/dev/null 2>&1 || [ ! -f "$db/nem/meta" ] ||
		fail "crash point $p: check --deep failed before recovery"
	"$CLI" --db "$db" ingest transfers "${INPUTS[@]}" >/dev/null 2>&1
	got=$(digest "$db")
	[ "$got" = "$REF" ] || fail "crash point $p: digest $got != $REF"
	n=$((n + 1))
	rm -rf "$db"
done
[ $n -ge 8 ] || fail "only $n crash points were reached"
echo "deterministic crash points survived: $n"

# Incremental: the first file committed, then a crashed run of all three.
for p in 1 2 3 4 5 6 7 8; do
	db="$WORK/i$p"
	"$CLI" --db "$db" ingest transfers "${INPUTS[0]}" >/dev/null 2>&1
	set +e
	COINTRAIL_CRASH_AT=$p "$CLI" --db "$db" ingest transfers "${INPUTS[@]}" >/dev/null 2>&1
	set -e
	"$CLI" --db "$db" check --deep >/dev/null || fail "incremental crash point $p: check --deep"
	"$CLI" --db "$db" ingest transfers "${INPUTS[@]}" >/dev/null 2>&1
	[ "$(digest "$db")" = "$REF" ] || fail "incremental crash point $p differs"
	rm -rf "$db"
done
echo "incremental crash points survived: 8"

# Random moments: SIGKILL from outside.
for i in $(seq 1 12); do
	db="$WORK/r$i"
	"$CLI" --db "$db" ingest transfers "${INPUTS[@]}" >/dev/null 2>&1 &
	pid=$!
	sleep "0.0$(( (i * 7) % 10 ))$(( i % 10 ))"
	kill -9 $pid 2>/dev/null || true
	wait $pid 2>/dev/null || true
	"$CLI" --db "$db" ingest transfers "${INPUTS[@]}" >/dev/null 2>&1
	[ "$(digest "$db")" = "$REF" ] || fail "random kill $i differs"
	rm -rf "$db"
done
echo "random kills survived: 12"
echo PASS

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

INGEST=(ingest transfers "${INPUTS[@]}")
META=nem/meta
crash_points "$(seq 1 12)" 8

# Incremental: the first file committed, then a crashed run of all three.
CHECK_AFTER=1 crash_incremental "$(seq 1 8)" ingest transfers "${INPUTS[0]}"

# Random moments: SIGKILL from outside.
random_kills 12
echo PASS

# common.bash - helpers shared by the scenario tests (sourced, not run).
# Each test is called as: test.sh CLI SRCDIR SHAREDDATA; exit 77 = skipped.
set -euo pipefail
CLI=$1
SRC=$2
DATA=$3
BTC=$DATA/btc
PY=/usr/bin/python3   # Debian's python, where python3-bitcoinlib lives
WORK=$(mktemp -d "${TMPDIR:-/tmp}/cointrail-test.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

fail() { echo "FAIL: $*" >&2; exit 1; }
skip() { echo "SKIP: $*"; exit 77; }
need_data() { [ -d "$BTC" ] || skip "shared data not found at $DATA (real-data test)"; }

# digest DB: the deep-check digest of the btc-like chain in DB.
digest() {
	[ -d "$1" ] || { echo empty; return; }
	"$CLI" --db "$1" check --deep --json | "$PY" -c '
import json,sys
d=json.load(sys.stdin)
assert d["ok"], d
print(" ".join(c["chain"]+"="+c["digest"] for c in d["chains"]) or "empty")'
}

# ---- crash tests (crash_kill9.sh, transfers_crash.sh) ----
# Set INGEST (array: the ingest command's arguments after --db DIR), REF
# (the digest of an uninterrupted run) and META (the store's meta file,
# relative to the data directory) first.

# crash_points "P..." MIN: a run killed at each step P of the commit
# protocol (COINTRAIL_CRASH_AT) must leave a store that passes check --deep
# (once it has a meta file) and that a re-run brings to REF; at least MIN
# of the points must be reached.
crash_points() {
	local p db rc n=0
	for p in $1; do
		db="$WORK/c$p"
		set +e
		COINTRAIL_CRASH_AT=$p "$CLI" --db "$db" "${INGEST[@]}" >/dev/null 2>&1
		rc=$?
		set -e
		if [ $rc -eq 0 ]; then
			rm -rf "$db"
			continue # fewer crash points than p: the run finished
		fi
		[ $rc -eq 137 ] || fail "crash point $p: expected SIGKILL (137), got $rc"
		# the committed state is consistent before any recovery ...
		if [ -f "$db/$META" ]; then
			"$CLI" --db "$db" check --deep >/dev/null ||
				fail "crash point $p: check --deep failed before recovery"
		fi
		# ... and a re-run finishes the job exactly
		"$CLI" --db "$db" "${INGEST[@]}" >/dev/null
		got=$(digest "$db")
		[ "$got" = "$REF" ] || fail "crash point $p: digest $got != $REF"
		n=$((n + 1))
		rm -rf "$db"
	done
	[ $n -ge "$2" ] || fail "only $n crash points were reached"
	echo "deterministic crash points survived: $n"
}

# crash_incremental "P..." FIRST...: a store holding FIRST's ingest (the
# arguments after --db DIR), then a run of INGEST killed at step P; with
# CHECK_AFTER=1 check --deep must pass then; the re-run must give REF.
crash_incremental() {
	local points=$1 p db
	shift
	for p in $points; do
		db="$WORK/i$p"
		"$CLI" --db "$db" "$@" >/dev/null 2>&1
		set +e
		COINTRAIL_CRASH_AT=$p "$CLI" --db "$db" "${INGEST[@]}" >/dev/null 2>&1
		set -e
		if [ "${CHECK_AFTER:-0}" = 1 ]; then
			"$CLI" --db "$db" check --deep >/dev/null || fail "incremental crash point $p: check --deep"
		fi
		"$CLI" --db "$db" "${INGEST[@]}" >/dev/null
		[ "$(digest "$db")" = "$REF" ] || fail "incremental crash point $p differs"
		rm -rf "$db"
	done
	echo "incremental crash points survived: $(echo $points | wc -w)"
}

# random_kills N: N runs of INGEST killed from outside at varied delays;
# each re-run must give REF.
random_kills() {
	local i db pid
	for i in $(seq 1 "$1"); do
		db="$WORK/r$i"
		"$CLI" --db "$db" "${INGEST[@]}" >/dev/null 2>&1 &
		pid=$!
		sleep "0.0$(((i * 7) % 10))$((i % 10))"
		kill -9 $pid 2>/dev/null || true
		wait $pid 2>/dev/null || true
		"$CLI" --db "$db" "${INGEST[@]}" >/dev/null
		[ "$(digest "$db")" = "$REF" ] || fail "random kill $i differs"
		rm -rf "$db"
	done
	echo "random kills survived: $1"
}

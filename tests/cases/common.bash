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

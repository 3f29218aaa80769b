# Shared helpers of the synth test scripts: a scratch directory removed at
# exit, and check/fail reporting that ends with "N passed, N failed".
CT=${1:?usage: $0 COINTRAIL SRCDIR}
SRC=${2:?usage: $0 COINTRAIL SRCDIR}
WORK=$(mktemp -d /tmp/ct-synth-test.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
PASS=0
FAILN=0
ok() { PASS=$((PASS + 1)); }
bad() { FAILN=$((FAILN + 1)); echo "FAIL: $*"; }
finish() {
	echo "$PASS passed, $FAILN failed"
	[ "$FAILN" -eq 0 ]
}
need_bitcoinlib() {
	if ! /usr/bin/python3 -c 'import bitcoin' 2>/dev/null; then
		echo "SKIP: python3-bitcoinlib is not installed (apt-get install python3-bitcoinlib)"
		exit 77
	fi
}

#!/bin/bash
# eth_rpc.sh - `cointrail ingest eth --rpc` against a real local Ethereum node
# (hardhat, from tests/eth/package-lock.json): real ETH and ERC-20 transfers,
# failed txs, look-alike logs, sent by tests/eth/driver.js; the whole store is
# compared with what the driver sent and with the node (tests/eth/compare.py):
# --confirmations, resume, a reorg to a longer chain and one to a chain of
# the same length (evm_snapshot / evm_revert), balances against the node,
# SIGKILL at every commit step and at a random moment, --follow stopped by
# SIGTERM, and malformed answers (exit 2, store unchanged).
source "$(dirname "$0")/common.bash"
ETH=$SRC/tests/eth
DUMP=${ETH_DUMP:-$(dirname "$CLI")/../../tests/eth_dump}
command -v node >/dev/null || skip "node is not installed (needed for the local Ethereum node)"
command -v npm >/dev/null || skip "npm is not installed"
[ -d "$ETH/node_modules/hardhat" ] && [ -d "$ETH/node_modules/solc" ] ||
	skip "tests/eth/node_modules is missing: run (cd tests/eth && npm ci) or make deps"
[ -x "$DUMP" ] || skip "eth_dump not built next to the CLI ($DUMP)"

NODE_PID=
NODE2_PID=
PROXY_PID=
cleanup() {
	[ -n "$PROXY_PID" ] && kill "$PROXY_PID" 2>/dev/null
	[ -n "$NODE2_PID" ] && kill "$NODE2_PID" 2>/dev/null
	[ -n "$NODE_PID" ] && kill "$NODE_PID" 2>/dev/null
	# every other background job too (a --follow run left behind by a
	# failure would retry forever and make `wait` hang)
	kill $(jobs -p) 2>/dev/null
	wait 2>/dev/null
	rm -rf "$WORK"
}
trap cleanup EXIT

D="node $ETH/driver.js"
PORT=$($D freeport)
URL=http://127.0.0.1:$PORT
(cd "$ETH" && HARDHAT_CACHE=$WORK/hhcache exec node node_modules/hardhat/internal/cli/bootstrap.js \
	node --hostname 127.0.0.1 --port "$PORT" > "$WORK/node.log" 2>&1) &
NODE_PID=$!
for i in $(seq 1 120); do
	curl -sf -X POST -H 'content-type: application/json' \
		--data '{"jsonrpc":"2.0","id":1,"method":"eth_blockNumber","params":[]}' "$URL" >/dev/null 2>&1 && break
	kill -0 "$NODE_PID" 2>/dev/null || { cat "$WORK/node.log"; fail "the hardhat node did not start"; }
	sleep 0.5
done
echo "hardhat node on $URL"

S=$WORK/state.json
DB=$WORK/db
node_tip() {
	curl -s -X POST -H 'content-type: application/json' \
		--data '{"jsonrpc":"2.0","id":1,"method":"eth_blockNumber","params":[]}' "$URL" |
		$PY -c 'import json,sys; print(int(json.load(sys.stdin)["result"],16))'
}
check() { # check DB [compare.py options]
	local db=$1; shift
	"$DUMP" "$db" > "$WORK/dump.jsonl" || fail "eth_dump failed"
	$PY "$ETH/compare.py" "$S" "$WORK/dump.jsonl" "$URL" "$@" --cli "$CLI" --db "$db" ||
		fail "store differs from the node ($db)"
}
jget() { $PY -c "import json,sys; print(json.load(open('$1'))['$2'])"; }
ingest() { # ingest DB OUT [options]: run with --json into OUT
	local db=$1 out=$2; shift 2
	"$CLI" --db "$db" ingest eth --rpc "$URL" --json "$@" > "$out" 2> "$WORK/ingest.err" || {
		cat "$WORK/ingest.err"; fail "ingest eth failed: $*"; }
}

# 1. a token, a round of transfers; ingest 2 blocks below the tip
$D setup "$URL" "$S"
$D round "$URL" "$S" 0
TIP=$(node_tip)
ingest "$DB" "$WORK/r1.json" --confirmations 2
[ "$(jget "$WORK/r1.json" tip)" = $((TIP - 2)) ] || fail "--confirmations 2: tip $(jget "$WORK/r1.json" tip), node $TIP"
check "$DB" --upto $((TIP - 2))
echo "ok: --confirmations 2 stops at $((TIP - 2))"

# 2. resume: the rest, then nothing
ingest "$DB" "$WORK/r2.json"
[ "$(jget "$WORK/r2.json" blocks_added)" = 2 ] || fail "resume added $(jget "$WORK/r2.json" blocks_added) blocks, not 2"
grep -q "4 topics" "$WORK/ingest.err" || fail "the ERC-721-shaped log was not reported as skipped"
[ "$(jget "$WORK/r2.json" logs_skipped)" = 2 ] || fail "logs_skipped: $(cat "$WORK/r2.json")"
check "$DB" --upto "$TIP"
ingest "$DB" "$WORK/r3.json"
[ "$(jget "$WORK/r3.json" blocks_added)" = 0 ] || fail "a re-run added blocks"
echo "ok: resume"

# 3. reorg to a longer chain: snapshot, 3 blocks ingested, revert, 5 others
$D snapshot "$URL" "$S"
$D round "$URL" "$S" 1
ingest "$DB" "$WORK/r4.json"
check "$DB"
$D revert "$URL" "$S"
$D round "$URL" "$S" 2
$D mine "$URL" 2
ingest "$DB" "$WORK/r5.json"
[ "$(jget "$WORK/r5.json" reorgs)" = 1 ] && [ "$(jget "$WORK/r5.json" blocks_rolled_back)" = 3 ] ||
	fail "longer reorg: $(cat "$WORK/r5.json")"
$D balances "$URL" "$S" "$WORK/bal.json"
check "$DB" --balances "$WORK/bal.json"
echo "ok: reorg to a longer chain"

# 4. reorg to a chain of the same length (found by re-checking the tip)
$D snapshot "$URL" "$S"
$D round "$URL" "$S" 3
ingest "$DB" "$WORK/r6.json"
$D revert "$URL" "$S"
$D round "$URL" "$S" 4
ingest "$DB" "$WORK/r7.json"
[ "$(jget "$WORK/r7.json" blocks_rolled_back)" = 3 ] || fail "same-length reorg: $(cat "$WORK/r7.json")"
$D balances "$URL" "$S" "$WORK/bal.json"
check "$DB" --balances "$WORK/bal.json"
# the store after two rollbacks is the store of a fresh run, record for record
ingest "$WORK/dbf" "$WORK/rf.json"
[ "$(digest "$DB")" = "$(digest "$WORK/dbf")" ] || fail "after the reorgs the store differs from a fresh run"
echo "ok: reorg to a chain of the same length"

# 5. SIGKILL at every step of the commit protocol (one block per batch),
# then a re-run; and kill -9 at a random moment
for n in 1 2 3 4 5 6 7 9 12 17 25; do
	rm -rf "$WORK/dbk"
	# (through timeout, so that bash does not report the SIGKILL)
	timeout 120 env COINTRAIL_CRASH_AT=$n "$CLI" --db "$WORK/dbk" ingest eth --rpc "$URL" \
		--batch 1 >/dev/null 2>&1 && continue
	"$DUMP" "$WORK/dbk" > /dev/null || fail "crash at step $n: the store does not open"
	"$CLI" --db "$WORK/dbk" check --deep > /dev/null || fail "crash at step $n: check --deep fails"
	ingest "$WORK/dbk" "$WORK/rk.json" --batch 3
	check "$WORK/dbk"
done
$D mine "$URL" 300
rm -rf "$WORK/dbk"
"$CLI" --db "$WORK/dbk" ingest eth --rpc "$URL" --batch 1 >/dev/null 2>&1 &
K=$!
sleep 0.$((RANDOM % 9 + 1))
kill -9 $K 2>/dev/null || true
wait $K 2>/dev/null || true
"$DUMP" "$WORK/dbk" > "$WORK/partial.jsonl" || fail "after kill -9 the store does not open"
echo "killed after $(grep -c '"block"' "$WORK/partial.jsonl") blocks"
"$CLI" --db "$WORK/dbk" check --deep > /dev/null || fail "after kill -9: check --deep fails"
ingest "$WORK/dbk" "$WORK/rk.json"
check "$WORK/dbk"
ingest "$WORK/dbf" "$WORK/rf.json"
[ "$(digest "$WORK/dbk")" = "$(digest "$WORK/dbf")" ] || fail "after kill -9 and a re-run the store differs from an uninterrupted run"
echo "ok: kill -9"

# 6. --follow: new transfers arrive while it runs; SIGTERM stops it cleanly
"$CLI" --db "$DB" ingest eth --rpc "$URL" --follow --poll-ms 100 --json > "$WORK/f.json" 2> "$WORK/f.err" &
F=$!
wait_for() { # wait until the --follow run has stored block $1 (up to 2 min: ASan on a busy machine)
	for i in $(seq 1 600); do
		# (through a file: `grep -q` quitting early would SIGPIPE the dump,
		# and pipefail would count the hit as a miss)
		"$DUMP" "$DB" > "$WORK/follow.jsonl" 2>/dev/null &&
			grep -q "\"number\":$1," "$WORK/follow.jsonl" && return 0
		sleep 0.2
	done
	fail "--follow did not reach block $1: $(cat "$WORK/f.err")"
}
sleep 1
$D round "$URL" "$S" 5
# and a reorg while it follows: 3 blocks replaced by 4 others
$D snapshot "$URL" "$S"
$D round "$URL" "$S" 7
wait_for "$(node_tip)"
$D revert "$URL" "$S"
$D round "$URL" "$S" 8
$D mine "$URL" 1
TIP=$(node_tip)
wait_for "$TIP"
kill -TERM $F
wait $F || fail "--follow did not exit 0 on SIGTERM: $(cat "$WORK/f.err")"
[ "$(jget "$WORK/f.json" stopped)" = True ] || fail "--follow summary: $(cat "$WORK/f.json")"
[ "$(jget "$WORK/f.json" reorgs)" = 1 ] || fail "--follow missed the reorg: $(cat "$WORK/f.json")"
$D balances "$URL" "$S" "$WORK/bal.json"
check "$DB" --upto "$TIP" --balances "$WORK/bal.json"
echo "ok: --follow (with a reorg while following)"

# 7. malformed answers through a proxy: exit 2, one line naming the
# method and block, store unchanged
$D round "$URL" "$S" 6
"$DUMP" "$DB" > "$WORK/before.jsonl"
for mode in value-overflow bad-hex no-hash hashes-only not-json status-2 log-bad-topic \
	block-receipts-short; do
	PPORT=$($D freeport)
	$PY "$ETH/badproxy.py" "$PPORT" "$URL" "$mode" 2> "$WORK/proxy.log" &
	PROXY_PID=$!
	for i in $(seq 1 50); do
		(exec 3<>/dev/tcp/127.0.0.1/$PPORT) 2>/dev/null && break
		sleep 0.1
	done
	set +e
	"$CLI" --db "$DB" ingest eth --rpc "http://127.0.0.1:$PPORT" --batch 2 > /dev/null 2> "$WORK/bad.err"
	rc=$?
	set -e
	kill $PROXY_PID; wait $PROXY_PID 2>/dev/null || true; PROXY_PID=
	[ $rc = 2 ] || fail "$mode: exit $rc, not 2: $(cat "$WORK/bad.err")"
	# warnings about skipped logs may come first; the error is one line
	[ "$(grep -vc '^cointrail: warning: ' "$WORK/bad.err")" = 1 ] || fail "$mode: not one line: $(cat "$WORK/bad.err")"
	tail -1 "$WORK/bad.err" | grep -q "eth_[a-zA-Z]*(.*0x" ||
		fail "$mode: the message names no method and block: $(cat "$WORK/bad.err")"
	"$DUMP" "$DB" | cmp -s - "$WORK/before.jsonl" || fail "$mode: the store changed"
	echo "ok: $mode -> $(tail -1 "$WORK/bad.err")"
done
ingest "$DB" "$WORK/r8.json"
$D balances "$URL" "$S" "$WORK/bal.json"
check "$DB" --balances "$WORK/bal.json"

# 8. a node that serves eth_getBlockReceipts (hardhat does not: the proxy
# serves it): a fresh store through it equals the node
PPORT=$($D freeport)
$PY "$ETH/badproxy.py" "$PPORT" "$URL" block-receipts 2> "$WORK/proxy.log" &
PROXY_PID=$!
for i in $(seq 1 50); do
	(exec 3<>/dev/tcp/127.0.0.1/$PPORT) 2>/dev/null && break
	sleep 0.1
done
"$CLI" --db "$WORK/dbr" ingest eth --rpc "http://127.0.0.1:$PPORT" --batch 7 --json > "$WORK/r9.json" 2>/dev/null ||
	fail "ingest through eth_getBlockReceipts failed"
grep -q "served eth_getBlockReceipts" "$WORK/proxy.log" || fail "eth_getBlockReceipts was not used"
check "$WORK/dbr" --balances "$WORK/bal.json"
echo "ok: eth_getBlockReceipts"
kill $PROXY_PID; wait $PROXY_PID 2>/dev/null || true; PROXY_PID=

# 8b. a node that refuses eth_getLogs over more than 2 blocks: the batch
# is halved until it passes
PPORT=$($D freeport)
$PY "$ETH/badproxy.py" "$PPORT" "$URL" logs-range 2> "$WORK/proxy.log" &
PROXY_PID=$!
for i in $(seq 1 50); do
	(exec 3<>/dev/tcp/127.0.0.1/$PPORT) 2>/dev/null && break
	sleep 0.1
done
"$CLI" --db "$WORK/dbl" ingest eth --rpc "http://127.0.0.1:$PPORT" --batch 9 --json > "$WORK/r10.json" \
	2> "$WORK/logs.err" || fail "ingest with a capped eth_getLogs failed: $(cat "$WORK/logs.err")"
kill $PROXY_PID; wait $PROXY_PID 2>/dev/null || true; PROXY_PID=
grep -q "refused eth_getLogs" "$WORK/proxy.log" || fail "the proxy refused nothing"
grep -q "asking for 2 blocks at a time" "$WORK/logs.err" || fail "no halving reported: $(cat "$WORK/logs.err")"
check "$WORK/dbl" --balances "$WORK/bal.json"
echo "ok: eth_getLogs range capped by the node"
# 9. user errors: --from on a non-empty store; a node on another chain
# (a second hardhat node with another genesis) is refused, the store kept
"$DUMP" "$DB" > "$WORK/before.jsonl"
set +e
"$CLI" --db "$DB" ingest eth --rpc "$URL" --from 3 > /dev/null 2> "$WORK/from.err"
rc=$?
set -e
[ $rc = 1 ] || fail "--from on a non-empty store: exit $rc: $(cat "$WORK/from.err")"
PORT2=$($D freeport)
(cd "$ETH" && HARDHAT_CACHE=$WORK/hhcache2 HARDHAT_INITIAL_DATE=2020-01-01T00:00:00Z exec node \
	node_modules/hardhat/internal/cli/bootstrap.js node --hostname 127.0.0.1 --port "$PORT2" \
	> "$WORK/node2.log" 2>&1) &
NODE2_PID=$!
for i in $(seq 1 120); do
	curl -sf -X POST -H 'content-type: application/json' \
		--data '{"jsonrpc":"2.0","id":1,"method":"eth_blockNumber","params":[]}' \
		"http://127.0.0.1:$PORT2" >/dev/null 2>&1 && break
	sleep 0.5
done
set +e
"$CLI" --db "$DB" ingest eth --rpc "http://127.0.0.1:$PORT2" > /dev/null 2> "$WORK/other.err"
rc=$?
set -e
kill $NODE2_PID; wait $NODE2_PID 2>/dev/null || true; NODE2_PID=
[ $rc = 1 ] || fail "a node on another chain: exit $rc: $(cat "$WORK/other.err")"
grep -q "shares no block" "$WORK/other.err" || fail "another chain: $(cat "$WORK/other.err")"
"$DUMP" "$DB" | cmp -s - "$WORK/before.jsonl" || fail "a refused run changed the store"
echo "ok: user errors ($(cat "$WORK/other.err"))"
echo "eth_rpc: all checks passed"

#!/bin/bash
# eth_rpc.sh - throughput of `cointrail ingest eth --rpc` against a local
# hardhat node (tests/eth): BLOCKS blocks of TXS txs each (half ETH, half
# ERC-20 transfers), then a timed ingest into a fresh data directory, with
# several --batch sizes. Prints wall time, blocks/s, txs/s and cointrail's
# own CPU time (the rest is the node answering).
#   bench/eth_rpc.sh build/src/cli/cointrail [BLOCKS] [TXS]
set -euo pipefail
CLI=$(realpath "$1")
BLOCKS=${2:-200}
TXS=${3:-50}
ETH=$(cd "$(dirname "$0")/../tests/eth" && pwd)
[ -d "$ETH/node_modules/hardhat" ] || { echo "run (cd tests/eth && npm ci) first"; exit 1; }
WORK=$(mktemp -d "${TMPDIR:-/tmp}/cointrail-bench.XXXXXX")
D="node $ETH/driver.js"
PORT=$($D freeport)
URL=http://127.0.0.1:$PORT
(cd "$ETH" && HARDHAT_CACHE=$WORK/hh exec node node_modules/hardhat/internal/cli/bootstrap.js \
	node --hostname 127.0.0.1 --port "$PORT" > "$WORK/node.log" 2>&1) &
NODE=$!
trap 'kill $NODE 2>/dev/null; wait 2>/dev/null; rm -rf "$WORK"' EXIT
until curl -sf -X POST -H 'content-type: application/json' \
	--data '{"jsonrpc":"2.0","id":1,"method":"eth_blockNumber","params":[]}' "$URL" >/dev/null 2>&1; do
	sleep 0.5
done
$D setup "$URL" "$WORK/st.json"
t0=$(date +%s.%N)
$D load "$URL" "$WORK/st.json" "$BLOCKS" "$TXS"
echo "node: $BLOCKS blocks of $TXS txs made in $(echo "$(date +%s.%N) - $t0" | bc) s"
for batch in 10 50 200; do
	rm -rf "$WORK/db"
	/usr/bin/time -f "%e %U %S %M" -o "$WORK/time" "$CLI" --db "$WORK/db" ingest eth --rpc "$URL" \
		--batch $batch --json > "$WORK/out.json"
	read -r wall user sys rss < "$WORK/time"
	/usr/bin/python3 - "$WORK/out.json" "$wall" "$user" "$sys" "$rss" "$batch" <<'PY'
import json, sys
o = json.load(open(sys.argv[1])); wall, user, sys_, rss = map(float, sys.argv[2:6])
print("--batch %4s: %d blocks, %d txs, %d transfers+fees in %.2f s wall: %.0f blocks/s, %.0f txs/s; "
      "cointrail CPU %.2f s (%.0f txs per CPU-second), %.1f MB of answers, max RSS %.0f MB"
      % (sys.argv[6], o["blocks_added"], o["txs"], o["eth_transfers"] + o["token_transfers"] + o["fees"],
         wall, o["blocks_added"] / wall, o["txs"] / wall, user + sys_, o["txs"] / max(user + sys_, 1e-9),
         o["bytes"] / 1e6, rss / 1024))
PY
done

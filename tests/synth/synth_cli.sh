#!/bin/bash
# The command line: bad arguments get one clear line and exit 1; an
# existing non-empty --out is refused and left alone; an empty one is
# filled; nothing half-written is left behind; same seed, same bytes.
. "$(dirname "$0")/lib.sh"

expect_user_error() { # args... ; message pattern in $PAT
	local err rc
	err=$("$CT" synth "$@" 2>&1 >/dev/null)
	rc=$?
	if [ $rc -ne 1 ]; then bad "synth $* exited $rc (want 1)"; return; fi
	if [ "$(printf '%s\n' "$err" | wc -l)" -ne 1 ]; then bad "synth $*: message not one line: $err"; return; fi
	if ! printf '%s' "$err" | grep -q -- "$PAT"; then bad "synth $*: message '$err' lacks '$PAT'"; return; fi
	ok
}
PAT="--out DIR is required" expect_user_error --txs 5000
PAT="--txs N or --blocks B" expect_user_error --out "$WORK/x"
PAT="--txs wants a whole number" expect_user_error --out "$WORK/x" --txs abc
PAT="--txs wants a whole number" expect_user_error --out "$WORK/x" --txs -5
PAT="--txs wants a whole number" expect_user_error --out "$WORK/x" --txs 0
PAT="--txs must be at least" expect_user_error --out "$WORK/x" --txs 100
PAT="--blocks must be at least" expect_user_error --out "$WORK/x" --blocks 10
PAT="too many txs per block" expect_user_error --out "$WORK/x" --blocks 500 --txs 5000000
PAT="--network is regtest or mainnet" expect_user_error --out "$WORK/x" --txs 5000 --network testnet
PAT="--seed wants a whole number" expect_user_error --out "$WORK/x" --txs 5000 --seed 1.5
PAT="unknown argument" expect_user_error --out "$WORK/x" --txs 5000 --frobnicate
PAT="needs a value" expect_user_error --out "$WORK/x" --txs
PAT="--transfers wants" expect_user_error --out "$WORK/x" --txs 5000 --transfers 5
[ ! -e "$WORK/x" ] && ok || bad "a failed run left $WORK/x"

mkdir -p "$WORK/full" && echo keep > "$WORK/full/file"
PAT="exists and is not an empty directory" expect_user_error --out "$WORK/full" --txs 5000
[ "$(cat "$WORK/full/file")" = keep ] && ok || bad "non-empty --out was touched"
echo x > "$WORK/afile"
PAT="exists and is not an empty directory" expect_user_error --out "$WORK/afile" --txs 5000
PAT="cannot create" expect_user_error --out "$WORK/no/such/parent" --txs 5000

# (the cointrail command may answer --help itself, before synth sees it)
"$CT" synth --help 2>&1 | grep -q "usage: cointrail" && ok || bad "--help"

# an empty directory is accepted and filled
mkdir "$WORK/empty"
if "$CT" synth --out "$WORK/empty" --txs 5000 --seed 42 --quiet; then ok; else bad "empty --out refused"; fi
for f in blocks/blk00000.dat transfers.csv truth.json; do
	[ -s "$WORK/empty/$f" ] && ok || bad "missing $f"
done
ls -d "$WORK"/*.tmp-* >/dev/null 2>&1 && bad "temporary directory left behind" || ok

# determinism: same seed, same bytes; another seed, other bytes
"$CT" synth --out "$WORK/again" --txs 5000 --seed 42 --quiet || bad "second run failed"
for f in blocks/blk00000.dat transfers.csv truth.json; do
	cmp -s "$WORK/empty/$f" "$WORK/again/$f" && ok || bad "seed 42 gave different $f"
done
# the threads' timing changes nothing: the same bytes on one CPU
if command -v taskset >/dev/null 2>&1; then
	taskset -c 0 "$CT" synth --out "$WORK/onecpu" --txs 5000 --seed 42 --quiet || bad "one-CPU run failed"
	for f in blocks/blk00000.dat transfers.csv truth.json; do
		cmp -s "$WORK/empty/$f" "$WORK/onecpu/$f" && ok || bad "one CPU gave different $f"
	done
fi
"$CT" synth --out "$WORK/other" --txs 5000 --seed 43 --quiet || bad "third run failed"
cmp -s "$WORK/empty/blocks/blk00000.dat" "$WORK/other/blocks/blk00000.dat" && bad "seeds 42 and 43 gave the same blocks" || ok
# --no-membership changes truth.json only
"$CT" synth --out "$WORK/nm" --txs 5000 --seed 42 --quiet --no-membership || bad "--no-membership failed"
cmp -s "$WORK/empty/blocks/blk00000.dat" "$WORK/nm/blocks/blk00000.dat" && ok || bad "--no-membership changed the blocks"
grep -q '"membership": false' "$WORK/nm/truth.json" && ok || bad "--no-membership truth"
# transfers.csv: the DESIGN §4 header
[ "$(head -1 "$WORK/empty/transfers.csv")" = "timestamp,from,to,amount,tx_hash,block_height,asset,chain,fee" ] && ok || bad "transfers.csv header"
# a write failure (file size limit: writes fail with EFBIG) exits 3 and
# leaves neither --out nor the temporary directory
(trap '' XFSZ; ulimit -f 400; "$CT" synth --out "$WORK/big" --txs 60000 --quiet 2>"$WORK/big.err")
rc=$?
[ $rc -eq 3 ] && ok || bad "write failure exited $rc (want 3): $(cat "$WORK/big.err")"
[ ! -e "$WORK/big" ] && ok || bad "write failure left --out"
ls -d "$WORK"/big.tmp-* >/dev/null 2>&1 && bad "write failure left the temporary directory" || ok
finish

# transfers_bad.sh - bad rows in transfer files: each kind exits 2 with one
# line "FILE:LINE: reason", and the store is unchanged (same deep-check
# digest) whether it was empty or held data; --skip-bad ingests the good
# rows and writes exactly the bad ones, with their reasons, to --rejects.
source "$(dirname "$0")/common.bash"

H="timestamp,from,to,amount,tx_hash"
A=0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed
B=0xfb6916095ca1df60bb79ce92ce3ea74c37c5d359
GOOD="2021-01-01T00:00:00Z,$A,$B,1.5,"
N1=NC3BI3DNMR2PGEOOMP2NKXQGSAKMS7GYRKVA5CSZ

# case NAME CHAIN LINE REASON-REGEX CONTENT...: the file has a header and
# the given rows; the bad one is on line LINE.
cases=0
run_case() {
	local name=$1 chain=$2 line=$3 re=$4
	shift 4
	local f="$WORK/$name.csv"
	printf '%s\n' "$@" >"$f"
	for db in "$WORK/empty" "$WORK/full-$chain"; do
		local before after
		before=$(digest "$db")
		set +e
		"$CLI" --db "$db" ingest transfers "$f" --chain "$chain" >/dev/null 2>"$WORK/err"
		local rc=$?
		set -e
		[ $rc -eq 2 ] || fail "$name: exit $rc, expected 2 ($(cat "$WORK/err"))"
		local msg
		msg=$(grep -v '^cointrail: note:' "$WORK/err")
		[ "$(printf '%s\n' "$msg" | wc -l)" -eq 1 ] || fail "$name: more than one line: $msg"
		printf '%s' "$msg" | grep -Eq "^cointrail: $f:$line: $re" ||
			fail "$name: message '$msg' does not match '$f:$line: $re'"
		after=$(digest "$db")
		[ "$before" = "$after" ] || fail "$name: store changed ($before -> $after)"
	done
	cases=$((cases + 1))
}

# a store that holds data already, for each chain
printf '%s\n' "$H" "$GOOD" "2021-01-02T00:00:00Z,$B,$A,0.25,0x$(printf '%064d' 7)" >"$WORK/seed.csv"
"$CLI" --db "$WORK/full-eth" ingest transfers "$WORK/seed.csv" --chain eth >/dev/null
printf '%s\n' "timestamp,from,to,amount" "2018-01-26T00:00:00Z,$N1,$N1,1.000001" >"$WORK/seednem.csv"
"$CLI" --db "$WORK/full-nem" ingest transfers "$WORK/seednem.csv" --chain nem >/dev/null

run_case missing_col eth 1 "missing column 'amount'" "timestamp,from,to" "2021-01-01T00:00:00Z,$A,$B"
run_case amount_text eth 3 "amount is not a number" "$H" "$GOOD" "2021-01-01T00:00:00Z,$A,$B,1.2.3,"
run_case amount_neg eth 2 "negative amount" "$H" "2021-01-01T00:00:00Z,$A,$B,-1,"
run_case amount_decimals nem 3 "more decimals than the asset has" "timestamp,from,to,amount" \
	"2018-01-26T00:00:00Z,$N1,$N1,1" "2018-01-26T00:00:00Z,$N1,$N1,1.0000001"
run_case amount_overflow eth 2 "amount exceeds 256 bits" "timestamp,from,to,value" \
	"2021-01-01T00:00:00Z,$A,$B,115792089237316195423570985008687907853269984665640564039457584007913129639936"
run_case amount_empty eth 2 "missing amount" "$H" "2021-01-01T00:00:00Z,$A,$B,,"
run_case time_text eth 2 "unparsable timestamp" "$H" "yesterday,$A,$B,1,"
run_case time_nozone eth 2 "unparsable timestamp" "$H" "2021-01-01 00:00:00,$A,$B,1,"
run_case time_feb30 eth 2 "unparsable timestamp" "$H" "2021-02-30T00:00:00Z,$A,$B,1,"
run_case eip55 eth 2 "from: bad EIP-55 checksum" "$H" \
	"2021-01-01T00:00:00Z,0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD,$B,1,"
run_case eth_addr eth 2 "to: not an Ethereum address" "$H" "2021-01-01T00:00:00Z,$A,0x1234,1,"
run_case nem_checksum nem 2 "from: bad NEM address checksum" "timestamp,from,to,amount" \
	"2018-01-26T00:00:00Z,NC3BI3DNMR2PGEOOMP2NKXQGSAKMS7GYRKVA5CSA,$N1,1"
run_case fields eth 2 "fewer fields than the header has" "$H" "2021-01-01T00:00:00Z,$A,$B"
run_case quote eth 2 "unterminated quoted field" "$H" "2021-01-01T00:00:00Z,$A,$B,\"1,"
run_case missing_from eth 2 "missing from" "$H" "2021-01-01T00:00:00Z,,$B,1,"
run_case symbol_asset eth 2 "asset is neither the native asset nor a contract" \
	"timestamp,from,to,amount,asset" "2021-01-01T00:00:00Z,$A,$B,1,USDT"
run_case tx_hash eth 2 "tx_hash is not 32 bytes of hex" "$H" "2021-01-01T00:00:00Z,$A,$B,1,0xabc"
run_case chain_mismatch eth 2 "the row's chain differs" "timestamp,from,to,amount,chain" \
	"2021-01-01T00:00:00Z,$A,$B,1,nem"
run_case jsonl eth 2 "expected ',' or '}' in JSON" \
	"{\"timestamp\": 1, \"from\": \"$A\", \"to\": \"$B\", \"amount\": \"1\"}" \
	"{\"timestamp\": 2 \"from\": \"$A\"}"
run_case jsonl_nested eth 1 "nested JSON values are not supported" \
	"{\"timestamp\": 1, \"from\": {\"a\": 1}, \"to\": \"$B\", \"amount\": \"1\"}"
# the bad row may come after good rows of an earlier file of the same run
printf '%s\n' "$H" "$GOOD" >"$WORK/ok1.csv"
printf '%s\n' "$H" "$GOOD" "2021-01-01T00:00:00Z,$A,$B,x," >"$WORK/bad2.csv"
for db in "$WORK/empty" "$WORK/full-eth"; do
	before=$(digest "$db")
	set +e
	"$CLI" --db "$db" ingest transfers "$WORK/ok1.csv" "$WORK/bad2.csv" --chain eth >/dev/null 2>"$WORK/err"
	rc=$?
	set -e
	[ $rc -eq 2 ] && grep -q "bad2.csv:3: amount is not a number" "$WORK/err" || fail "two files: $rc $(cat "$WORK/err")"
	[ "$(digest "$db")" = "$before" ] || fail "two files: store changed"
done
# a damaged gzip file
printf '%s\n' "$H" "$GOOD" "$GOOD" | gzip -c >"$WORK/t.csv.gz"
head -c 30 "$WORK/t.csv.gz" >"$WORK/cut.csv.gz"
set +e
"$CLI" --db "$WORK/empty" ingest transfers "$WORK/cut.csv.gz" --chain eth 2>"$WORK/err" >/dev/null
rc=$?
set -e
[ $rc -eq 2 ] && grep -q "cut.csv.gz: truncated gzip data" "$WORK/err" || fail "gzip: $rc $(cat "$WORK/err")"
cases=$((cases + 2))
echo "bad-row kinds rejected with the store unchanged: $cases"

# --skip-bad: good rows in, bad ones (line + reason + the original text) out
printf '%s\n' "$H" "$GOOD" "2021-01-01T00:00:00Z,$A,$B,1.2.3," "2021-01-01T00:00:01Z,$A,$B,2," \
	"nonsense" "2021-01-01T00:00:02Z,$A,0x1234,1," >"$WORK/mix.csv"
"$CLI" --db "$WORK/skip" ingest transfers "$WORK/mix.csv" --chain eth --skip-bad \
	--rejects "$WORK/rej.txt" --json >"$WORK/out.json" 2>/dev/null || fail "--skip-bad exit $?"
printf '%s\n' \
	"$WORK/mix.csv:3: amount is not a number	2021-01-01T00:00:00Z,$A,$B,1.2.3," \
	"$WORK/mix.csv:5: fewer fields than the header has	nonsense" \
	"$WORK/mix.csv:6: to: not an Ethereum address (0x and 40 hex digits): '0x1234'	2021-01-01T00:00:02Z,$A,0x1234,1," \
	>"$WORK/rej.want"
diff -u "$WORK/rej.want" "$WORK/rej.txt" || fail "rejects file differs"
"$PY" -c '
import json,sys
r=json.load(open(sys.argv[1]))
assert r["rows"]==5 and r["rows_rejected"]==3 and r["transfers"]==2, r' "$WORK/out.json" || fail "skip-bad counts"
"$CLI" --db "$WORK/skip" address "$B" --json | "$PY" -c '
import json,sys
a=json.load(sys.stdin)
assert a["received"]=="3.500000000000000000", a["received"]' || fail "skip-bad totals"
echo PASS

# help.sh - `cointrail COMMAND --help` and `-h`, for every command that
# `cointrail --help` lists (read from that text here, independently of the
# table the program prints it from): exit 0, the command's usage on stdout,
# nothing on stderr, no data directory touched; also after the command's
# own arguments, and an unknown command with --help is still an error.
source "$(dirname "$0")/common.bash"

"$CLI" --help >"$WORK/all" 2>"$WORK/err" || fail "cointrail --help exited $?"
[ ! -s "$WORK/err" ] || fail "cointrail --help wrote to stderr"
# the commands: the first word of each two-space-indented line
mapfile -t CMDS < <("$PY" - "$WORK/all" <<'PY'
import re, sys
seen = []
for line in open(sys.argv[1]):
    m = re.match(r"^  ([a-z]+)\b", line)
    if m and m.group(1) not in seen:
        seen.append(m.group(1))
print("\n".join(seen))
PY
)
[ ${#CMDS[@]} -ge 10 ] || fail "only ${#CMDS[@]} commands found in cointrail --help: ${CMDS[*]}"
echo "commands: ${CMDS[*]}"

DB="$WORK/db-must-not-exist"
check_help() { # check_help CMD ARGS...: the help of CMD, asked with ARGS
	local cmd=$1 rc=0
	shift
	"$CLI" --db "$DB" "$@" >"$WORK/out" 2>"$WORK/err" || rc=$?
	[ $rc -eq 0 ] || fail "'cointrail $*' exited $rc: $(head -c 300 "$WORK/err")"
	[ ! -s "$WORK/err" ] || fail "'cointrail $*' wrote to stderr: $(head -c 300 "$WORK/err")"
	grep -q '^usage: ' "$WORK/out" || fail "'cointrail $*': no usage line on stdout"
	# the usage names the command as it is typed
	grep -Eq "(^|[ ])$cmd( |$)" "$WORK/out" || fail "'cointrail $*': the usage does not mention $cmd"
	[ ! -e "$DB" ] || fail "'cointrail $*' created the data directory"
}
for c in "${CMDS[@]}"; do
	check_help "$c" "$c" --help
	check_help "$c" "$c" -h
	check_help "$c" --json "$c" --help
done
# after a sub-command and its arguments
check_help ingest ingest btc some.dat --help
check_help ingest ingest transfers --chain nem -h
check_help case case open X --seed Y --help
check_help label label add ADDR --help
check_help trace trace 1abc --policy fifo --help

# the help of one command is not the whole usage
"$CLI" trace --help >"$WORK/trace"
! grep -q '^  ingest ' "$WORK/trace" || fail "trace --help printed the whole usage"

# an unknown command stays a usage error
rc=0
"$CLI" frobnicate --help >"$WORK/out" 2>"$WORK/err" || rc=$?
[ $rc -eq 1 ] || fail "unknown command with --help exited $rc, not 1"
grep -q "unknown command 'frobnicate'" "$WORK/err" || fail "unknown command: $(cat "$WORK/err")"
echo PASS

#!/bin/bash
# labels.cli: `cointrail label add|import|list|show` through the CLI entry
# point, with exit codes. $1: the cointrail binary.
set -u
bin=$1
t=$(mktemp -d /tmp/ct-labels-cli-XXXXXX)
trap 'rm -rf "$t"' EXIT
fail=0
check() { # check WANT_EXIT DESCRIPTION CMD...
	local want=$1 what=$2; shift 2
	"$@" >"$t/out" 2>"$t/err"; local got=$?
	if [ "$got" != "$want" ]; then
		echo "FAIL: $what: exit $got, want $want"; cat "$t/out" "$t/err"; fail=1
	fi
}
has() { # has FILE PATTERN DESCRIPTION
	grep -q -- "$2" "$t/$1" || { echo "FAIL: $3: no '$2' in $1"; cat "$t/$1"; fail=1; }
}
db=$t/db
check 0 "add" "$bin" --db "$db" label add bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq --category own --name "hot wallet" --confidence 1
has out "btc:bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq as own" "add text"
check 1 "add without category" "$bin" --db "$db" label add bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq
check 1 "add unreadable address" "$bin" --db "$db" label add nonsense --category theft
has err "cannot tell the chain" "add message"
printf 'address,category,name,source\n0x8589427373D6D84E98730D7795D8f6f8731FDA16,mixer,Tornado,test\n' >"$t/l.csv"
check 0 "import csv" "$bin" --db "$db" label import "$t/l.csv"
has out "csv, family csv:l: 1 added, 0 removed" "import text"
check 0 "import again" "$bin" --db "$db" --json label import "$t/l.csv"
has out '"already_imported":true' "import json"
printf 'address,category\n"unterminated\n' >"$t/bad.csv"
check 2 "import bad csv" "$bin" --db "$db" label import "$t/bad.csv" "$t/l.csv"
has err "bad.csv: line 2: unterminated quoted field" "bad csv message"
check 1 "import missing file" "$bin" --db "$db" label import "$t/nope.csv"
check 0 "list" "$bin" --db "$db" label list --category mixer
has out "eth:0x8589427373d6d84e98730d7795d8f6f8731fda16" "list text"
check 0 "list json" "$bin" --db "$db" --json label list --limit 1
has out '"total":2' "list json total"
check 0 "show" "$bin" --db "$db" label show 0x8589427373D6D84E98730D7795D8f6f8731FDA16
has out "mixer" "show text"
check 0 "show json" "$bin" --db "$db" --json label show btc:bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq
has out '"confidence":1' "show json"
check 1 "unknown subcommand" "$bin" --db "$db" label frobnicate
check 1 "unknown option" "$bin" --db "$db" label list --frob 1
[ $fail = 0 ] && echo "labels.cli: all checks passed"
exit $fail

#!/usr/bin/env python3
"""compare_btc.py - check cointrail's per-block JSON against the reference decoders.

Plain Python 3 (standard library only); any python3 works.

Compare cointrail with reference JSON Lines (from btc_ref.py and/or btc_ref.js):

    compare_btc.py --cointrail BUILD/cointrail --db DBDIR REF.jsonl [REF.jsonl...]
                   [--spent-by] [--no-prevouts] [--allow-unrendered] [--show 20]

  or let it run the references itself on block files (python + node, then merge):

    compare_btc.py --cointrail BIN --db DBDIR --network mainnet --blocks FILE...

Check that the two references agree with each other (no cointrail involved):

    compare_btc.py --cross-check PY.jsonl JS.jsonl

Merging: records are grouped per block (key: block hash) and position in the block.
An output that btc_ref.py left as {"address": null, "needs_js": true} (witness v1+,
bech32m) takes its address from btc_ref.js.  Wherever both references state something
(txid, input count, values, prevouts, addresses), they must agree; a disagreement is a
reference conflict, reported and counted as a mismatch.  Outputs still marked needs_js
after merging (only btc_ref.py output given) fail the run unless --allow-unrendered.

For every distinct block hash it runs `cointrail --db DBDIR block HASH --json`, whose
contract is
  {"hash", "height", "time", "txs": [{"txid", "inputs": [{"prev_tx", "prev_n",
     "address", "amount"}], "outputs": [{"n", "address", "amount", "type", "spent_by"}]}]}
(amount: decimal BTC string with exactly 8 decimals; address: string or null; a coinbase
has exactly one input) and checks, per tx in order: txid, number of inputs, prev_tx and
prev_n of every non-coinbase input (skip with --no-prevouts), number of outputs, each
output's n, amount (converted to satoshis exactly, no floats) and address.  With
--spent-by it also checks that every output spent by a tx present in the references has
spent_by equal to that tx's txid (a txid string, or an object with a "txid" key); outputs
not spent inside the reference set, or spent by two different txs in it (stale blocks),
are not checked.  Only meaningful when the reference blocks are best-chain blocks.

Prints up to --show mismatches, then the line
  compare: N blocks, M txs, K outputs checked, E mismatches
Exit status: 0 when E == 0, 1 otherwise (also on usage errors).
"""

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
AMOUNT_RE = re.compile(r"^(\d+)\.(\d{8})$")


class Report:
    def __init__(self, show):
        self.show = show
        self.items = []
        self.count = 0

    def add(self, msg):
        self.count += 1
        if len(self.items) < self.show:
            self.items.append(msg)


def amount_to_sat(s):
    """Exact decimal BTC string -> satoshis, or None if not in contract format."""
    if not isinstance(s, str):
        return None
    m = AMOUNT_RE.match(s)
    if not m:
        return None
    return int(m.group(1)) * 100000000 + int(m.group(2))


def read_blocks(path):
    """Yield (block_hash, [tx records]) for each contiguous run of one block in a file."""
    cur, txs = None, []
    f = sys.stdin if path == "-" else open(path)
    with f:
        for lineno, line in enumerate(f, 1):
            line = line.strip()
            if not line:
                continue
            try:
                rec = json.loads(line)
            except ValueError as e:
                raise SystemExit("compare_btc: %s:%d: bad JSON: %s" % (path, lineno, e))
            if rec["block"] != cur:
                if cur is not None:
                    yield cur, txs
                cur, txs = rec["block"], []
            txs.append(rec)
    if cur is not None:
        yield cur, txs


def merge_tx(a, b, where, rep):
    """Merge reference record b into a (same block, same position)."""
    for key in ("txid", "n_in"):
        if a[key] != b[key]:
            rep.add("%s: references disagree on %s: %r vs %r" % (where, key, a[key], b[key]))
            return
    if "prevouts" in a and "prevouts" in b and a["prevouts"] != b["prevouts"]:
        rep.add("%s: references disagree on prevouts" % where)
    if "prevouts" not in a and "prevouts" in b:
        a["prevouts"] = b["prevouts"]
    if len(a["outputs"]) != len(b["outputs"]):
        rep.add("%s: references disagree on output count: %d vs %d"
                % (where, len(a["outputs"]), len(b["outputs"])))
        return
    for n, (oa, ob) in enumerate(zip(a["outputs"], b["outputs"])):
        if oa["value"] != ob["value"]:
            rep.add("%s out %d: references disagree on value: %d vs %d"
                    % (where, n, oa["value"], ob["value"]))
        if ob.get("needs_js"):
            continue
        if oa.get("needs_js"):
            oa["address"] = ob["address"]
            del oa["needs_js"]
        elif oa["address"] != ob["address"]:
            rep.add("%s out %d: references disagree on address: %r vs %r"
                    % (where, n, oa["address"], ob["address"]))


def load_refs(paths, rep):
    """Return (ordered list of block hashes, {hash: [tx records]})."""
    order, blocks = [], {}
    for path in paths:
        for bhash, txs in read_blocks(path):
            if bhash not in blocks:
                order.append(bhash)
                blocks[bhash] = txs
                continue
            have = blocks[bhash]
            if len(have) != len(txs):
                rep.add("block %s: references disagree on tx count: %d vs %d"
                        % (bhash, len(have), len(txs)))
                continue
            for i, (a, b) in enumerate(zip(have, txs)):
                merge_tx(a, b, "block %s tx %d" % (bhash, i), rep)
    return order, blocks


def spent_map(blocks):
    spent = {}
    for txs in blocks.values():
        for i, tx in enumerate(txs):
            if i == 0:
                continue
            for prev in tx.get("prevouts", []):
                key = (prev[0], prev[1])
                if spent.get(key, tx["txid"]) != tx["txid"]:
                    spent[key] = None      # spent differently in two blocks: ambiguous
                else:
                    spent[key] = tx["txid"]
    return spent


def run_cointrail(binary, db, bhash, timeout):
    cmd = [binary, "--db", db, "block", bhash, "--json"]
    try:
        p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=timeout)
    except subprocess.TimeoutExpired:
        return None, "timed out after %ss" % timeout
    except OSError as e:
        return None, "cannot run %s: %s" % (binary, e)
    if p.returncode != 0:
        err = p.stderr.decode("utf-8", "replace").strip().splitlines()
        return None, "exit %d%s" % (p.returncode, (": " + err[-1]) if err else "")
    try:
        return json.loads(p.stdout), None
    except ValueError as e:
        return None, "output is not JSON: %s" % e


def spender_txid(v):
    if isinstance(v, dict):
        return v.get("txid")
    return v


def compare_block(bhash, ref_txs, got, args, rep, spent, stats):
    if got.get("hash") != bhash:
        rep.add("block %s: cointrail returned hash %r" % (bhash, got.get("hash")))
    gtxs = got.get("txs")
    if not isinstance(gtxs, list):
        rep.add("block %s: no txs list in cointrail output" % bhash)
        return
    if len(gtxs) != len(ref_txs):
        rep.add("block %s: %d txs, reference has %d" % (bhash, len(gtxs), len(ref_txs)))
    for i, (r, g) in enumerate(zip(ref_txs, gtxs)):
        stats["txs"] += 1
        where = "block %s tx %d (%s)" % (bhash, i, r["txid"])
        if g.get("txid") != r["txid"]:
            rep.add("%s: txid is %r" % (where, g.get("txid")))
            continue
        gin = g.get("inputs") or []
        if len(gin) != r["n_in"]:
            rep.add("%s: %d inputs, reference has %d" % (where, len(gin), r["n_in"]))
        elif args.prevouts and i > 0 and "prevouts" in r:
            for j, (gi, (ptx, pn)) in enumerate(zip(gin, r["prevouts"])):
                if gi.get("prev_tx") != ptx or gi.get("prev_n") != pn:
                    rep.add("%s in %d: prevout %s:%s, reference %s:%d"
                            % (where, j, gi.get("prev_tx"), gi.get("prev_n"), ptx, pn))
        gout = g.get("outputs") or []
        if len(gout) != len(r["outputs"]):
            rep.add("%s: %d outputs, reference has %d" % (where, len(gout), len(r["outputs"])))
        for n, (ro, go) in enumerate(zip(r["outputs"], gout)):
            stats["outputs"] += 1
            ow = "%s out %d" % (where, n)
            if "n" in go and go["n"] != n:
                rep.add("%s: n is %r" % (ow, go["n"]))
            sat = amount_to_sat(go.get("amount"))
            if sat is None:
                rep.add("%s: amount %r is not a decimal string with 8 decimals"
                        % (ow, go.get("amount")))
            elif sat != ro["value"]:
                rep.add("%s: amount %s (%d sat), reference %d sat"
                        % (ow, go.get("amount"), sat, ro["value"]))
            if ro.get("needs_js"):
                stats["unrendered"] += 1
            elif go.get("address") != ro["address"]:
                rep.add("%s: address %r, reference %r" % (ow, go.get("address"), ro["address"]))
            if args.spent_by:
                want = spent.get((r["txid"], n))
                if want is not None and spender_txid(go.get("spent_by")) != want:
                    rep.add("%s: spent_by %r, reference %s" % (ow, go.get("spent_by"), want))


def run_refs(files, network):
    """Run btc_ref.py (and btc_ref.js if its node_modules exist); return JSONL paths."""
    tmp = tempfile.mkdtemp(prefix="cointrail-ref-")
    outs = []
    cmds = [("py", ["/usr/bin/python3", os.path.join(HERE, "btc_ref.py")])]
    if os.path.isdir(os.path.join(HERE, "node_modules", "bitcoinjs-lib")):
        cmds.append(("js", ["node", os.path.join(HERE, "btc_ref.js")]))
    else:
        sys.stderr.write("compare_btc: %s/node_modules missing (run npm ci there); "
                         "bech32m addresses will be unrendered\n" % HERE)
    for tag, cmd in cmds:
        out = os.path.join(tmp, "ref-%s.jsonl" % tag)
        with open(out, "w") as f:
            rc = subprocess.call(cmd + ["--network", network, "--quiet"] + files, stdout=f)
        if rc == 1:
            raise SystemExit("compare_btc: %s reference failed" % tag)
        outs.append(out)
    return outs


def cross_check(paths, show):
    rep = Report(show)
    if len(paths) != 2:
        raise SystemExit("compare_btc: --cross-check takes exactly two JSONL files")
    (oa, ba), (ob, bb) = (load_refs([p], Report(0)) for p in paths)
    if oa != ob:
        rep.add("block lists differ: %d vs %d blocks" % (len(oa), len(ob)))
    ntx = nout = filled = 0
    for h in oa:
        if h not in bb:
            continue
        a, b = ba[h], bb[h]
        if len(a) != len(b):
            rep.add("block %s: tx count %d vs %d" % (h, len(a), len(b)))
            continue
        for i, (x, y) in enumerate(zip(a, b)):
            ntx += 1
            nout += len(x["outputs"])
            filled += sum(1 for o in x["outputs"] + y["outputs"] if o.get("needs_js"))
            merge_tx(x, y, "block %s tx %d" % (h, i), rep)
    for m in rep.items:
        print(m)
    print("cross-check: %d blocks, %d txs, %d outputs, %d bech32m-only-in-one, %d disagreements"
          % (len(oa), ntx, nout, filled, rep.count))
    return 1 if rep.count else 0


def main():
    ap = argparse.ArgumentParser(description="compare cointrail block JSON with reference JSONL")
    ap.add_argument("refs", nargs="*", metavar="REF.jsonl")
    ap.add_argument("--cointrail", help="path of the cointrail binary")
    ap.add_argument("--db", help="cointrail data dir")
    ap.add_argument("--blocks", nargs="+", metavar="FILE",
                    help="run the reference decoders on these block files")
    ap.add_argument("--network", default="mainnet")
    ap.add_argument("--cross-check", action="store_true",
                    help="only compare two reference outputs with each other")
    ap.add_argument("--spent-by", action="store_true", help="also check spent_by")
    ap.add_argument("--no-prevouts", dest="prevouts", action="store_false",
                    help="do not check inputs' prev_tx/prev_n")
    ap.add_argument("--allow-unrendered", action="store_true",
                    help="do not fail on outputs only btc_ref.js can render")
    ap.add_argument("--show", type=int, default=20, help="mismatches to print (default 20)")
    ap.add_argument("--timeout", type=float, default=120.0, help="seconds per cointrail call")
    ap.add_argument("--merged-out", help="write the merged reference JSONL here")
    args = ap.parse_args()

    if args.cross_check:
        return cross_check(args.refs, args.show)
    refs = list(args.refs)
    if args.blocks:
        refs += run_refs(args.blocks, args.network)
    if not refs or not args.cointrail or not args.db:
        ap.error("need reference JSONL (or --blocks), --cointrail and --db")

    rep = Report(args.show)
    order, blocks = load_refs(refs, rep)
    if args.merged_out:
        with open(args.merged_out, "w") as f:
            for h in order:
                for tx in blocks[h]:
                    f.write(json.dumps(tx, separators=(",", ":")) + "\n")
    spent = spent_map(blocks) if args.spent_by else {}
    stats = {"txs": 0, "outputs": 0, "unrendered": 0}
    for bhash in order:
        got, err = run_cointrail(args.cointrail, args.db, bhash, args.timeout)
        if err:
            rep.add("block %s: cointrail %s" % (bhash, err))
            continue
        compare_block(bhash, blocks[bhash], got, args, rep, spent, stats)
    if stats["unrendered"] and not args.allow_unrendered:
        rep.add("%d outputs have no reference address (witness v1+ needs btc_ref.js output; "
                "or pass --allow-unrendered)" % stats["unrendered"])
    for m in rep.items:
        print(m)
    if rep.count > len(rep.items):
        print("... %d more mismatches" % (rep.count - len(rep.items)))
    print("compare: %d blocks, %d txs, %d outputs checked, %d mismatches"
          % (len(order), stats["txs"], stats["outputs"], rep.count))
    return 1 if rep.count else 0


if __name__ == "__main__":
    sys.exit(main())

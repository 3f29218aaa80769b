#!/usr/bin/python3
# compare.py - checks cointrail's eth store (eth_dump JSON Lines) against
# what tests/eth/driver.js sent through the node (its state file) and
# against the node itself: every transfer and fee exactly (from, to, asset,
# amount in base units, tx, block, failed), every tx, every stored block's
# hash, and optionally the balances of the touched accounts.
# With --cli, the look-ups are checked too: `tx --json` of every expected tx
# (its transfers and fee), `block --json` of the newest 40 blocks (hash,
# parent and txs against the node) and `address --json` of the touched
# accounts (per-asset balances against the node).
#   compare.py STATE DUMP URL [--upto N] [--balances FILE] [--cli CLI --db DB]
import json
import subprocess
import sys
import urllib.request
from collections import Counter


def rpc(url, method, params):
    req = urllib.request.Request(url, data=json.dumps(
        {"jsonrpc": "2.0", "id": 1, "method": method, "params": params}).encode(),
        headers={"content-type": "application/json"})
    with urllib.request.urlopen(req, timeout=30) as r:
        return json.load(r)["result"]


def units(s, decimals):
    """An amount as cointrail prints it ("1.5" with decimals, or raw) in base units."""
    if decimals is None:
        return int(s)
    neg = s.startswith("-")
    i, _, f = s.lstrip("-").partition(".")
    assert len(f) == decimals, (s, decimals)
    v = int(i) * 10 ** decimals + int(f or "0")
    return -v if neg else v


def run(cli, db, *a):
    out = subprocess.run([cli, "--db", db, *a, "--json"], capture_output=True, text=True)
    if out.returncode != 0:
        raise SystemExit("FAIL: %s %s: exit %d: %s" % (cli, " ".join(a), out.returncode, out.stderr))
    return json.loads(out.stdout)


def lookups(cli, db, st, lim, balf, url):
    bad = []
    exp = [e for e in st["expected"] if e["block"] <= lim]
    for t in st["txs"]:
        if t["block"] > lim:
            continue
        j = run(cli, db, "tx", t["tx"])
        if j["height"] != t["block"] or j["failed"] != (t["status"] == 0):
            bad.append("tx %s: height/failed %s/%s" % (t["tx"], j["height"], j["failed"]))
        if j["block"] != t["block_hash"]:
            bad.append("tx %s: block %s, the node says %s" % (t["tx"], j["block"], t["block_hash"]))
        fee = sum(int(e["amount"]) for e in exp if e["tx"] == t["tx"] and e["kind"] == "fee")
        if units(j["fee"], 18) != fee:
            bad.append("tx %s: fee %s, expected %d wei" % (t["tx"], j["fee"], fee))
        want = sorted((e["from"], e["to"], e["asset"], int(e["amount"]), e["failed"])
                      for e in exp if e["tx"] == t["tx"] and e["kind"] != "fee")
        got = sorted((x["from"], x["to"], "eth" if x["asset"] == "ETH" else x["asset"],
                      units(x["amount"], x["decimals"]), x["failed"]) for x in j["transfers"])
        if want != got:
            bad.append("tx %s: transfers %s, expected %s" % (t["tx"], got, want))
    # `block eth:N` of the newest blocks (at most 40): hash, parent and txs
    # as the node has them
    for n in range(max(0, lim - 39), lim + 1):
        j = run(cli, db, "block", "eth:%d" % n)
        nb = rpc(url, "eth_getBlockByNumber", [hex(n), False])
        got = sorted(t["txid"] for t in j["txs"])
        if (j["hash"], j["prev"], j["height"], got) != (nb["hash"], nb["parentHash"], n,
                                                       sorted(nb["transactions"])):
            bad.append("block %d: %s %s %s, the node says %s %s %s" % (
                n, j["hash"], j["prev"], got, nb["hash"], nb["parentHash"], sorted(nb["transactions"])))
    if balf:
        for acc, b in json.load(open(balf)).items():
            j = run(cli, db, "address", "eth:" + acc, "--limit", "1000")
            per = {("eth" if a["asset"] == "ETH" else a["asset"]): units(a["balance"], a["decimals"])
                   for a in j.get("assets", [])}
            if per.get("eth", 0) != int(b["eth_delta"]):
                bad.append("address %s: ETH balance %s, node change %s" % (acc, per.get("eth"), b["eth_delta"]))
            for a in j.get("assets", []):
                if a["asset"] == st["token"] and (a["decimals"] != 6 or a["symbol"] != "TOK"):
                    bad.append("address %s: token shown with decimals %s, symbol %r (the "
                               "contract says 6, TOK)" % (acc, a["decimals"], a["symbol"]))
            if per.get(st["token"], 0) != int(b["token"]):
                bad.append("address %s: token balance %s, node %s" % (acc, per.get(st["token"]), b["token"]))
    return bad


def main():
    state, dump, url = sys.argv[1:4]
    args = sys.argv[4:]
    upto = int(args[args.index("--upto") + 1]) if "--upto" in args else None
    balf = args[args.index("--balances") + 1] if "--balances" in args else None
    st = json.load(open(state))
    rows = [json.loads(l) for l in open(dump) if l.strip()]
    blocks = [r for r in rows if r["kind"] == "block"]
    txs = [r for r in rows if r["kind"] == "tx"]
    xfers = [r for r in rows if r["kind"] not in ("block", "tx")]
    bad = []

    # blocks: contiguous from 0, each hash the node's
    tip = blocks[-1]["number"] if blocks else -1
    if [b["number"] for b in blocks] != list(range(tip + 1)):
        bad.append("stored block numbers are not 0..%d" % tip)
    if upto is not None and tip != upto:
        bad.append("stored tip is %d, expected %d" % (tip, upto))
    for b in blocks:
        h = rpc(url, "eth_getBlockByNumber", [hex(b["number"]), False])["hash"]
        if h != b["hash"]:
            bad.append("block %d: stored hash %s, node %s" % (b["number"], b["hash"], h))

    lim = tip if upto is None else upto
    key = ("kind", "tx", "block", "from", "to", "asset", "amount", "failed")
    want = Counter(tuple(e[k] for k in key) for e in st["expected"] if e["block"] <= lim)
    got = Counter(tuple(x[k] for k in key) for x in xfers)
    for k in want - got:
        bad.append("missing transfer %s" % (dict(zip(key, k)),))
    for k in got - want:
        bad.append("unexpected transfer %s" % (dict(zip(key, k)),))
    wtx = Counter((t["tx"], t["block"], t["status"] == 0) for t in st["txs"] if t["block"] <= lim)
    gtx = Counter((t["tx"], t["block"], t["failed"]) for t in txs)
    if wtx != gtx:
        bad.append("txs differ: missing %s, unexpected %s" % (list(wtx - gtx), list(gtx - wtx)))

    if balf:
        # the node's balances: ETH as the change since genesis (the
        # pre-funded accounts' genesis balances are history before the
        # data), tokens absolute (the token was deployed inside the data)
        bal = json.load(open(balf))
        eth, tok = Counter(), Counter()
        for x in xfers:
            if x["failed"]:
                continue
            m = eth if x["asset"] == "eth" else tok
            m[x["from"]] -= int(x["amount"])
            if x["to"] is not None:
                m[x["to"]] += int(x["amount"])
        for acc, b in bal.items():
            if eth[acc] != int(b["eth_delta"]):
                bad.append("%s: ETH change %d in cointrail, %s at the node" % (acc, eth[acc], b["eth_delta"]))
            if tok[acc] != int(b["token"]):
                bad.append("%s: token balance %d in cointrail, %s at the node" % (acc, tok[acc], b["token"]))

    if "--cli" in args:
        cli, db = args[args.index("--cli") + 1], args[args.index("--db") + 1]
        bad += lookups(cli, db, st, lim, balf, url)

    for b in bad[:30]:
        print("MISMATCH:", b)
    if bad:
        sys.exit(1)
    print("ok: %d blocks, %d txs, %d transfers match" % (len(blocks), len(txs), len(xfers)))


main()

#!/usr/bin/python3
"""trace_ref.py - an independent reference of cointrail's forward UTXO
tracing (docs/tracing.md), written from the documented rules, not from the
C code: blocks are decoded with python-bitcoinlib, amounts are Python
integers, and each policy is computed per tx the direct way:

  poison   every output of a tx with a tainted input is tainted in full
  haircut  output j gets T*w_j/V, rounded down, then one unit more to the
           largest remainders (ties: lowest index; the fee is the last
           destination), so the shares sum to T exactly
  fifo     inputs laid end to end in order (a coin's tainted part first)
           against outputs in order then the fee
  lifo     the same with the inputs in reverse order
  tiho     the tainted value first, into the outputs by value descending
           (ties: lowest index), then the fee
Stops, in this order: below --min-amount (cut off), an address labelled as
a service (held), --max-hops reached (held), unspent (held).

Usage:
  trace_ref.py BLOCKSDIR QUERIES.json RESULTS_DIR [--network regtest]
QUERIES.json: [{"name", "seeds": ["TXID" | "TXID:N"], "policy", "max_hops",
"min_amount" (sat or null), "stops": [addresses]}]. For each query, compares
RESULTS_DIR/NAME.json (cointrail trace --json) address by address and the
totals; prints a line per mismatch and exits 1 if any.
"""
import json
import os
import struct
import sys
from decimal import Decimal

import bitcoin
from bitcoin.core import CBlock, b2lx

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "synth"))
import check_synth  # noqa: E402  (script_address: bitcoinlib's rendering)


def sat(s):
    return int(Decimal(s) * 100000000)


def load_chain(blocks, magic):
    """Txs in chain order: (txid, [(prev_txid, n)], [(address, value)])."""
    txs = []
    files = sorted(f for f in os.listdir(blocks) if f.startswith("blk"))
    for name in files:
        data = open(os.path.join(blocks, name), "rb").read()
        off = 0
        while off + 8 <= len(data) and data[off:off + 4] == magic:
            (n,) = struct.unpack("<I", data[off + 4:off + 8])
            blk = CBlock.deserialize(data[off + 8:off + 8 + n])
            off += 8 + n
            for t in blk.vtx:
                ins = [] if t.is_coinbase() else [(b2lx(i.prevout.hash), i.prevout.n) for i in t.vin]
                outs = [(check_synth.script_address(bytes(o.scriptPubKey)), o.nValue) for o in t.vout]
                txs.append((b2lx(t.GetTxid()), ins, outs))
    return txs


def split(T, w, D):
    out = [T * x // D for x in w]
    rem = [T * x % D for x in w]
    left = T - sum(out)
    order = sorted((k for k in range(len(w)) if w[k]), key=lambda k: (-rem[k], k))
    for k in order[:left]:
        out[k] += 1
    return out


def align(src, dst):
    """src: [(length, tainted prefix)], dst: [length] -> tainted per dst."""
    pieces = []
    for ln, tp in src:
        pieces.append((tp, True))
        pieces.append((ln - tp, False))
    out = [0] * len(dst)
    j, pos_in_dst = 0, 0
    for ln, tainted in pieces:
        while ln > 0 and j < len(dst):
            room = dst[j] - pos_in_dst
            if room == 0:
                j += 1
                pos_in_dst = 0
                continue
            take = min(ln, room)
            if tainted:
                out[j] += take
            ln -= take
            pos_in_dst += take
    return out


def trace(chain, spent, q):
    pol = q["policy"]
    cut = q.get("min_amount")
    maxh = q.get("max_hops") or 0
    stops = set(q.get("stops", []))
    recv, held, tot = {}, {}, {"seeds": 0, "held": 0, "fees": 0, "cut": 0}
    sent = {}  # address -> taint on the inputs it paid
    hops = {}
    tainted = {}  # (txid, n) -> (amount, hops)
    index = {t[0]: k for k, t in enumerate(chain)}

    def reach(op, addr, amt, h, seed=False):
        recv[addr] = recv.get(addr, 0) + amt
        hops[addr] = min(hops.get(addr, 1 << 30), h)
        if not seed:
            if cut is not None and amt < cut:
                tot["cut"] += amt
                return
            if addr is None:
                tot["held"] += amt
                return
            if addr in stops:
                tot["held"] += amt
                held[addr] = held.get(addr, 0) + amt
                return
            if maxh and h >= maxh:
                tot["held"] += amt
                held[addr] = held.get(addr, 0) + amt
                return
        if op not in spent:
            tot["held"] += amt
            held[addr] = held.get(addr, 0) + amt
            return
        a0, h0 = tainted.get(op, (0, h))
        tainted[op] = (a0 + amt, min(h0, h))

    seen = set()
    for s in q["seeds"]:
        txid, _, n = s.partition(":")
        outs = chain[index[txid]][2]
        for k in ([int(n)] if n else range(len(outs))):
            if (txid, k) in seen or outs[k][1] == 0:
                continue
            seen.add((txid, k))
            tot["seeds"] += outs[k][1]
            reach((txid, k), outs[k][0], outs[k][1], 0, seed=True)
    first = min(index[s.partition(":")[0]] for s in q["seeds"])
    for txid, ins, outs in chain[first:]:
        if not ins:
            continue
        t = [tainted.pop(op, (0, 0)) for op in ins]
        T = sum(a for a, _ in t)
        if not T:
            continue
        for op, (a, _) in zip(ins, t):
            if a:
                src = chain[index[op[0]]][2][op[1]][0]
                sent[src] = sent.get(src, 0) + a
        h = min(hh for a, hh in t if a) + 1
        v = [chain[index[p[0]]][2][p[1]][1] for p in ins]
        w = [val for _, val in outs]
        V = sum(v)
        dst = w + [V - sum(w)]
        if pol == "poison":
            res = dst[:]
        elif pol == "haircut":
            res = split(T, dst, V)
        elif pol == "fifo":
            res = align([(v[k], t[k][0]) for k in range(len(v))], dst)
        elif pol == "lifo":
            res = align([(v[k], t[k][0]) for k in reversed(range(len(v)))], dst)
        elif pol == "tiho":
            order = sorted(range(len(w)), key=lambda j: (-w[j], j)) + [len(w)]
            r = align([(T, T), (V - T, 0)], [dst[j] for j in order])
            res = [0] * len(dst)
            for k, j in enumerate(order):
                res[j] = r[k]
        tot["fees"] += res[-1]
        for j, (addr, val) in enumerate(outs):
            if res[j]:
                reach((txid, j), addr, res[j], h)
    return recv, held, hops, tot, sent


def main():
    blocks, queries, results = sys.argv[1:4]
    net = sys.argv[sys.argv.index("--network") + 1] if "--network" in sys.argv else "regtest"
    bitcoin.SelectParams(net)
    check_synth.HRP = "bcrt" if net == "regtest" else "bc"
    magic = bytes.fromhex("fabfb5da" if net == "regtest" else "f9beb4d9")
    chain = load_chain(blocks, magic)
    spent = set(op for _, ins, _ in chain for op in ins)
    bad = 0
    for q in json.load(open(queries)):
        recv, held, hops, tot, sent = trace(chain, spent, q)
        got = json.load(open(os.path.join(results, q["name"] + ".json")))
        g = {a["address"]: a for a in got["addresses"]}
        want = {(a if a is not None else "(no address)"): v for a, v in recv.items()}
        problems = []
        for a, v in want.items():
            if a not in g or sat(g[a]["amount"]) != v:
                problems.append("%s: %s, reference %d" % (a, g[a]["amount"] if a in g else "absent", v))
            elif g[a]["hops"] != hops[a if a != "(no address)" else None]:
                problems.append("%s: hops %d, reference %d" % (a, g[a]["hops"], hops[a]))
            elif sat(g[a]["sent"]) != sent.get(a if a != "(no address)" else None, 0):
                problems.append("%s: sent %s, reference %d" % (a, g[a]["sent"], sent.get(a, 0)))
        extra = set(g) - set(want)
        if extra:
            problems.append("addresses not in the reference: %s" % sorted(extra)[:5])
        t = got["totals"][0]
        for k, key in (("seeds", "seeds"), ("held", "held"), ("fees", "fees"), ("cut", "cut_off")):
            if sat(t[key]) != tot[k]:
                problems.append("total %s %s, reference %d" % (key, t[key], tot[k]))
        if q["policy"] != "poison":
            if tot["seeds"] != tot["held"] + tot["fees"] + tot["cut"]:
                problems.append("reference does not conserve: %s" % tot)
            if t["conserved"] is not True:
                problems.append("cointrail reports not conserved: %s" % t)
        if problems:
            bad += 1
            print("MISMATCH %s (%s, %d addresses): %s" % (q["name"], q["policy"], len(want),
                                                          "; ".join(problems[:6])))
    n = len(json.load(open(queries)))
    print("%d/%d traces match the reference" % (n - bad, n))
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()

#!/usr/bin/python3
"""mktoy.py - the tracing toy chains of DESIGN.md section 5, as real blocks.

    /usr/bin/python3 tests/tools/mktoy.py --out DIR

Writes DIR/blk00000.dat, blk00001.dat (regtest; the second holds block 5) and DIR/toy.json naming the txs and outputs:
  block 1, 2: coinbases A and B (50 BTC each)
  block 3:    tx "steal" spends A: 3 BTC to S (the stolen coin), rest to X;
              tx "clean" spends B: 7 BTC to C, rest to Y
              tx "steal2" / "clean2" likewise for the second toy: 2 BTC to S2, 5 BTC to C2
  block 4:    tx "toy" spends S, C (in this order) -> ten outputs of 1 BTC (no fee)
              tx "toy2" spends S2, C2 -> outputs 1, 4, 1.5, 0.4999 BTC (fee 0.0001)
  block 5:    tx "hop" spends toy:0 and toy:5 -> one output (fee 0.0001), then a peel
              chain is not needed here; the random-chain tests cover multi-hop shapes.
Uses python-bitcoinlib through tests/tools/mkchain.py's Builder.
"""
import argparse
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mkchain  # noqa: E402
from bitcoin.core import b2lx  # noqa: E402

COIN = 100_000_000


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    b = mkchain.Builder("regtest", 7)
    recs = [b.genesis]
    tip = b.genesis.hash
    coinbases = []
    for _ in range(2):
        utxo = dict(b.blocks[tip].utxo_after)
        r = b.mine_block(tip, utxo, [])
        recs.append(r)
        tip = r.hash
        coinbases.append((b2lx(r.block.vtx[0].GetTxid()), 0))
    utxo = dict(b.blocks[tip].utxo_after)
    addr = {}

    def out(name, kind="p2wpkh"):
        o = b.out_for(kind)
        addr[name] = o[2]
        return o

    t_steal = b.make_tx(utxo, [coinbases[0]], [(3 * COIN, out("S")), (None, out("X"))], fee=1000)
    t_clean = b.make_tx(utxo, [coinbases[1]], [(7 * COIN, out("C")), (None, out("Y"))], fee=1000)
    # the second toy's coins come from X and Y (change of the first two txs)
    id_steal, id_clean = b2lx(t_steal[0].GetTxid()), b2lx(t_clean[0].GetTxid())
    t_steal2 = b.make_tx(utxo, [(id_steal, 1)], [(2 * COIN, out("S2")), (None, out("X2"))], fee=1000)
    t_clean2 = b.make_tx(utxo, [(id_clean, 1)], [(5 * COIN, out("C2")), (None, out("Y2"))], fee=1000)
    r = b.mine_block(tip, utxo, [t_steal, t_clean, t_steal2, t_clean2])
    recs.append(r)
    tip = r.hash
    utxo = dict(b.blocks[tip].utxo_after)
    id_steal2, id_clean2 = b2lx(t_steal2[0].GetTxid()), b2lx(t_clean2[0].GetTxid())
    toy = b.make_tx(utxo, [(id_steal, 0), (id_clean, 0)],
                    [(COIN, out("O%d" % i)) for i in range(10)], fee=0)
    toy2 = b.make_tx(utxo, [(id_steal2, 0), (id_clean2, 0)],
                     [(COIN, out("P0")), (4 * COIN, out("P1")), (150_000_000, out("P2")),
                      (49_990_000, out("P3"))], fee=10_000)
    r = b.mine_block(tip, utxo, [toy, toy2])
    recs.append(r)
    tip = r.hash
    utxo = dict(b.blocks[tip].utxo_after)
    id_toy = b2lx(toy[0].GetTxid())
    hop = b.make_tx(utxo, [(id_toy, 0), (id_toy, 5)], [(None, out("H"))], fee=10_000)
    r = b.mine_block(tip, utxo, [hop])
    recs.append(r)
    os.makedirs(a.out, exist_ok=True)
    # the last block (the hop) in a second file: ingesting blk00000.dat alone
    # gives the chain before it ("new data" for case updates)
    mkchain.write_blk(os.path.join(a.out, "blk00000.dat"), mkchain.MAGICS["regtest"], recs[:-1])
    mkchain.write_blk(os.path.join(a.out, "blk00001.dat"), mkchain.MAGICS["regtest"], recs[-1:])
    txs = {"steal": id_steal, "clean": id_clean, "steal2": id_steal2, "clean2": id_clean2,
           "toy": id_toy, "toy2": b2lx(toy2[0].GetTxid()), "hop": b2lx(hop[0].GetTxid()),
           "coinbase1": coinbases[0][0], "coinbase2": coinbases[1][0]}
    with open(os.path.join(a.out, "toy.json"), "w") as f:
        json.dump({"txs": txs, "addresses": addr}, f, indent=1)


if __name__ == "__main__":
    main()

#!/usr/bin/python3
"""Independent check of a `cointrail synth` output directory.

Parses every blk*.dat with python-bitcoinlib (Debian's python3-bitcoinlib,
not cointrail's code) and checks:
  - framing: network magic and length of every record;
  - every block with bitcoinlib's CheckBlock (merkle root recomputed from
    the txids bitcoinlib computes, witness commitment, proof of work
    against the header's own bits, sizes), the header chain (prev hash,
    increasing timestamps), BIP 34 heights, coinbase value = subsidy + fees;
  - every input spends an existing unspent output (no double spend) and no
    tx creates value;
  - truth.json against the chain: every address of "wallets" is rendered
    like bitcoinlib renders the scripts that pay it, every output address
    belongs to exactly one wallet; for each incident the seed txids pay the
    seed addresses, every endpoint/bystander amount equals what the
    incident's txs paid that address, and a poison trace forward from the
    seeds (stopping at exchanges, mixers and bystanders) finds exactly the
    endpoints, bystanders and holdings, with
    stolen = endpoints + bystanders + holdings + fees;
  - transfers.csv against truth.json's account-model incident.
Usage: check_synth.py DIR [--expect-txs N] [--network regtest|mainnet] [--legacy]
Exit 0 when all checks pass; prints one line per failure otherwise.
"""
import csv
import decimal
import json
import os
import struct
import sys
from collections import defaultdict

import bitcoin
from bitcoin.core import CBlock, CheckBlock, b2lx, b2x
from bitcoin.core.script import CScript, OP_RETURN
from bitcoin.wallet import CBitcoinAddress, CBitcoinAddressError

D = decimal.Decimal
FAILS = []


def fail(msg):
    FAILS.append(msg)
    if len(FAILS) <= 30:
        print("FAIL:", msg)


def btc(s):
    return int(D(s) * 100000000)


def script_address(spk):
    """Address of a scriptPubKey as bitcoinlib renders it (P2PK as the
    P2PKH address of its key, the generator's documented convention)."""
    s = CScript(spk)
    if len(spk) == 34 and spk[0] == 0x51 and spk[1] == 32:
        return taproot_address(spk[2:])
    if len(spk) == 67 and spk[0] == 65 and spk[-1] == 0xac:
        from bitcoin.wallet import P2PKHBitcoinAddress
        from bitcoin.core import Hash160
        return str(P2PKHBitcoinAddress.from_bytes(Hash160(spk[1:66])))
    try:
        return str(CBitcoinAddress.from_scriptPubKey(s))
    except CBitcoinAddressError:
        return None


HRP = "bcrt"


def taproot_address(prog):
    """BIP 350 (bech32m) address of a witness v1 program. bitcoinlib 0.11
    predates taproot, so the checksum constant is applied here on top of
    its bech32 primitives."""
    from bitcoin import segwit_addr as sa
    data = [1] + sa.convertbits(list(prog), 8, 5)
    pm = sa.bech32_polymod(sa.bech32_hrp_expand(HRP) + data + [0] * 6) ^ 0x2bc830a3
    chk = [(pm >> 5 * (5 - i)) & 31 for i in range(6)]
    return HRP + "1" + "".join(sa.CHARSET[x] for x in data + chk)


def read_blocks(d, magic):
    files = sorted(f for f in os.listdir(os.path.join(d, "blocks")) if f.startswith("blk"))
    for name in files:
        data = open(os.path.join(d, "blocks", name), "rb").read()
        if len(data) > 128 * 1024 * 1024:
            fail("%s is larger than 128 MiB" % name)
        off = 0
        while off < len(data):
            if data[off:off + 4] != magic:
                fail("%s@%d: bad magic %s" % (name, off, data[off:off + 4].hex()))
                return
            (n,) = struct.unpack("<I", data[off + 4:off + 8])
            raw = data[off + 8:off + 8 + n]
            if len(raw) != n:
                fail("%s@%d: truncated block" % (name, off))
                return
            yield name, off, raw
            off += 8 + n


def bip34_height(script_sig):
    b = script_sig[0]
    if b == 0:
        return 0
    if 0x51 <= b <= 0x60:
        return b - 0x50
    return int.from_bytes(script_sig[1:1 + b], "little")


def main():
    args = sys.argv[1:]
    d = args[0]
    expect_txs = int(args[args.index("--expect-txs") + 1]) if "--expect-txs" in args else None
    network = args[args.index("--network") + 1] if "--network" in args else "regtest"
    legacy = "--legacy" in args
    bitcoin.SelectParams("regtest" if network == "regtest" else "mainnet")
    global HRP
    HRP = "bcrt" if network == "regtest" else "bc"
    # A --network mainnet chain has mainnet's magic and addresses but
    # regtest's easy proof of work (bits 0x207fffff, checked against the
    # header's own bits): allow regtest's limit when checking PoW.
    bitcoin.core.coreparams.PROOF_OF_WORK_LIMIT = 2**255 - 1
    magic = bytes.fromhex("fabfb5da" if network == "regtest" else "f9beb4d9")

    truth = json.load(open(os.path.join(d, "truth.json")))
    addr_wallet = {}
    wallet_kind = {}
    for w in truth["wallets"]:
        wallet_kind[w["name"]] = w["kind"]
        for a in w["addresses"]:
            if a in addr_wallet:
                fail("address %s in two wallets (%s, %s)" % (a, addr_wallet[a], w["name"]))
            addr_wallet[a] = w["name"]

    utxo = {}          # (txid, n) -> (address, value)
    spent_by = {}      # (txid, n) -> txid
    txs = {}           # txid -> (inputs [(txid,n)], outputs [(address,value)], time)
    seen_addr = set()
    prev = b"\0" * 32
    prev_time = 0
    height = 0
    ntx = 0
    for name, off, raw in read_blocks(d, magic):
        blk = CBlock.deserialize(raw)
        where = "%s@%d (height %d)" % (name, off, height)
        try:
            CheckBlock(blk, fCheckPoW=True, fCheckMerkleRoot=True, cur_time=2**40)
        except Exception as e:  # bitcoinlib raises several exception types
            fail("%s: CheckBlock: %s" % (where, e))
        if blk.hashPrevBlock != prev:
            fail("%s: prev hash mismatch" % where)
        if blk.nBits != 0x207fffff:
            fail("%s: bits %x" % (where, blk.nBits))
        if blk.nTime <= prev_time:
            fail("%s: time not increasing" % where)
        if blk.calc_merkle_root() != blk.hashMerkleRoot:
            fail("%s: merkle root" % where)
        if blk.serialize() != raw:
            fail("%s: bitcoinlib re-serialises the block differently" % where)
        prev = blk.GetHash()
        prev_time = blk.nTime
        cb = blk.vtx[0]
        if bip34_height(cb.vin[0].scriptSig) != height:
            fail("%s: BIP34 height %d" % (where, bip34_height(cb.vin[0].scriptSig)))
        fees = 0
        for i, tx in enumerate(blk.vtx):
            txid = tx.GetTxid()
            if legacy and tx.has_witness():
                fail("%s: segwit tx in --legacy output" % where)
            ins = []
            vin_sum = 0
            if i > 0:
                for txin in tx.vin:
                    op = (txin.prevout.hash, txin.prevout.n)
                    if op not in utxo:
                        fail("%s: tx %s spends unknown or spent output %s:%d" %
                             (where, b2lx(txid), b2lx(op[0]), op[1]))
                        continue
                    vin_sum += utxo[op][1]
                    spent_by[op] = txid
                    ins.append(op)
                    del utxo[op]
            outs = []
            vout_sum = 0
            for n, o in enumerate(tx.vout):
                a = None
                if not (len(o.scriptPubKey) and o.scriptPubKey[0] == OP_RETURN):
                    a = script_address(o.scriptPubKey)
                    if a is None:
                        fail("%s: non-standard output script %s" % (where, b2x(o.scriptPubKey)))
                    elif a not in addr_wallet:
                        fail("%s: output address %s in no wallet" % (where, a))
                    utxo[(txid, n)] = (a, o.nValue)
                    seen_addr.add(a)
                outs.append((a, o.nValue))
                vout_sum += o.nValue
            if i > 0:
                if vout_sum > vin_sum:
                    fail("%s: tx %s creates value" % (where, b2lx(txid)))
                fees += vin_sum - vout_sum
            txs[txid] = (ins, outs, blk.nTime)
        subsidy = (50 * 100000000) >> (height // 210000)
        if sum(o.nValue for o in cb.vout) != subsidy + fees:
            fail("%s: coinbase pays %d, subsidy + fees = %d" %
                 (where, sum(o.nValue for o in cb.vout), subsidy + fees))
        ntx += len(blk.vtx)
        height += 1
    if truth["blocks"] != height:
        fail("truth.json says %d blocks, found %d" % (truth["blocks"], height))
    if truth["txs"] != ntx:
        fail("truth.json says %d txs, found %d" % (truth["txs"], ntx))
    if expect_txs is not None and ntx != expect_txs:
        fail("asked for %d txs, found %d" % (expect_txs, ntx))
    unused = set(addr_wallet) - seen_addr
    if unused:
        fail("%d wallet addresses never appear on chain (e.g. %s)" % (len(unused), next(iter(unused))))

    btc_chain = truth["chain"]
    for inc in truth["incidents"]:
        if inc["chain"] == btc_chain:
            check_incident(inc, txs, spent_by, utxo, addr_wallet, wallet_kind)
        else:
            check_nem(d, truth, inc)
    print("checked %d blocks, %d txs, %d addresses, %d incidents" %
          (height, ntx, len(addr_wallet), len(truth["incidents"])))


def check_incident(inc, txs, spent_by, utxo, addr_wallet, wallet_kind):
    name = inc["name"]
    by_id = {}
    for t in inc["txids"]:
        tid = bytes.fromhex(t)[::-1]
        if tid not in txs:
            fail("%s: txid %s not on chain" % (name, t))
            return
        by_id[t] = tid
    paid = defaultdict(int)   # what the incident's txs paid each address
    for t, tid in by_id.items():
        for a, v in txs[tid][1]:
            paid[a] += v
    for key in ("endpoints", "bystanders"):
        for e in inc.get(key, []):
            if addr_wallet.get(e["address"]) != e["entity"]:
                fail("%s: %s %s belongs to %s, truth says %s" %
                     (name, key, e["address"], addr_wallet.get(e["address"]), e["entity"]))
            if wallet_kind.get(e["entity"]) != e["entity_kind"]:
                fail("%s: entity kind of %s" % (name, e["entity"]))
            if inc["kind"] != "sanctioned" and paid[e["address"]] != btc(e["amount"]):
                fail("%s: %s %s amount %s, incident txs paid %d sat" %
                     (name, key, e["address"], e["amount"], paid[e["address"]]))
    seeds = set(inc["seed_addresses"])
    for t in inc["seed_txids"]:
        tid = bytes.fromhex(t)[::-1]
        if inc["kind"] != "sanctioned" and not any(a in seeds for a, v in txs[tid][1]):
            fail("%s: seed tx %s pays no seed address" % (name, t))
    if inc["kind"] == "sanctioned":
        # every endpoint was paid by a tx whose inputs are the entity's
        ent = inc["actor"]
        got = defaultdict(int)
        for t, tid in by_id.items():
            ins = txs[tid][0]
            if ins and all(addr_wallet.get(prev_out_addr(txs, op)) == ent for op in ins):
                for a, v in txs[tid][1]:
                    if addr_wallet.get(a) != ent:
                        got[a] += v
        want = {e["address"]: btc(e["amount"]) for e in inc["endpoints"]}
        if dict(got) != want:
            fail("%s: direct counterparties differ from truth (%d vs %d)" % (name, len(got), len(want)))
        return
    # Poison trace forward from the seed outputs.
    stop = set(e["address"] for e in inc.get("bystanders", []))
    front = []
    for t in inc["seed_txids"]:
        tid = bytes.fromhex(t)[::-1]
        for n, (a, v) in enumerate(txs[tid][1]):
            if a in seeds:
                front.append((tid, n))
    tainted_txs = set()
    reached = defaultdict(int)
    held = defaultdict(int)
    fees = 0
    seen = set()
    while front:
        op = front.pop()
        if op in seen:
            continue
        seen.add(op)
        a, v = txs[op[0]][1][op[1]]
        kind = wallet_kind.get(addr_wallet.get(a))
        if a in stop:
            reached[("by", a)] += v
            continue
        if kind in ("exchange", "mixer"):
            reached[("ep", a)] += v
            continue
        nxt = spent_by.get(op)
        if nxt is None:
            held[a] += v
            continue
        if nxt in tainted_txs:
            continue
        tainted_txs.add(nxt)
        ins, outs, _ = txs[nxt]
        for pin in ins:
            pa = txs[pin[0]][1][pin[1]][0]
            if pin not in seen and not (pin[0] in set(bytes.fromhex(x)[::-1] for x in inc["seed_txids"]) and pa in seeds):
                # a clean coin joined tainted ones: the flow is not pure
                if wallet_kind.get(addr_wallet.get(pa)) not in ("thief", "ransomware"):
                    fail("%s: tx %s mixes in a coin of %s" % (name, b2lx(nxt), addr_wallet.get(pa)))
        fees += sum(txs[p[0]][1][p[1]][1] for p in ins) - sum(v for a, v in outs)
        for n in range(len(outs)):
            if outs[n][0] is not None:
                front.append((nxt, n))
    want_ep = {e["address"]: btc(e["amount"]) for e in inc["endpoints"]}
    got_ep = {a: v for (k, a), v in reached.items() if k == "ep"}
    if got_ep != want_ep:
        fail("%s: traced endpoints differ: %d found, %d in truth" % (name, len(got_ep), len(want_ep)))
        for a in set(got_ep) | set(want_ep):
            if got_ep.get(a) != want_ep.get(a):
                print("   ", a, got_ep.get(a), want_ep.get(a))
    want_by = {e["address"]: btc(e["amount"]) for e in inc.get("bystanders", [])}
    got_by = {a: v for (k, a), v in reached.items() if k == "by"}
    if got_by != want_by:
        fail("%s: traced bystanders differ" % name)
    want_hold = {e["address"]: btc(e["amount"]) for e in inc.get("holdings", [])}
    if name != "mixer-laundering" and dict(held) != want_hold:
        fail("%s: traced holdings differ: %s vs %s" % (name, dict(held), want_hold))
    if inc.get("conserved"):
        if btc(inc["fees"]) != fees:
            fail("%s: traced fees %d, truth %s" % (name, fees, inc["fees"]))
        total = sum(want_ep.values()) + sum(want_by.values()) + sum(want_hold.values()) + btc(inc["fees"])
        if total != btc(inc["stolen"]):
            fail("%s: stolen %s != endpoints+bystanders+holdings+fees %d" % (name, inc["stolen"], total))
    for e in inc.get("mixer_payouts", []):
        tid = bytes.fromhex(e["txid"])[::-1]
        if (e["address"], btc(e["amount"])) not in txs[tid][1]:
            fail("%s: mixer payout %s not in tx %s" % (name, e["address"], e["txid"]))
        if not all(addr_wallet.get(prev_out_addr(txs, op)) == "mixer-1" for op in txs[tid][0]):
            fail("%s: mixer payout %s not paid by the mixer" % (name, e["txid"]))


def prev_out_addr(txs, op):
    return txs[op[0]][1][op[1]][0]


def check_nem(d, truth, inc):
    rows = list(csv.DictReader(open(os.path.join(d, "transfers.csv"))))
    if len(rows) != truth["transfers"]["rows"]:
        fail("transfers.csv has %d rows, truth says %d" % (len(rows), truth["transfers"]["rows"]))
    last = ""
    for r in rows:
        if r["timestamp"] < last:
            fail("transfers.csv not in time order at %s" % r["timestamp"])
            break
        last = r["timestamp"]
    by_hash = {r["tx_hash"]: r for r in rows}
    ids = inc["txids"]
    if any(h not in by_hash for h in ids):
        fail("nem incident txids missing from transfers.csv")
        return
    M = lambda s: int(D(s) * 1000000)
    stolen = sum(M(by_hash[h]["amount"]) for h in inc["seed_txids"])
    if stolen != M(inc["stolen"]):
        fail("nem stolen %d vs %s" % (stolen, inc["stolen"]))
    if [M(by_hash[h]["amount"]) // 1000000 for h in inc["seed_txids"]] != \
            [10, 100000000, 100000000, 100000000, 100000000, 100000000, 20000000, 3000000]:
        fail("nem drain amounts are not Coincheck's shape")
    t0 = by_hash[inc["seed_txids"][0]]["timestamp"]
    t1 = by_hash[inc["seed_txids"][-1]]["timestamp"]
    if not (t0.startswith("2018-01-25T15:0") and t1 < "2018-01-25T15:25"):
        fail("nem drain times %s..%s" % (t0, t1))
    # account-model poison trace: the thief's accounts hold only stolen XEM
    thief = set(inc["patterns"][0]["addresses"])
    exch = set()
    for acc in truth["accounts"]:
        if acc["kind"] == "exchange":
            exch.update(acc["addresses"])
    ep = defaultdict(int)
    dust = defaultdict(int)
    fees = 0
    for r in rows:
        if r["from"] in thief:
            fees += M(r["fee"])
            if r["to"] in exch:
                ep[r["to"]] += M(r["amount"])
            elif r["to"] not in thief:
                dust[r["to"]] += M(r["amount"])
        elif r["to"] in thief and r["tx_hash"] not in inc["seed_txids"]:
            fail("nem: a thief account received clean funds")
    if dict(ep) != {e["address"]: M(e["amount"]) for e in inc["endpoints"]}:
        fail("nem endpoints differ")
    if dict(dust) != {e["address"]: M(e["amount"]) for e in inc["bystanders"]}:
        fail("nem bystanders differ")
    hold = sum(M(e["amount"]) for e in inc["holdings"])
    if M(inc["fees"]) != fees or stolen != sum(ep.values()) + sum(dust.values()) + hold + fees:
        fail("nem conservation fails")


if __name__ == "__main__":
    main()
    if FAILS:
        print("%d checks failed" % len(FAILS))
        sys.exit(1)
    print("all checks passed")

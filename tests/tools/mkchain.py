#!/usr/bin/python3
"""mkchain.py - synthetic Bitcoin block files (blkNNNNN.dat) with a known outcome.

Run with Debian's interpreter (needs python3-bitcoinlib 0.11, used for serialization,
txids, merkle roots and base58/bech32 v0 addresses):

    /usr/bin/python3 tests/tools/mkchain.py --scenario NAME --out DIR
                                            [--magic regtest|mainnet] [--seed S]
                                            [--prealloc BYTES] [--verify]
    NAME: linear | stale | reorg | xor | bad | scripts | all
          (all: one subdirectory per scenario)

Everything is deterministic for a given (scenario, magic, seed): same bytes every run.
Each scenario takes about 0.3 s.  --verify then decodes the written files with
tests/ref/btc_ref.py and btc_ref.js (if tests/ref/node_modules exists) and recomputes
expected.json's txids, outputs, spent map and balances from their output (~1-2 s).

What the blocks look like
  * Height 0 is the real genesis block of the chosen network (regtest or mainnet), as
    Bitcoin Core writes it first in blk00000.dat.  Its coinbase output is never in the
    UTXO set (as in Core), so it is left out of "spent"/"balances".
  * Every other block: version 0x20000000, nBits 0x207fffff (regtest's limit) with a
    ground nonce so hash <= target (real PoW against the header's own bits), time =
    parent + 600 s, correct merkle root, BIP34 height in the coinbase, a BIP141 witness
    commitment (and the 32-byte coinbase witness) whenever the block has witness txs.
    Coinbase pays exactly subsidy (50 BTC) + fees.
  * Output types: P2PKH, P2WPKH, P2SH (P2SH-P2WPKH or 1-of-2 multisig redeem script),
    P2WSH (<key> OP_CHECKSIG witness script), P2TR (random 32-byte output key; about
    half are not valid curve points, which Core still renders), P2PK (33-byte 02/03 key),
    bare 1-of-2 multisig (no address) and OP_RETURN (value 0, no address).
  * Spends use dummy signatures (DER-shaped 71-72 bytes, 64-byte Schnorr-shaped for
    P2TR) with the right script/witness shape: P2WPKH/P2WSH/P2TR/P2SH-P2WPKH inputs
    carry witness data.  Txs spend outputs of earlier blocks and of earlier txs in the
    same block.  Coinbase maturity is NOT respected (chains are too short for it) and
    signatures are not valid: the files are format-valid, not consensus-valid.
  * Some keys are reused on purpose ("tracked" names in expected.json); one key gets
    both P2PKH and P2PK outputs, which Core renders as the same address.
  * Addresses are rendered as Bitcoin Core does (P2PK -> P2PKH address of the key);
    bech32m (P2TR) with the small BIP350 encoder below, bech32 v0 / base58 by bitcoinlib.

blk files: records of <magic><u32 LE length><block>; the newest file of a directory
ends in zero padding up to a multiple of --prealloc bytes (default 1 MiB), as Core
preallocates.  Older files end exactly after their last record.

Scenarios (DIR/expected.json describes the outcome; schema below)
  linear  genesis + 30 blocks in blk00000.dat/blk00001.dat, not in height order: blocks
          are shuffled within small windows and block 17 sits in blk00000.dat while its
          parent 16 is in blk00001.dat.
  stale   best chain 0..25 plus stale branches with less work, interleaved in the files:
          a 1-block branch at height 8 (double-spends an outpoint that best block 8
          spends differently), a 3-block branch at 13..15 (one of its txs is also in the
          best chain: same txid in a stale and a best block), a 2-block branch at 21..22
          and a 1-block branch at 24.
  reorg   DIR/run1: chain A 0..20 (blk00000.dat, blk00001.dat).  DIR/run2: the same
          files with branch B (forks after A15, heights 16..23): B16..B19 appended to
          blk00001.dat where run1's padding began (the file then ends at its last record,
          as Core truncates a finished file) and B20..B23 in a new blk00002.dat.
          expected.json has "run1" and "run2" states, "fork" (disconnected/connected
          blocks) and "reorg_checks" for: an outpoint spent on A and by another tx on B,
          outputs created only on A (one of them spent on A), an outpoint spent only on
          A, one spent only on B, and a tx included in both branches (A17 and B18).
  xor     the linear chain XOR-obfuscated as Bitcoin Core 28+ does (DIR/xor.dat, 8-byte
          key, byte i of a file XORed with key[i % 8]) plus the plain files in DIR/plain.
          The preallocated zero padding is raw zeros, NOT obfuscated (Core allocates it
          outside the obfuscating writer), so decoded it reads as the key repeated.
  bad     one subdirectory per broken file (each a blk00000.dat over a 7-block chain
          0..6): truncated, badmagic, badmerkle, badtxcount, badscriptlen.  For each,
          expected.json gives the record offset, the byte offset of the problem, the
          reason, the blocks that are fine, and the expected best chain after ingest.
  scripts genesis + 3 blocks: block 2 pays to 23 scriptPubKey edge cases of Core's
          Solver (non-minimal pushes, ill-sized/ill-prefixed P2PK keys, hybrid 06 key,
          witness programs of bad sizes, P2A anchor, v16, OP_RETURN, empty, OP_TRUE...)
          listed with their expected address in expected.json "edge_cases"; block 3
          spends four of them.

expected.json (linear/stale/xor; reorg has the state part under "run1" and "run2")
  scenario, network, magic, seed, notes
  files:        [{name, size, data_end, records: [{offset, length, hash, height}]}]
  blocks:       {hash: {height, prev, time, in_best_chain, branch, txids, file, offset}}
  best_chain:   [hash, ...] height order (index = height);  tip: {hash, height}
  best_chain_txids: every txid of the best chain, block order
  txs:          {txid: {block, height, index, inputs: [[prev_txid, n]], coinbase,
                        outputs: [{n, value, address, type}]}}      (best chain only)
  spent:        {"txid:n": spending txid}                            (best chain only)
  unspent:      number of unspent outputs (OP_RETURN-led scripts and genesis excluded)
  balances:     {address: {received, sent, balance, outputs, unspent}}  (all addresses)
  tracked:      {name: address} a few reused addresses worth asserting on
  (outputs' "type" is mkchain's own label: p2pkh, p2wpkh, p2sh, p2wsh, p2tr, p2pk,
  multisig, op_return, or the edge-case name in "scripts"; not a cointrail contract)
  stale adds stale_blocks and stale_checks; bad has chain, cases and txs instead;
  scripts adds edge_cases and edge_txid.
"""

import argparse
import hashlib
import json
import os
import random
import shutil
import struct
import sys

try:
    import bitcoin
    import bitcoin.core
    from bitcoin.core import (CBlock, CBlockHeader, COutPoint, CMutableTransaction,
                              CMutableTxIn, CMutableTxOut, CTransaction, CTxInWitness,
                              CTxWitness, Hash, Hash160, b2lx)
    from bitcoin.core.script import CScript, CScriptWitness
    from bitcoin.wallet import (P2PKHBitcoinAddress, P2SHBitcoinAddress,
                                P2WPKHBitcoinAddress, P2WSHBitcoinAddress)
except ImportError:  # pragma: no cover
    sys.stderr.write("mkchain.py: python-bitcoinlib missing; run with /usr/bin/python3\n")
    sys.exit(1)

COIN = 100000000
SUBSIDY = 50 * COIN
BITS = 0x207fffff
MAGICS = {"regtest": bytes.fromhex("fabfb5da"), "mainnet": bytes.fromhex("f9beb4d9")}
SCENARIOS = ("linear", "stale", "reorg", "xor", "bad", "scripts")
BAD_CASES = ("truncated", "badmagic", "badmerkle", "badtxcount", "badscriptlen")


# ---------------------------------------------------------------- addresses
_B32 = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"


def _polymod(values):
    gens = (0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3)
    chk = 1
    for v in values:
        top = chk >> 25
        chk = ((chk & 0x1ffffff) << 5) ^ v
        for i, g in enumerate(gens):
            if (top >> i) & 1:
                chk ^= g
    return chk


def segwit_address(hrp, version, program):
    """BIP173 (v0) / BIP350 (v1+) address; used here for v1 only (see _selftest)."""
    acc, bits, five = 0, 0, []
    for b in program:
        acc = (acc << 8) | b
        bits += 8
        while bits >= 5:
            bits -= 5
            five.append((acc >> bits) & 31)
    if bits:
        five.append((acc << (5 - bits)) & 31)
    data = [version] + five
    const = 1 if version == 0 else 0x2bc830a3
    expanded = [ord(c) >> 5 for c in hrp] + [0] + [ord(c) & 31 for c in hrp]
    pm = _polymod(expanded + data + [0] * 6) ^ const
    checksum = [(pm >> (5 * (5 - i))) & 31 for i in range(6)]
    return hrp + "1" + "".join(_B32[d] for d in data + checksum)


def hrp():
    return bitcoin.params.BECH32_HRP


def _selftest():
    prog = bytes(range(20))
    assert segwit_address(hrp(), 0, prog) == str(P2WPKHBitcoinAddress.from_bytes(0, prog))


# ---------------------------------------------------------------- scripts & keys
def push(data):
    n = len(data)
    if n < 0x4c:
        return bytes([n]) + data
    if n <= 0xff:
        return b"\x4c" + bytes([n]) + data
    return b"\x4d" + struct.pack("<H", n) + data


def sha256(b):
    return hashlib.sha256(b).digest()


class Gen:
    """Deterministic source of keys, signatures and values."""

    def __init__(self, seed):
        self.rng = random.Random(seed)

    def rbytes(self, n):
        return bytes(self.rng.getrandbits(8) for _ in range(n))

    def pubkey(self):
        return bytes([self.rng.choice((2, 3))]) + self.rbytes(32)

    def ecdsa_sig(self):
        r = b"\x00" + self.rbytes(32) if self.rng.random() < 0.5 else self.rbytes(32)
        r = bytes([r[0] & 0x7f]) + r[1:] if len(r) == 32 else r
        s = bytes([self.rng.getrandbits(7)]) + self.rbytes(31)
        der = b"\x02" + bytes([len(r)]) + r + b"\x02" + bytes([len(s)]) + s
        return b"\x30" + bytes([len(der)]) + der + b"\x01"

    def schnorr_sig(self):
        return self.rbytes(64)


def make_output(g, kind, key=None):
    """Return (scriptPubKey bytes, spend info dict, address or None)."""
    key = key or g.pubkey()
    h = Hash160(key)
    if kind == "p2pkh":
        return (b"\x76\xa9\x14" + h + b"\x88\xac", {"kind": kind, "key": key},
                str(P2PKHBitcoinAddress.from_bytes(h)))
    if kind == "p2pk":
        return (push(key) + b"\xac", {"kind": kind, "key": key},
                str(P2PKHBitcoinAddress.from_bytes(h)))
    if kind == "p2wpkh":
        return (b"\x00\x14" + h, {"kind": kind, "key": key},
                str(P2WPKHBitcoinAddress.from_bytes(0, h)))
    if kind == "p2sh":
        if g.rng.random() < 0.5:
            redeem = b"\x00\x14" + h          # P2SH-P2WPKH
            info = {"kind": "p2sh-p2wpkh", "key": key, "redeem": redeem}
        else:
            redeem = b"\x51" + push(key) + push(g.pubkey()) + b"\x52\xae"
            info = {"kind": "p2sh-multisig", "key": key, "redeem": redeem}
        sh = Hash160(redeem)
        return b"\xa9\x14" + sh + b"\x87", info, str(P2SHBitcoinAddress.from_bytes(sh))
    if kind == "p2wsh":
        ws = push(key) + b"\xac"
        sh = sha256(ws)
        return (b"\x00\x20" + sh, {"kind": kind, "ws": ws},
                str(P2WSHBitcoinAddress.from_bytes(0, sh)))
    if kind == "p2tr":
        xonly = g.rbytes(32)
        return b"\x51\x20" + xonly, {"kind": kind}, segwit_address(hrp(), 1, xonly)
    if kind == "multisig":
        return (b"\x51" + push(key) + push(g.pubkey()) + b"\x52\xae",
                {"kind": kind}, None)
    if kind == "op_return":
        return b"\x6a" + push(g.rbytes(g.rng.randint(4, 40))), {"kind": kind}, None
    raise ValueError(kind)


def make_input(g, info):
    """Return (scriptSig bytes, witness stack list) spending an output of `info`."""
    k = info["kind"]
    if k == "p2pkh":
        return push(g.ecdsa_sig()) + push(info["key"]), []
    if k == "p2pk":
        return push(g.ecdsa_sig()), []
    if k == "p2wpkh":
        return b"", [g.ecdsa_sig(), info["key"]]
    if k == "p2sh-p2wpkh":
        return push(info["redeem"]), [g.ecdsa_sig(), info["key"]]
    if k == "p2sh-multisig":
        return b"\x00" + push(g.ecdsa_sig()) + push(info["redeem"]), []
    if k == "p2wsh":
        return b"", [g.ecdsa_sig(), info["ws"]]
    if k == "p2tr":
        return b"", [g.schnorr_sig()]
    if k == "multisig":
        return b"\x00" + push(g.ecdsa_sig()), []
    if k == "raw":
        return info["sig"], list(info["wit"])
    raise ValueError("cannot spend %s" % k)


# ---------------------------------------------------------------- chain building
class Utxo:
    __slots__ = ("value", "spk", "info", "address", "kind")

    def __init__(self, value, spk, info, address, kind):
        self.value, self.spk, self.info, self.address, self.kind = (
            value, spk, info, address, kind)


class BlockRec:
    def __init__(self, block, height, branch, utxo_after, meta):
        self.block = block
        self.hash = b2lx(block.GetHash())
        self.prev = b2lx(block.hashPrevBlock)
        self.height = height
        self.branch = branch
        self.utxo_after = utxo_after   # {(txid_hex, n): Utxo}
        self.meta = meta               # {txid: [Utxo or None per output]}
        self.raw = block.serialize()


KINDS = ("p2pkh", "p2wpkh", "p2sh", "p2wsh", "p2tr", "p2pk")


class Builder:
    def __init__(self, network, seed):
        bitcoin.SelectParams(network)
        _selftest()
        self.network = network
        self.g = Gen(seed)
        self.blocks = {}
        self.tracked = {}
        self.tracked_keys = {}
        for name, kind in (("alice", "p2wpkh"), ("bob", "p2pkh"), ("carol", "p2sh"),
                           ("dave", "p2tr"), ("erin", "p2wsh")):
            self.tracked_keys[name] = (kind, self.g.pubkey())
        gen = (bitcoin.core.CoreMainParams if network == "mainnet"
               else bitcoin.core.CoreRegTestParams).GENESIS_BLOCK
        rec = BlockRec(gen, 0, "genesis", {}, {b2lx(gen.vtx[0].GetTxid()): [None]})
        self.genesis = rec
        self.blocks[rec.hash] = rec
        # P2TR and P2SH tracked outputs use a fixed script: remember one per name
        self._fixed = {}

    # -- outputs --------------------------------------------------------------
    def out_for(self, kind=None, who=None):
        """(spk, info, address, kind) for a fresh or tracked recipient."""
        g = self.g
        if who is not None:
            if who not in self._fixed:
                k, key = self.tracked_keys[who]
                self._fixed[who] = make_output(g, k, key) + (k,)
                self.tracked[who] = self._fixed[who][2]
            if who == "bob" and kind == "p2pk":   # same key, bare-checksig form
                _, key = self.tracked_keys[who]
                return make_output(g, "p2pk", key) + ("p2pk",)
            return self._fixed[who]
        if kind is None:
            kind = "multisig" if g.rng.random() < 0.04 else g.rng.choice(KINDS)
        return make_output(g, kind) + (kind,)

    # -- transactions ---------------------------------------------------------
    def make_tx(self, utxo, spends, outs, fee=None):
        """spends: list of outpoints (txid_hex, n) in `utxo`; outs: list of
        (value or None, recipient tuple from out_for).  None values share the rest.
        Mutates utxo (removes spent, adds created).  Returns (tx, fee, created list)."""
        g = self.g
        total = 0
        vin, wit, has_wit = [], [], False
        for op in spends:
            u = utxo.pop(op)
            total += u.value
            sig, stack = make_input(g, u.info)
            vin.append(CMutableTxIn(COutPoint(bytes.fromhex(op[0])[::-1], op[1]),
                                    CScript(sig), 0xfffffffd))
            wit.append(CTxInWitness(CScriptWitness(tuple(stack))))
            has_wit |= bool(stack)
        if fee is None:
            fee = g.rng.randint(2, 40) * 100
        fixed = sum(v for v, _ in outs if v is not None)
        free = [i for i, (v, _) in enumerate(outs) if v is None]
        rest = total - fee - fixed
        assert rest >= 546 * len(free), "not enough value"
        values = [v for v, _ in outs]
        for j, i in enumerate(free):
            if j == len(free) - 1:
                values[i] = rest
            else:
                values[i] = g.rng.randint(546, max(546, rest // (len(free) - j)))
                rest -= values[i]
        vout = []
        for v, (_, (spk, info, addr, kind)) in zip(values, outs):
            vout.append(CMutableTxOut(v if kind != "op_return" else 0, CScript(spk)))
        tx = CMutableTransaction(vin, vout, 0, 2,
                                 CTxWitness(wit) if has_wit else CTxWitness())
        tx = CTransaction.from_tx(tx)
        txid = b2lx(tx.GetTxid())
        created = []
        for n, (o, (_, (spk, info, addr, kind))) in enumerate(zip(tx.vout, outs)):
            u = Utxo(o.nValue, spk, info, addr, kind)
            created.append(u)
            if not kind.startswith("op_return"):
                utxo[(txid, n)] = u
        return tx, fee, created

    def random_txs(self, utxo, count, avoid=(), pay_tracked=0.3):
        """`count` random txs spending from utxo (incl. outputs of earlier txs here)."""
        g = self.g
        txs = []
        for _ in range(count):
            cands = sorted(op for op, u in utxo.items()
                           if op not in avoid and u.value >= 20000)
            if not cands:
                break
            nin = min(len(cands), g.rng.choice((1, 1, 1, 2, 2, 3)))
            spends = g.rng.sample(cands, nin)
            nout = g.rng.choice((1, 2, 2, 2, 3, 4))
            outs = []
            for _ in range(nout):
                if g.rng.random() < pay_tracked:
                    who = g.rng.choice(sorted(self.tracked_keys))
                    kind = "p2pk" if who == "bob" and g.rng.random() < 0.4 else None
                    outs.append((None, self.out_for(kind, who)))
                else:
                    outs.append((None, self.out_for()))
            if g.rng.random() < 0.15:
                outs.append((0, self.out_for("op_return")))
            txs.append(self.make_tx(utxo, spends, outs))
        return txs

    # -- blocks ---------------------------------------------------------------
    def mine_block(self, parent_hash, utxo, txs, branch="main", tag=b""):
        """Build, grind and register a block on parent_hash.  `utxo` must be the
        parent's utxo after applying txs (make_tx did that); the coinbase is added."""
        g = self.g
        parent = self.blocks[parent_hash]
        height = parent.height + 1
        fees = sum(f for _, f, _ in txs)
        cb_kind = g.rng.choice(("p2pkh", "p2wpkh", "p2pk", "p2tr", "p2sh"))
        who = "alice" if g.rng.random() < 0.25 else None
        spk, info, addr, kind = self.out_for(cb_kind if who is None else None, who)
        has_wit = any(t.has_witness() for t, _, _ in txs)
        script_sig = CScript([height, b"mkchain/" + branch.encode() + tag, g.rbytes(4)])
        vout = [CMutableTxOut(SUBSIDY + fees, CScript(spk))]
        cb_wit = CTxWitness()
        if has_wit:
            dummy_cb = CTransaction([CMutableTxIn(COutPoint(), script_sig, 0xffffffff)], vout)
            wroot = CBlock.build_witness_merkle_tree_from_txs(
                [dummy_cb] + [t for t, _, _ in txs])[-1]
            commit = Hash(wroot + bytes(32))
            vout.append(CMutableTxOut(0, CScript(b"\x6a\x24\xaa\x21\xa9\xed" + commit)))
            cb_wit = CTxWitness([CTxInWitness(CScriptWitness((bytes(32),)))])
        cb = CTransaction.from_tx(CMutableTransaction(
            [CMutableTxIn(COutPoint(), script_sig, 0xffffffff)], vout, 0, 2, cb_wit))
        cbid = b2lx(cb.GetTxid())
        cb_utxo = Utxo(SUBSIDY + fees, spk, info, addr, kind)
        utxo[(cbid, 0)] = cb_utxo
        meta = {cbid: [cb_utxo] + [Utxo(0, bytes(o.scriptPubKey), {"kind": "op_return"},
                                        None, "op_return") for o in cb.vout[1:]]}
        for t, _, created in txs:
            meta[b2lx(t.GetTxid())] = created
        vtx = [cb] + [t for t, _, _ in txs]
        root = CBlock.build_merkle_tree_from_txs(vtx)[-1]
        tm = parent.block.nTime + 600
        if branch != "main":
            tm += 1
        hdr = None
        for nonce in range(1 << 32):
            hdr = CBlockHeader(0x20000000, parent.block.GetHash(), root, tm, BITS, nonce)
            if int.from_bytes(hdr.GetHash(), "little") <= target(BITS):
                break
        block = CBlock(hdr.nVersion, hdr.hashPrevBlock, root, tm, BITS, hdr.nNonce, vtx)
        rec = BlockRec(block, height, branch, utxo, meta)
        assert rec.hash not in self.blocks
        self.blocks[rec.hash] = rec
        return rec

    def extend(self, parent_hash, ntx, branch="main", avoid=(), tag=b""):
        utxo = dict(self.blocks[parent_hash].utxo_after)
        txs = self.random_txs(utxo, ntx, avoid)
        return self.mine_block(parent_hash, utxo, txs, branch, tag)

    def chain(self, tip_hash):
        out = []
        h = tip_hash
        while h in self.blocks:
            out.append(self.blocks[h])
            if self.blocks[h].height == 0:
                break
            h = self.blocks[h].prev
        return out[::-1]


def target(bits):
    exp, mant = bits >> 24, bits & 0x7fffff
    return mant << (8 * (exp - 3))


# ---------------------------------------------------------------- outcome
def state_of(builder, best):
    """Expected ledger for best chain `best` (list of BlockRec, height order)."""
    txs, spent, order = {}, {}, []
    outputs = {}
    for rec in best:
        for idx, tx in enumerate(rec.block.vtx):
            txid = b2lx(tx.GetTxid())
            order.append(txid)
            created = rec.meta.get(txid)
            outs = []
            for n, o in enumerate(tx.vout):
                u = created[n] if created else None
                addr = u.address if u else None
                kind = u.kind if u else "p2pk"
                if rec.height == 0:
                    addr = str(P2PKHBitcoinAddress.from_bytes(Hash160(bytes(o.scriptPubKey)[1:66])))
                outs.append({"n": n, "value": o.nValue, "address": addr, "type": kind})
                if rec.height > 0 and not kind.startswith("op_return"):
                    outputs[(txid, n)] = (o.nValue, addr)
            ins = [] if idx == 0 else [[b2lx(i.prevout.hash), i.prevout.n] for i in tx.vin]
            for p in ins:
                spent["%s:%d" % (p[0], p[1])] = txid
            txs[txid] = {"block": rec.hash, "height": rec.height, "index": idx,
                         "coinbase": idx == 0, "inputs": ins, "outputs": outs}
    bal = {}
    for (txid, n), (value, addr) in sorted(outputs.items()):
        if addr is None:
            continue
        b = bal.setdefault(addr, {"received": 0, "sent": 0, "balance": 0,
                                  "outputs": 0, "unspent": 0})
        b["received"] += value
        b["outputs"] += 1
        if "%s:%d" % (txid, n) in spent:
            b["sent"] += value
        else:
            b["balance"] += value
            b["unspent"] += 1
    unspent = sum(1 for k in outputs if "%s:%d" % k not in spent)
    return {
        "best_chain": [r.hash for r in best],
        "tip": {"hash": best[-1].hash, "height": best[-1].height},
        "best_chain_txids": order,
        "txs": txs,
        "spent": spent,
        "unspent": unspent,
        "balances": dict(sorted(bal.items())),
    }


def blocks_info(builder, recs, best_hashes, placement):
    best = set(best_hashes)
    out = {}
    for r in recs:
        f, off = placement.get(r.hash, (None, None))
        out[r.hash] = {"height": r.height, "prev": r.prev, "time": r.block.nTime,
                       "in_best_chain": r.hash in best, "branch": r.branch,
                       "txids": [b2lx(t.GetTxid()) for t in r.block.vtx],
                       "file": f, "offset": off}
    return out


# ---------------------------------------------------------------- files
def records_bytes(magic, recs):
    return [magic + struct.pack("<I", len(r.raw)) + r.raw for r in recs]


def write_blk(path, magic, recs, pad_to=0, raw_chunks=None):
    """Write records; returns the file's description for expected.json."""
    chunks = raw_chunks if raw_chunks is not None else records_bytes(magic, recs)
    data = b"".join(chunks)
    size = len(data)
    if pad_to:
        size = (len(data) // pad_to + 1) * pad_to
    with open(path, "wb") as f:
        f.write(data)
        f.write(bytes(size - len(data)))
    desc = {"name": os.path.basename(path), "size": size, "data_end": len(data), "records": []}
    off = 0
    for r, c in zip(recs, chunks):
        desc["records"].append({"offset": off, "length": len(c) - 8, "hash": r.hash,
                                "height": r.height})
        off += len(c)
    return desc


def placement_of(files):
    p = {}
    for fdesc in files:
        for r in fdesc["records"]:
            p.setdefault(r["hash"], (fdesc["name"], r["offset"]))
    return p


def window_shuffle(g, items, w):
    out = []
    for i in range(0, len(items), w):
        chunk = items[i:i + w]
        g.rng.shuffle(chunk)
        out += chunk
    return out


def dump(path, obj):
    with open(path, "w") as f:
        json.dump(obj, f, indent=1)
        f.write("\n")


def header(b, scenario, magic_name, seed):
    return {"scenario": scenario, "network": magic_name, "magic": MAGICS[magic_name].hex(),
            "seed": seed, "bits": "%08x" % BITS, "tracked": dict(sorted(b.tracked.items()))}


NOTES = [
    "height 0 is the network's real genesis block; its output is not spendable and is "
    "excluded from spent/balances/unspent",
    "P2PK outputs are rendered as the P2PKH address of their key (tracked 'bob' receives both)",
    "signatures are dummies and coinbase maturity is ignored: format-valid, not consensus-valid",
]


# ---------------------------------------------------------------- scenarios
def build_linear(b, n=30):
    tip = b.genesis.hash
    recs = [b.genesis]
    for h in range(1, n + 1):
        r = b.extend(tip, 0 if h == 1 else b.g.rng.randint(2, 6))
        recs.append(r)
        tip = r.hash
    return recs


def linear_files(b, recs):
    """File order for a linear chain (recs[0] = genesis): shuffled in windows; block 17
    in file 0, its parent 16 in file 1."""
    g = b.g
    by_h = {r.height: r for r in recs}
    first = [by_h[0]] + window_shuffle(g, [by_h[h] for h in range(1, 15)], 4) + [by_h[17]]
    rest = [by_h[h] for h in range(15, len(recs)) if h != 17]
    second = window_shuffle(g, rest, 5)
    return first, second


def scen_linear(out, magic_name, seed, prealloc, scenario="linear"):
    b = Builder(magic_name, seed)
    recs = build_linear(b)
    f0, f1 = linear_files(b, recs)
    magic = MAGICS[magic_name]
    os.makedirs(out, exist_ok=True)
    files = [write_blk(os.path.join(out, "blk00000.dat"), magic, f0),
             write_blk(os.path.join(out, "blk00001.dat"), magic, f1, prealloc)]
    exp = header(b, scenario, magic_name, seed)
    exp["notes"] = NOTES + ["blocks are not in height order; block 17 is in blk00000.dat, "
                            "its parent 16 in blk00001.dat"]
    exp["files"] = files
    st = state_of(b, recs)
    exp["blocks"] = blocks_info(b, recs, st["best_chain"], placement_of(files))
    exp.update(st)
    return b, recs, files, exp


def scen_xor(out, magic_name, seed, prealloc):
    b, recs, files, exp = scen_linear(os.path.join(out, "plain"), magic_name, seed, prealloc,
                                      "xor")
    key = b.g.rbytes(8)
    while key == bytes(8):
        key = b.g.rbytes(8)
    with open(os.path.join(out, "xor.dat"), "wb") as f:
        f.write(key)
    for fd in files:
        with open(os.path.join(out, "plain", fd["name"]), "rb") as f:
            data = f.read()
        end = fd["data_end"]
        body = bytes(c ^ key[i % 8] for i, c in enumerate(data[:end]))
        with open(os.path.join(out, fd["name"]), "wb") as f:
            f.write(body + data[end:])       # padding stays raw zeros
    exp["xor_key"] = key.hex()
    exp["notes"] = exp["notes"] + [
        "blk files here are XORed with xor.dat (byte i ^= key[i % 8]); plain/ has the "
        "same files unobfuscated; the zero padding after data_end is raw zeros, not "
        "obfuscated (as Core's preallocation)"]
    return exp


def scen_stale(out, magic_name, seed, prealloc):
    b = Builder(magic_name, seed)
    g = b.g
    best = [b.genesis]
    by_h = {0: b.genesis}
    shared = None
    for h in range(1, 26):
        tip = best[-1]
        utxo = dict(tip.utxo_after)
        txs = []
        if h == 14:   # a tx spending an output that already existed at height 12
            op = sorted(o for o, u in by_h[12].utxo_after.items()
                        if o in utxo and u.value >= 20000)[0]
            txs.append(b.make_tx(utxo, [op], [(None, b.out_for(None, "erin")),
                                              (None, b.out_for())]))
            shared = txs[0]
        txs += b.random_txs(utxo, 0 if h == 1 else g.rng.randint(2, 6))
        r = b.mine_block(tip.hash, utxo, txs)
        best.append(r)
        by_h[h] = r
    stale = []
    # S1: one block at height 8 double-spending an outpoint that best block 8 spends
    p = by_h[7]
    spent8 = [(b2lx(i.prevout.hash), i.prevout.n) for t in by_h[8].block.vtx[1:] for i in t.vin]
    utxo = dict(p.utxo_after)
    victim = next(op for op in spent8 if op in utxo)
    txs = [b.make_tx(utxo, [victim], [(None, b.out_for()), (None, b.out_for(None, "dave"))])]
    txs += b.random_txs(utxo, 1)
    s1 = b.mine_block(p.hash, utxo, txs, "stale-a")
    stale.append(s1)
    # S2: three blocks 13..15 on best 12; block 14' repeats the shared tx of best 14
    stx, sfee, screated = shared
    sid = b2lx(stx.GetTxid())
    sins = [(b2lx(i.prevout.hash), i.prevout.n) for i in stx.vin]
    tip = by_h[12].hash
    for h in (13, 14, 15):
        utxo = dict(b.blocks[tip].utxo_after)
        txs = b.random_txs(utxo, g.rng.randint(1, 3), set(sins))
        if h == 14:
            for op in sins:
                utxo.pop(op)
            for n, u in enumerate(screated):
                if not u.kind.startswith("op_return"):
                    utxo[(sid, n)] = u
            txs.append(shared)
        r = b.mine_block(tip, utxo, txs, "stale-b")
        stale.append(r)
        tip = r.hash
    # S3: two blocks 21..22 on best 20;  S4: one block at 24 on best 23
    tip = by_h[20].hash
    for h in (21, 22):
        r = b.extend(tip, g.rng.randint(1, 3), "stale-c")
        stale.append(r)
        tip = r.hash
    stale.append(b.extend(by_h[23].hash, 2, "stale-d"))

    # files: best chain windows-shuffled; stale blocks interleaved near their height
    order0 = [by_h[0]] + window_shuffle(g, [by_h[h] for h in range(1, 14)], 3)
    order1 = window_shuffle(g, [by_h[h] for h in range(14, 26)], 3)

    def insert_after(lst, rec, anchor_hash):
        i = next(k for k, x in enumerate(lst) if x.hash == anchor_hash)
        lst.insert(i + 1, rec)

    insert_after(order0, stale[0], by_h[9].hash)                 # S1 after best 9
    insert_after(order0, stale[1], by_h[11].hash)                # S2 13' early in file 0
    order1.insert(0, stale[2])                                   # S2 14' first in file 1
    insert_after(order1, stale[3], by_h[16].hash)                # S2 15'
    insert_after(order1, stale[5], by_h[24].hash)                # S3 22' before 21'
    insert_after(order1, stale[4], stale[5].hash)                # S3 21' after its child
    order1.insert(len(order1) // 2, stale[6])                    # S4 24'
    magic = MAGICS[magic_name]
    os.makedirs(out, exist_ok=True)
    files = [write_blk(os.path.join(out, "blk00000.dat"), magic, order0),
             write_blk(os.path.join(out, "blk00001.dat"), magic, order1, prealloc)]
    exp = header(b, "stale", magic_name, seed)
    st = state_of(b, best)
    exp["notes"] = NOTES + [
        "stale branches (less work) are interleaved with the best chain in both files; "
        "equal nBits everywhere, so the best chain is the longest",
        "a stale block at height 8 double-spends %s:%d, spent differently in best block 8"
        % victim,
        "tx %s is in best block 14 and in stale block 14'" % sid]
    exp["files"] = files
    exp["blocks"] = blocks_info(b, best + stale, st["best_chain"], placement_of(files))
    exp["stale_blocks"] = [r.hash for r in stale]
    exp["stale_checks"] = {
        "double_spent_outpoint": "%s:%d" % victim,
        "best_spender": st["spent"]["%s:%d" % victim],
        "stale_spender": b2lx(s1.block.vtx[1].GetTxid()),
        "tx_in_best_and_stale": sid,
    }
    exp.update(st)
    return exp


def scen_reorg(out, magic_name, seed, prealloc):
    b = Builder(magic_name, seed)
    g = b.g
    a = build_linear(b, 15)
    a15 = a[-1]
    base = a15.utxo_after
    cands = sorted(op for op, u in base.items() if u.value >= 20000)
    g.rng.shuffle(cands)
    X, Z, W, V = cands[:4]          # X: both, differently; Z: A only; W: B only; V: shared tx
    reserved = {X, Z, W, V}

    # ---- branch A 16..20
    utxo = dict(base)
    t_a = b.make_tx(utxo, [X], [(None, b.out_for(None, "carol")), (None, b.out_for("p2wpkh"))])
    y_txid = b2lx(t_a[0].GetTxid())
    ya = {(y_txid, 0), (y_txid, 1)}
    txs = [t_a] + b.random_txs(utxo, 2, reserved | ya)
    a16 = b.mine_block(a15.hash, utxo, txs, "A", b"/a")
    utxo = dict(a16.utxo_after)
    t_z = b.make_tx(utxo, [Z], [(None, b.out_for("p2tr"))])
    shared = b.make_tx(utxo, [V], [(None, b.out_for(None, "erin")), (None, b.out_for("p2pkh"))])
    txs = [t_z, shared] + b.random_txs(utxo, 2, reserved | ya)
    a17 = b.mine_block(a16.hash, utxo, txs, "A", b"/a")
    utxo = dict(a17.utxo_after)
    t_y = b.make_tx(utxo, [(y_txid, 1)], [(None, b.out_for(None, "alice"))])   # A-only spent
    a18 = b.mine_block(a17.hash, utxo, [t_y] + b.random_txs(utxo, 2, reserved | {(y_txid, 0)}),
                       "A", b"/a")
    chain_a = a + [a16, a17, a18]
    tip = a18.hash
    for _ in (19, 20):
        r = b.extend(tip, g.rng.randint(2, 4), "A", reserved | {(y_txid, 0)}, b"/a")
        chain_a.append(r)
        tip = r.hash

    # ---- branch B 16..23
    utxo = dict(base)
    t_b = b.make_tx(utxo, [X], [(None, b.out_for(None, "bob")), (None, b.out_for("p2sh"))])
    b16 = b.mine_block(a15.hash, utxo, [t_b] + b.random_txs(utxo, 1, reserved), "B", b"/b")
    utxo = dict(b16.utxo_after)
    t_w = b.make_tx(utxo, [W], [(None, b.out_for(None, "dave"))])
    b17 = b.mine_block(b16.hash, utxo, [t_w] + b.random_txs(utxo, 2, reserved), "B", b"/b")
    utxo = dict(b17.utxo_after)
    shared_b = (shared[0], shared[1], shared[2])
    utxo.pop(V)
    sid = b2lx(shared[0].GetTxid())
    for n, u in enumerate(shared[2]):
        utxo[(sid, n)] = u
    b18 = b.mine_block(b17.hash, utxo, [shared_b] + b.random_txs(utxo, 1, reserved), "B", b"/b")
    chain_b = a + [b16, b17, b18]
    tip = b18.hash
    for _ in range(19, 24):
        r = b.extend(tip, g.rng.randint(1, 4), "B", reserved, b"/b")
        chain_b.append(r)
        tip = r.hash

    magic = MAGICS[magic_name]
    run1, run2 = os.path.join(out, "run1"), os.path.join(out, "run2")
    os.makedirs(run1, exist_ok=True)
    os.makedirs(run2, exist_ok=True)
    f0 = chain_a[:13]
    f1 = window_shuffle(g, chain_a[13:], 3)
    files1 = [write_blk(os.path.join(run1, "blk00000.dat"), magic, f0),
              write_blk(os.path.join(run1, "blk00001.dat"), magic, f1, prealloc)]
    bnew = chain_b[16:]
    f1b = f1 + bnew[:4]
    f2b = bnew[4:]
    files2 = [write_blk(os.path.join(run2, "blk00000.dat"), magic, f0),
              write_blk(os.path.join(run2, "blk00001.dat"), magic, f1b),
              write_blk(os.path.join(run2, "blk00002.dat"), magic, f2b, prealloc)]
    with open(os.path.join(run1, "blk00001.dat"), "rb") as x1, \
            open(os.path.join(run2, "blk00001.dat"), "rb") as x2:
        d1 = x1.read(files1[1]["data_end"])
        assert x2.read(len(d1)) == d1
    s1, s2 = state_of(b, chain_a), state_of(b, chain_b)
    allrecs = chain_a + chain_b[16:]
    exp = header(b, "reorg", magic_name, seed)
    exp["notes"] = NOTES + [
        "run1/ holds chain A (0..20); run2/ holds the same files with branch B (forking "
        "after height 15, 16..23) appended: blk00001.dat grew (B16..B19 written where "
        "run1's padding began; the finished file is truncated, as Core does) and "
        "blk00002.dat is new (padded).  Ingest run1, then run2 (same "
        "data dir): the expected state is run2's",
        "B has more work (23 vs 20 blocks of equal nBits), so it becomes the best chain"]
    tid = lambda t: b2lx(t[0].GetTxid())  # noqa: E731
    op = lambda o: "%s:%d" % o  # noqa: E731
    exp["reorg_checks"] = [
        {"what": "outpoint spent on A and by a different tx on B", "outpoint": op(X),
         "run1_spent_by": tid(t_a), "run2_spent_by": tid(t_b)},
        {"what": "outputs created only on A (tx %s in A16): gone after the reorg" % tid(t_a),
         "outpoint": "%s:0" % y_txid, "run1_exists": True, "run2_exists": False,
         "run1_spent_by": None},
        {"what": "A-only output spent on A by an A-only tx", "outpoint": "%s:1" % y_txid,
         "run1_spent_by": tid(t_y), "run2_exists": False},
        {"what": "outpoint spent only on A: unspent after the reorg", "outpoint": op(Z),
         "run1_spent_by": tid(t_z), "run2_spent_by": None},
        {"what": "outpoint spent only on B", "outpoint": op(W),
         "run1_spent_by": None, "run2_spent_by": tid(t_w)},
        {"what": "tx in both branches (A17, B18): stays, moves to height 18",
         "txid": sid, "run1_block": a17.hash, "run1_height": 17,
         "run2_block": b18.hash, "run2_height": 18},
    ]
    exp["fork"] = {"height": 15, "hash": a15.hash, "a_tip": chain_a[-1].hash,
                   "b_tip": chain_b[-1].hash,
                   "disconnected": [r.hash for r in chain_a[16:]],
                   "connected": [r.hash for r in chain_b[16:]]}
    exp["run1"] = dict(files=files1, blocks=blocks_info(b, chain_a, s1["best_chain"],
                                                         placement_of(files1)), **s1)
    exp["run2"] = dict(files=files2, blocks=blocks_info(b, allrecs, s2["best_chain"],
                                                         placement_of(files2)), **s2)
    return exp


def scen_bad(out, magic_name, seed, prealloc):
    b = Builder(magic_name, seed)
    recs = build_linear(b, 6)
    magic = MAGICS[magic_name]
    good = records_bytes(magic, recs)
    offs = [0]
    for c in good:
        offs.append(offs[-1] + len(c))
    hashes = [r.hash for r in recs]
    cases = {}
    blk4 = recs[4]

    def case(name, chunks, pad, info):
        d = os.path.join(out, name)
        os.makedirs(d, exist_ok=True)
        path = os.path.join(d, "blk00000.dat")
        data = b"".join(chunks)
        with open(path, "wb") as f:
            f.write(data)
            if pad:
                f.write(bytes((len(data) // prealloc + 1) * prealloc - len(data)))
        info.update({"file": "%s/blk00000.dat" % name, "data_end": len(data)})
        cases[name] = info

    # truncated: blocks 0..5 then block 6's record cut in the middle of its txs
    cut = len(good[6]) // 2
    case("truncated", good[:6] + [good[6][:cut]], False, {
        "record_offset": offs[6], "offset": offs[6] + cut,
        "reason": "truncated block: record length %d but only %d bytes follow the header"
                  % (len(recs[6].raw), cut - 8),
        "valid_blocks": hashes[:6], "best_chain": hashes[:6], "later_records": []})

    # bad magic in the middle: record 4's magic replaced, records 5, 6 follow
    bad4 = b"\xde\xad\xbe\xef" + good[4][4:]
    case("badmagic", good[:4] + [bad4] + good[5:], True, {
        "record_offset": offs[4], "offset": offs[4],
        "reason": "bad magic deadbeef where a record should start",
        "valid_blocks": hashes[:4], "best_chain": hashes[:4],
        "later_records": [{"offset": offs[5], "hash": hashes[5], "height": 5},
                          {"offset": offs[6], "hash": hashes[6], "height": 6}],
        "note": "a reader that resyncs on the next magic (Core's reindex does) finds "
                "blocks 5 and 6, whose parent 4 is lost: they stay orphans"})

    # corrupted tx -> merkle mismatch: flip a byte of the last output's value in block 4
    raw = bytearray(blk4.raw)
    last = blk4.block.vtx[-1]
    ser = last.serialize()
    tx_off = len(raw) - len(ser)
    vpos = tx_off + len(ser) - 4 - (len(last.wit.serialize()) if last.has_witness() else 0)
    lo = last.vout[-1]
    vpos -= len(lo.serialize())      # start of last output = its 8-byte value
    raw[vpos] ^= 0x01
    rec_bad = magic + struct.pack("<I", len(raw)) + bytes(raw)
    case("badmerkle", good[:4] + [rec_bad] + good[5:], True, {
        "record_offset": offs[4], "offset": offs[4] + 8 + vpos,
        "reason": "merkle root mismatch: one byte of the last output's value in the last "
                  "tx of block 4 flipped (header, hence block hash, unchanged)",
        "block_hash": hashes[4],
        "valid_blocks": hashes[:4] + hashes[5:], "best_chain": hashes[:4],
        "later_records": [{"offset": offs[5], "hash": hashes[5], "height": 5},
                          {"offset": offs[6], "hash": hashes[6], "height": 6}],
        "note": "blocks 5 and 6 are well-formed but build on the invalid block 4"})

    # tx count far larger than the record: 0xfe 0x00ffffff in a small block 4
    body = blk4.raw[:80] + b"\xfe" + struct.pack("<I", 0x00ffffff) + blk4.raw[81:]
    assert blk4.raw[80] == len(blk4.block.vtx) < 0xfd
    rec_cnt = magic + struct.pack("<I", len(body)) + body
    case("badtxcount", good[:4] + [rec_cnt] + good[5:], True, {
        "record_offset": offs[4], "offset": offs[4] + 8 + 80,
        "reason": "tx count 16777215 (varint fe ffffff00) cannot fit in a %d-byte block"
                  % len(body),
        "valid_blocks": hashes[:4] + hashes[5:], "best_chain": hashes[:4],
        "later_records": [{"offset": offs[5] + 4, "hash": hashes[5], "height": 5},
                          {"offset": offs[6] + 4, "hash": hashes[6], "height": 6}],
        "note": "record framing stays consistent (length covers the enlarged varint), so "
                "records 5 and 6 can be read; they build on the rejected block 4"})

    # script length running past the end: last output script length of the last tx of
    # block 4 -> fd 0010 (4096); the record length is adjusted for the 2 extra bytes
    slen = len(lo.scriptPubKey)
    assert slen < 0xfd
    spos = vpos + 8                       # varint right after the 8-byte value
    assert raw[spos] == slen
    raw2 = bytearray(blk4.raw)
    body = bytes(raw2[:spos]) + b"\xfd" + struct.pack("<H", 4096) + bytes(raw2[spos + 1:])
    rec_sl = magic + struct.pack("<I", len(body)) + body
    case("badscriptlen", good[:4] + [rec_sl] + good[5:], True, {
        "record_offset": offs[4], "offset": offs[4] + 8 + spos,
        "reason": "scriptPubKey length 4096 (varint fd 0010) runs past the end of the "
                  "%d-byte block" % len(body),
        "valid_blocks": hashes[:4] + hashes[5:], "best_chain": hashes[:4],
        "later_records": [{"offset": offs[5] + 2, "hash": hashes[5], "height": 5},
                          {"offset": offs[6] + 2, "hash": hashes[6], "height": 6}],
        "note": "record framing stays consistent; records 5 and 6 build on block 4"})

    exp = header(b, "bad", magic_name, seed)
    exp["notes"] = NOTES + [
        "each case is DIR/<case>/blk00000.dat over the same 7-block chain 0..6; offsets "
        "are byte offsets in that file (record_offset: the record's magic; offset: the "
        "offending byte); best_chain is what a correct ingester should end with"]
    exp["chain"] = hashes
    exp["cases"] = cases
    st = state_of(b, recs)
    exp["txs"] = st["txs"]
    return exp


# ---------------------------------------------------------------- self-check
REF_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "ref")


def ref_decode(files, network):
    """Run btc_ref.py and (if installed) btc_ref.js; return ({hash: [tx]}, [hash order],
    warnings text).  Addresses only btc_ref.js renders are filled from its output."""
    import subprocess
    outs = []
    cmds = [["/usr/bin/python3", os.path.join(REF_DIR, "btc_ref.py")]]
    if os.path.isdir(os.path.join(REF_DIR, "node_modules", "bitcoinjs-lib")):
        cmds.append(["node", os.path.join(REF_DIR, "btc_ref.js")])
    for cmd in cmds:
        p = subprocess.run(cmd + ["--network", network] + files, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, universal_newlines=True)
        if p.returncode == 1:
            raise SystemExit("reference failed: %s" % p.stderr)
        outs.append(([json.loads(line) for line in p.stdout.splitlines()], p.stderr))
    blocks, order = {}, []
    for r in outs[0][0]:
        if r["block"] not in blocks:
            blocks[r["block"]] = []
            order.append(r["block"])
        blocks[r["block"]].append(r)
    for recs, _ in outs[1:]:   # fill bech32m holes from btc_ref.js, insist on agreement
        pos = {}
        for r in recs:
            i = pos.get(r["block"], 0)
            pos[r["block"]] = i + 1
            base = blocks[r["block"]][i]
            assert base["txid"] == r["txid"], "references disagree on txids"
            for x, y in zip(base["outputs"], r["outputs"]):
                if x.pop("needs_js", False):
                    x["address"] = y["address"]
                assert x == y, ("references disagree", x, y)
    return blocks, order, "".join(e for _, e in outs)


def check_state(blocks, exp, state, problems, label):
    """Recompute the ledger of state's best chain from the reference decode."""
    best = state["best_chain"]
    spent, outputs, txids = {}, {}, []
    for height, h in enumerate(best):
        if h not in blocks:
            problems.append("%s: best block %s not decoded" % (label, h))
            return
        for idx, tx in enumerate(blocks[h]):
            txids.append(tx["txid"])
            e = state["txs"].get(tx["txid"])
            if e is None or e["block"] != h:
                problems.append("%s: tx %s of block %s not in expected txs" % (label, tx["txid"], h))
                continue
            got = [{"n": n, "value": o["value"], "address": o["address"]}
                   for n, o in enumerate(tx["outputs"])]
            want = [{"n": o["n"], "value": o["value"], "address": o["address"]}
                    for o in e["outputs"]]
            if got != want:
                problems.append("%s: tx %s outputs differ" % (label, tx["txid"]))
            if idx > 0:
                if tx["prevouts"] != e["inputs"]:
                    problems.append("%s: tx %s inputs differ" % (label, tx["txid"]))
                for p in tx["prevouts"]:
                    spent["%s:%d" % (p[0], p[1])] = tx["txid"]
            if height > 0:
                for n, o in enumerate(tx["outputs"]):
                    if not e["outputs"][n]["type"].startswith("op_return"):
                        outputs[(tx["txid"], n)] = (o["value"], o["address"])
    if txids != state["best_chain_txids"]:
        problems.append("%s: best-chain txids differ" % label)
    if spent != state["spent"]:
        problems.append("%s: spent map differs" % label)
    bal = {}
    for (txid, n), (value, addr) in sorted(outputs.items()):
        if addr is None:
            continue
        b = bal.setdefault(addr, {"received": 0, "sent": 0, "balance": 0, "outputs": 0,
                                  "unspent": 0})
        b["received"] += value
        b["outputs"] += 1
        if "%s:%d" % (txid, n) in spent:
            b["sent"] += value
        else:
            b["balance"] += value
            b["unspent"] += 1
    if bal != state["balances"]:
        problems.append("%s: balances differ" % label)
    if sum(1 for k in outputs if "%s:%d" % k not in spent) != state["unspent"]:
        problems.append("%s: unspent count differs" % label)


def verify(scenario, out, network):
    """Decode the written files with the independent references and check expected.json."""
    with open(os.path.join(out, "expected.json")) as f:
        exp = json.load(f)
    problems = []

    def files_in(d, names):
        return [os.path.join(d, n) for n in names]

    if scenario in ("linear", "stale", "xor", "scripts"):
        runs = [("", exp, out)]
        if scenario == "xor":
            runs.append(("plain", exp, os.path.join(out, "plain")))
    elif scenario == "reorg":
        runs = [("run1", exp["run1"], os.path.join(out, "run1")),
                ("run2", exp["run2"], os.path.join(out, "run2"))]
    else:
        runs = []
    for label, state, d in runs:
        blocks, order, warns = ref_decode(files_in(d, [x["name"] for x in state["files"]]),
                                          network)
        if warns:
            problems.append("%s: reference warnings: %s" % (label or scenario, warns.strip()))
        if sorted(order) != sorted(state["blocks"]):
            problems.append("%s: decoded block set differs from expected" % label)
        for h, info in state["blocks"].items():
            if [t["txid"] for t in blocks.get(h, [])] != info["txids"]:
                problems.append("%s: block %s txids differ" % (label, h))
        check_state(blocks, exp, state, problems, label or scenario)
    if scenario == "bad":
        for name, c in exp["cases"].items():
            blocks, order, warns = ref_decode([os.path.join(out, c["file"])], network)
            want = c["valid_blocks"]
            if name in ("truncated", "badmagic"):
                ok = order == want
            else:
                ok = all(h in order for h in want)
            if not ok or "@%d:" % c["record_offset"] not in warns:
                problems.append("bad/%s: references do not see the problem as expected "
                                "(%s)" % (name, warns.strip()))
    return problems


def edge_scripts(g):
    """(name, scriptPubKey, expected address rule) for Core's template edge cases."""
    h = bytes(range(1, 21))
    k33 = b"\x03" + bytes(range(40, 72))
    k65 = b"\x06" + bytes(range(100, 164))
    b58 = lambda x: str(P2PKHBitcoinAddress.from_bytes(x))  # noqa: E731
    return [
        ("p2pkh", b"\x76\xa9\x14" + h + b"\x88\xac", b58(h)),
        ("p2pkh-noncanonical-push", b"\x76\xa9\x4c\x14" + h + b"\x88\xac", None),
        ("p2pk-compressed", push(k33) + b"\xac", b58(Hash160(k33))),
        ("p2pk-hybrid-06", push(k65) + b"\xac", b58(Hash160(k65))),
        ("p2pk-33-bytes-prefix-04", b"\x21\x04" + k33[1:] + b"\xac", None),
        ("p2pk-65-bytes-prefix-02", b"\x41\x02" + k65[1:] + b"\xac", None),
        ("p2pk-noncanonical-push", b"\x4c\x21" + k33 + b"\xac", None),
        ("p2sh", b"\xa9\x14" + h + b"\x87", str(P2SHBitcoinAddress.from_bytes(h))),
        ("p2wpkh", b"\x00\x14" + h, str(P2WPKHBitcoinAddress.from_bytes(0, h))),
        ("p2wsh", b"\x00\x20" + bytes(32), str(P2WSHBitcoinAddress.from_bytes(0, bytes(32)))),
        ("v0-program-25-bytes", b"\x00\x19" + bytes(25), None),
        ("p2tr", b"\x51\x20" + h + h[:12], segwit_address(hrp(), 1, h + h[:12])),
        ("p2a-anchor", bytes.fromhex("51024e73"), segwit_address(hrp(), 1, b"\x4e\x73")),
        ("v1-program-40-bytes", b"\x51\x28" + bytes(40), segwit_address(hrp(), 1, bytes(40))),
        ("v16-program-2-bytes", b"\x60\x02ab", segwit_address(hrp(), 16, b"ab")),
        ("v1-program-41-bytes", b"\x51\x29" + bytes(41), None),
        ("v1-program-1-byte", b"\x51\x01\x00", None),
        ("witness-via-pushdata1", b"\x00\x4c\x14" + h, None),
        ("op_return", b"\x6a\x04" + b"edge", None),
        ("op_return-non-push", b"\x6a\xac", None),
        ("bare-multisig-1of1", b"\x51" + push(k33) + b"\x51\xae", None),
        ("empty", b"", None),
        ("op_true", b"\x51", None),
    ]


def scen_scripts(out, magic_name, seed, prealloc):
    """Block 2 pays to every edge-case script; block 3 spends four of them."""
    b = Builder(magic_name, seed)
    g = b.g
    b1 = b.extend(b.genesis.hash, 0)
    utxo = dict(b1.utxo_after)
    cb_op = next(iter(utxo))
    cases = edge_scripts(g)
    outs = []
    for name, spk, addr in cases:
        raw_info = {"kind": "raw", "sig": b"\x51", "wit": ()}
        if name == "p2pk-hybrid-06":
            raw_info["sig"] = push(g.ecdsa_sig())
        elif name == "bare-multisig-1of1":
            raw_info["sig"] = b"\x00" + push(g.ecdsa_sig())
        elif name in ("p2a-anchor", "op_true"):
            raw_info["sig"] = b""
        outs.append((1000 + len(outs), (spk, raw_info, addr, name)))
    outs.append((None, b.out_for("p2wpkh")))
    utxo_kinds = {}
    tx = b.make_tx(utxo, [cb_op], outs)
    txid = b2lx(tx[0].GetTxid())
    b2 = b.mine_block(b1.hash, utxo, [tx])
    for n, (name, _, _) in enumerate(cases):
        utxo_kinds[name] = (txid, n)
    utxo = dict(b2.utxo_after)
    spend = [utxo_kinds[n] for n in ("p2pk-hybrid-06", "bare-multisig-1of1", "p2a-anchor",
                                      "empty")]
    spend.append((txid, len(cases)))            # the change, so fees are paid
    tx3 = b.make_tx(utxo, spend, [(None, b.out_for(None, "dave")), (None, b.out_for("p2pk"))])
    b3 = b.mine_block(b2.hash, utxo, [tx3])
    recs = [b.genesis, b1, b2, b3]
    magic = MAGICS[magic_name]
    os.makedirs(out, exist_ok=True)
    files = [write_blk(os.path.join(out, "blk00000.dat"), magic, recs, prealloc)]
    exp = header(b, "scripts", magic_name, seed)
    exp["notes"] = NOTES + [
        "block 2 tx %s pays to one script per Core template edge case (output n = index "
        "in edge_cases); block 3 spends four of them with dummy scriptSigs" % txid,
        "address null = Core's ExtractDestination gives none (nonstandard, OP_RETURN, bare "
        "multisig, malformed witness program, non-minimal pushes, ill-sized P2PK keys)"]
    exp["edge_cases"] = [{"n": n, "name": name, "script": spk.hex(), "address": addr}
                         for n, (name, spk, addr) in enumerate(cases)]
    exp["edge_txid"] = txid
    exp["files"] = files
    st = state_of(b, recs)
    exp["blocks"] = blocks_info(b, recs, st["best_chain"], placement_of(files))
    exp.update(st)
    return exp


def run(scenario, out, magic_name, seed, prealloc):
    os.makedirs(out, exist_ok=True)
    if scenario == "linear":
        exp = scen_linear(out, magic_name, seed, prealloc)[3]
    elif scenario == "xor":
        exp = scen_xor(out, magic_name, seed, prealloc)
    elif scenario == "stale":
        exp = scen_stale(out, magic_name, seed, prealloc)
    elif scenario == "reorg":
        exp = scen_reorg(out, magic_name, seed, prealloc)
    elif scenario == "bad":
        exp = scen_bad(out, magic_name, seed, prealloc)
    elif scenario == "scripts":
        exp = scen_scripts(out, magic_name, seed, prealloc)
    else:
        raise SystemExit("unknown scenario %s" % scenario)
    dump(os.path.join(out, "expected.json"), exp)


def main():
    ap = argparse.ArgumentParser(description="synthetic Bitcoin blk files for cointrail tests")
    ap.add_argument("--scenario", required=True, choices=SCENARIOS + ("all",))
    ap.add_argument("--out", required=True, help="output directory (created)")
    ap.add_argument("--magic", default="regtest", choices=sorted(MAGICS))
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--prealloc", type=int, default=1 << 20,
                    help="pad the newest blk file to a multiple of this (default 1 MiB)")
    ap.add_argument("--verify", action="store_true",
                    help="afterwards decode the files with tests/ref/btc_ref.py (+ btc_ref.js "
                         "if its node_modules exist) and check expected.json against them")
    args = ap.parse_args()
    failed = 0
    names = SCENARIOS if args.scenario == "all" else (args.scenario,)
    for name in names:
        out = os.path.join(args.out, name) if args.scenario == "all" else args.out
        if os.path.isdir(out):
            for sub in ("run1", "run2", "plain") + BAD_CASES:
                if os.path.isdir(os.path.join(out, sub)):
                    shutil.rmtree(os.path.join(out, sub))
        run(name, out, args.magic, args.seed, args.prealloc)
        if args.verify:
            problems = verify(name, out, args.magic)
            for m in problems[:20]:
                print("mkchain verify %s: %s" % (name, m))
            print("mkchain verify %s: %s" % (name, "FAILED" if problems else "ok"))
            failed |= bool(problems)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/python3
"""btc_ref.py - independent reference decoder for cointrail's Bitcoin tests.

Run it with Debian's interpreter (/usr/bin/python3): it needs python-bitcoinlib
(Debian package python3-bitcoinlib, 0.11), which the pyenv python does not see.

    /usr/bin/python3 tests/ref/btc_ref.py [--network mainnet|testnet|testnet4|regtest|signet]
                                          [--quiet] FILE... > ref.jsonl

Each FILE is one of
  * a Bitcoin Core blk file: records of <4-byte network magic><4-byte LE length><block>,
    repeated; reading stops at zero padding (Core preallocates files).  If an 8-byte
    `xor.dat` sits beside the file (Bitcoin Core 28+), every byte of the file is XORed
    with key[file_offset % 8] before parsing (an all-zero key is a no-op); the zero
    padding Core preallocates is not obfuscated, so a record position whose raw
    (undecoded) bytes are zero also ends the file;
  * a raw serialized block (header + txs, segwit serialization allowed);
  * a text file holding one block as hex (whitespace ignored).
The kind is detected from the content: a file whose first 4 bytes (after XOR) are a
known network magic is a blk file; a file made only of hex digits and whitespace is hex.
A blk file with another network's magic is refused with a hint; raw and hex blocks
carry no network, so --network alone picks the address prefixes (bcoin/testnet3/ needs
--network testnet).

Output: JSON Lines on stdout, one object per transaction, in file/block order:
  {"block": <block hash, display hex>, "txid": <display hex>, "n_in": <input count>,
   "outputs": [{"value": <satoshi int>, "address": <str|null>}, ...],
   "prevouts": [[<prev txid display hex>, <prev vout>], ...]}
"prevouts" is extra (not needed for the address/value contract): the coinbase has
[["00..00", 4294967295]].

Division of labour with btc_ref.js (the second, independent reference in node using
bitcoinjs-lib): python-bitcoinlib 0.11 cannot encode bech32m, so for witness-version-1+
outputs (P2TR, P2A anchors, future versions) this script prints
{"value": V, "address": null, "needs_js": true}.  btc_ref.js prints every address
itself, with identical JSON otherwise, so its output can be diffed line by line against
this one; compare_btc.py merges the two (filling the needs_js holes from the JS output)
and reports any disagreement between them.

Address rules (those of Bitcoin Core's Solver()/ExtractDestination(); templates are
matched on the raw script bytes, never on a re-encoded script):
  P2PKH   76 a9 14 <20> 88 ac                     -> base58check(PUBKEY_ADDR)
  P2SH    a9 14 <20> 87                           -> base58check(SCRIPT_ADDR)
  witness <OP_0|OP_1..OP_16> <push of 2..40 bytes>, script 4..42 bytes:
          v0 + 20 bytes -> P2WPKH (bech32), v0 + 32 bytes -> P2WSH (bech32),
          v0 + other length -> nonstandard (null), v1+ -> bech32m (left to btc_ref.js)
  P2PK    <push 33|65 bytes> ac with a well-sized key (33 bytes starting 02/03,
          65 bytes starting 04/06/07) -> P2PKH address of HASH160(pubkey)
  anything else (bare multisig, OP_RETURN, nonstandard) -> null
The base58/bech32 encodings and the hashes come from python-bitcoinlib.  (P2PK goes
through P2PKHBitcoinAddress.from_pubkey, because 0.11's bare-checksig path in
from_scriptPubKey drops the last byte of uncompressed keys; and bitcoinlib's
CBitcoinAddress.from_scriptPubKey is never called on unclassified scripts, because with
its defaults it canonicalizes pushes first and so gives addresses to scripts Core
does not, e.g. 76 a9 4c 14 <20> 88 ac.)

Consistency checks (merkle root, proof of work against the header's own bits, trailing
bytes, truncation, bad magic) are reported on stderr as "btc_ref: WARNING ...".
Exit status: 0 = clean, 2 = something was skipped or failed a check (stdout still has
every block that parsed), 1 = usage error / unreadable file.
"""

import argparse
import json
import os
import struct
import sys
from io import BytesIO

try:
    import bitcoin
    import bitcoin.core
    from bitcoin.core import CBlock, b2lx
    from bitcoin.core.script import CScript
    from bitcoin.wallet import (P2PKHBitcoinAddress, P2SHBitcoinAddress,
                                P2WPKHBitcoinAddress, P2WSHBitcoinAddress)
except ImportError:  # pragma: no cover
    sys.stderr.write("btc_ref.py: python-bitcoinlib not importable; run with /usr/bin/python3 "
                     "and install python3-bitcoinlib\n")
    sys.exit(1)

# network name -> (python-bitcoinlib params name, blk-file magic)
NETWORKS = {
    "mainnet": ("mainnet", bytes.fromhex("f9beb4d9")),
    "testnet": ("testnet", bytes.fromhex("0b110907")),    # testnet3
    "testnet4": ("testnet", bytes.fromhex("1c163f28")),
    "signet": ("signet", bytes.fromhex("0a03cf40")),      # default signet challenge
    "regtest": ("regtest", bytes.fromhex("fabfb5da")),
}
MAGIC_NAMES = {m: n for n, (_, m) in NETWORKS.items()}
NULL_TXID = "00" * 32
HEXCHARS = set(b"0123456789abcdefABCDEF \t\r\n")

warnings = 0
quiet = False


def warn(msg):
    global warnings
    warnings += 1
    if not quiet:
        sys.stderr.write("btc_ref: WARNING %s\n" % msg)


def classify(spk):
    """Return (kind, payload) for a scriptPubKey (bytes), following Core's Solver."""
    n = len(spk)
    if n == 23 and spk[0] == 0xa9 and spk[1] == 0x14 and spk[22] == 0x87:
        return "p2sh", spk[2:22]
    if 4 <= n <= 42 and (spk[0] == 0 or 0x51 <= spk[0] <= 0x60) and spk[1] + 2 == n:
        ver = 0 if spk[0] == 0 else spk[0] - 0x50
        prog = spk[2:]
        if ver == 0:
            if len(prog) == 20:
                return "p2wpkh", prog
            if len(prog) == 32:
                return "p2wsh", prog
            return "nonstandard", None
        return "witness_v%d" % ver, prog
    if n >= 1 and spk[0] == 0x6a:
        return "op_return", None
    if n == 35 and spk[0] == 33 and spk[34] == 0xac and spk[1] in (2, 3):
        return "p2pk", spk[1:34]
    if n == 67 and spk[0] == 65 and spk[66] == 0xac and spk[1] in (4, 6, 7):
        return "p2pk", spk[1:66]
    if (n == 25 and spk[0] == 0x76 and spk[1] == 0xa9 and spk[2] == 0x14
            and spk[23] == 0x88 and spk[24] == 0xac):
        return "p2pkh", spk[3:23]
    return "other", None


def render(spk):
    """Return (address or None, needs_js flag)."""
    kind, payload = classify(spk)
    s = CScript(spk)
    if kind == "p2pkh":
        a = P2PKHBitcoinAddress.from_scriptPubKey(s, accept_non_canonical_pushdata=False,
                                                  accept_bare_checksig=False)
    elif kind == "p2pk":
        # Not from_scriptPubKey(accept_bare_checksig=True): in python-bitcoinlib 0.11 it
        # slices 64 of the 65 bytes of an uncompressed key (scriptPubKey[1:65]), which
        # renders the genesis output as 1QGceVWi... instead of 1A1zP1eP....
        a = P2PKHBitcoinAddress.from_pubkey(payload, accept_invalid=True)
    elif kind == "p2sh":
        a = P2SHBitcoinAddress.from_scriptPubKey(s)
    elif kind == "p2wpkh":
        a = P2WPKHBitcoinAddress.from_scriptPubKey(s)
    elif kind == "p2wsh":
        a = P2WSHBitcoinAddress.from_scriptPubKey(s)
    elif kind.startswith("witness_v"):
        return None, True
    else:
        return None, False
    return str(a), False


def check_pow(block, where):
    bits = block.nBits
    exp, mant = bits >> 24, bits & 0x007fffff
    if bits & 0x00800000 or mant == 0:
        warn("%s: nBits 0x%08x is negative or zero" % (where, bits))
        return
    target = mant >> (8 * (3 - exp)) if exp <= 3 else mant << (8 * (exp - 3))
    if target >= 1 << 256:
        warn("%s: nBits 0x%08x overflows" % (where, bits))
        return
    if int.from_bytes(block.GetHash(), "little") > target:
        warn("%s: block hash does not meet its own nBits 0x%08x" % (where, bits))


def emit_block(raw, where, out):
    """Parse one serialized block and write its JSON lines. Returns False on parse failure."""
    try:
        f = BytesIO(raw)
        block = CBlock.stream_deserialize(f)
    except Exception as e:  # truncated data, bad varint, ...
        warn("%s: block does not parse: %s: %s" % (where, type(e).__name__, e))
        return False
    if f.tell() != len(raw):
        warn("%s: %d trailing bytes after the block" % (where, len(raw) - f.tell()))
    bhash = b2lx(block.GetHash())
    if not block.vtx or block.vMerkleTree[-1] != block.hashMerkleRoot:
        warn("%s: block %s merkle root mismatch" % (where, bhash))
    check_pow(block, where)
    lines = []
    for tx in block.vtx:
        outs = []
        for o in tx.vout:
            addr, needs_js = render(bytes(o.scriptPubKey))
            d = {"value": o.nValue, "address": addr}
            if needs_js:
                d["needs_js"] = True
            outs.append(d)
        prevouts = [[b2lx(i.prevout.hash), i.prevout.n] for i in tx.vin]
        lines.append(json.dumps({"block": bhash, "txid": b2lx(tx.GetTxid()),
                                 "n_in": len(tx.vin), "outputs": outs,
                                 "prevouts": prevouts}, separators=(",", ":")))
    out.write("\n".join(lines) + "\n")
    return True


def xor_key_for(path):
    kpath = os.path.join(os.path.dirname(os.path.abspath(path)), "xor.dat")
    if not os.path.exists(kpath):
        return None
    with open(kpath, "rb") as f:
        key = f.read()
    if len(key) != 8:
        warn("%s: xor.dat is %d bytes, expected 8; ignored" % (kpath, len(key)))
        return None
    return None if key == bytes(8) else key


def unxor(data, key):
    n = len(data)
    stream = (key * (n // 8 + 1))[:n]
    return (int.from_bytes(data, "little") ^ int.from_bytes(stream, "little")).to_bytes(n, "little")


def process_blk(data, path, magic, out, raw=None):
    """raw: the file bytes before XOR decoding (Core's preallocated zero padding is
    written outside the obfuscating writer, so it is zero in the raw file)."""
    pos = 0
    n = len(data)
    count = 0
    while pos < n:
        if n - pos < 8:
            if any(data[pos:]):
                warn("%s@%d: %d stray bytes at end of file" % (path, pos, n - pos))
            break
        m = data[pos:pos + 4]
        if raw is not None and raw[pos:pos + 4] == bytes(4):
            if any(raw[pos:]):
                warn("%s@%d: zero magic followed by non-zero data" % (path, pos))
            break
        if m == bytes(4):
            if any(data[pos:]):
                warn("%s@%d: zero magic followed by non-zero data" % (path, pos))
            break
        if m != magic:
            what = MAGIC_NAMES.get(m)
            warn("%s@%d: bad magic %s%s; stopping" % (path, pos, m.hex(),
                                                    " (%s)" % what if what else ""))
            break
        (length,) = struct.unpack("<I", data[pos + 4:pos + 8])
        start = pos + 8
        if length < 81:
            warn("%s@%d: record length %d too small; stopping" % (path, pos, length))
            break
        if start + length > n:
            warn("%s@%d: truncated block record (length %d, %d bytes left)"
                 % (path, pos, length, n - start))
            break
        emit_block(data[start:start + length], "%s@%d" % (path, pos), out)
        count += 1
        pos = start + length
    return count


def process_file(path, network, out):
    with open(path, "rb") as f:
        data = f.read()
    magic = NETWORKS[network][1]
    key = xor_key_for(path)
    raw = None
    if key is not None:
        raw, data = data, unxor(data, key)
    head = data[:4]
    if head in MAGIC_NAMES:
        if head != magic:
            warn("%s: blk magic %s is %s, not %s; rerun with --network %s"
                 % (path, head.hex(), MAGIC_NAMES[head], network, MAGIC_NAMES[head]))
            return
        process_blk(data, path, magic, out, raw)
        return
    if data and all(c in HEXCHARS for c in data[:4096]) and all(c in HEXCHARS for c in data):
        try:
            data = bytes.fromhex("".join(data.decode("ascii").split()))
        except ValueError as e:
            warn("%s: not valid hex: %s" % (path, e))
            return
    emit_block(data, path, out)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--network", default="mainnet", choices=sorted(NETWORKS))
    ap.add_argument("--quiet", action="store_true", help="do not print warnings")
    ap.add_argument("files", nargs="+", metavar="FILE")
    args = ap.parse_args()
    bitcoin.SelectParams(NETWORKS[args.network][0])
    global quiet
    quiet = args.quiet
    out = sys.stdout
    for path in args.files:
        try:
            process_file(path, args.network, out)
        except BrokenPipeError:  # e.g. piped into head
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            return 1
        except OSError as e:
            sys.stderr.write("btc_ref: cannot read %s: %s\n" % (path, e))
            return 1
    out.flush()
    return 2 if warnings else 0


if __name__ == "__main__":
    sys.exit(main())

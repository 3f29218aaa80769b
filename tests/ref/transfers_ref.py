#!/usr/bin/python3
"""transfers_ref.py - an independent reading of transfer files (Python's csv,
json, gzip and decimal modules; no code shared with cointrail) that computes,
per address and asset, what `cointrail address --json` must show:
received, sent, fees, balance, transfer counts, first/last seen, tx count.

Rules (docs/internals/account.md): column names fold case and drop '_'/' ';
`amount` is in asset units, `value` in base units unless it has '.'/'e';
failed rows (receipt_status 0, is_error 1) move no value but pay their fee;
`fee` is native asset units, else receipt_gas_used * gas price in base units;
a token is named by its contract; its decimals come from a decimals column,
a short table of well-known tokens, else are unknown (base units shown as
integers), or assumed 18 when the file gives token units.

usage: transfers_ref.py --chain C [--from ADDR] FILE... > expected.json
       transfers_ref.py --compare expected.json CLI DB [--sample N]
"""
import csv
import decimal
import gzip
import io
import json
import random
import subprocess
import sys
from datetime import datetime, timezone, timedelta

decimal.getcontext().prec = 200
D = decimal.Decimal

NATIVE = {"eth": ("ETH", 18), "nem": ("XEM", 6), "trx": ("TRX", 6), "op": ("ETH", 18)}
KNOWN = {  # eth token contract -> decimals (public facts)
    "0xdac17f958d2ee523a2206206994597c13d831ec7": 6,
    "0xa0b86991c6218b36c1d19d4a2e9eb0ce3606eb48": 6,
    "0x6b175474e89094c44da98b954eedeac495271d0f": 18,
    "0xc02aaa39b223fe8d0a0e5c4f27ead9083c756cc2": 18,
    "0x2260fac5e5542a773aa44fbcfedf7c193bc2c599": 8,
    "0xae7ab96520de3a18e5e111b5eaab095312d7fe84": 18,
    "0xd5f7838f5c461feff7fe49ea5ebaf7728bb0adfa": 18,
    "0xe6829d9a7ee3040e1276fa75293bde931859e8fa": 18,
}
NAMES = {
    "time": ["timestamp", "blocktimestamp", "timestamputc", "time"],
    "from": ["from", "fromaddress"],
    "to": ["to", "toaddress"],
    "amount": ["amount"],
    "value": ["value"],
    "hash": ["txhash", "hash", "transactionhash"],
    "height": ["blockheight", "blocknumber", "blockid", "block"],
    "asset": ["asset"],
    "contract": ["tokenaddress", "contractaddress", "contract"],
    "decimals": ["decimals", "tokendecimals"],
    "fee": ["fee"],
    "status": ["receiptstatus", "status"],
    "iserror": ["iserror"],
    "gasused": ["receiptgasused", "gasused"],
    "gasprice": ["gasprice"],
    "effprice": ["receipteffectivegasprice"],
    "created": ["receiptcontractaddress"],
}


def fold(name):
    return "".join(c for c in name.lower() if c not in "_ -")


def parse_time(s, utc_naive):
    s = s.strip()
    if s.isdigit():
        return int(s)
    if s.endswith(" UTC"):
        s = s[:-4] + "+00:00"
    if s.endswith("Z") or s.endswith("z"):
        s = s[:-1] + "+00:00"
    t = datetime.fromisoformat(s.replace("t", "T"))
    if t.tzinfo is None:
        if not utc_naive:
            raise ValueError("no zone")
        t = t.replace(tzinfo=timezone.utc)
    return int((t - datetime(1970, 1, 1, tzinfo=timezone.utc)) // timedelta(seconds=1))


def to_base(text, dec):
    v = D(text)
    if v < 0:
        raise ValueError("negative")
    q = v.scaleb(dec)
    if q != q.to_integral_value():
        raise ValueError("too many decimals")
    return int(q)


def read_rows(path):
    raw = open(path, "rb").read()
    if raw[:2] == b"\x1f\x8b":
        raw = gzip.decompress(raw)
    text = raw.decode("utf-8-sig")
    first = text.lstrip()[:1]
    if first == "{":
        for line in text.splitlines():
            if line.strip():
                obj = json.loads(line)
                yield {k: ("" if v is None else str(v) if not isinstance(v, str) else v)
                       for k, v in obj.items()}, [k for k in obj]
    else:
        rd = csv.reader(io.StringIO(text, newline=""))
        header = next(rd)
        for rec in rd:
            if not rec or all(not f.strip() for f in rec):
                continue
            yield dict(zip(header, rec)), header


def main(argv):
    chain = None
    frm = None
    files = []
    i = 0
    while i < len(argv):
        if argv[i] == "--chain":
            chain = argv[i + 1]
            i += 2
        elif argv[i] == "--from":
            frm = argv[i + 1].lower() if argv[i + 1].startswith("0x") else argv[i + 1]
            i += 2
        else:
            files.append(argv[i])
            i += 1
    nsym, ndec = NATIVE[chain]
    acc = {}  # (addr, asset) -> dict
    txs = {}  # addr -> set of tx keys
    asset_dec = {}  # contract -> decimals or None
    tx_time = {}
    rowid = 0
    evm = chain in ("eth", "op")

    def norm(a):
        return a.lower() if evm else a.upper().replace("-", "")

    def bump(addr, asset, key, amount, t, txk):
        e = acc.setdefault((addr, asset), {"received": 0, "sent": 0, "fees": 0, "in": 0,
                                           "out": 0, "first": t, "last": t})
        e[key] += amount
        if key == "received":
            e["in"] += 1
        elif key == "sent":
            e["out"] += 1
        e["first"] = min(e["first"], t)
        e["last"] = max(e["last"], t)
        txs.setdefault(addr, set()).add(txk)

    for path in files:
        for row, header in read_rows(path):
            rowid += 1
            col = {}
            utc = False
            for k, v in row.items():
                f = fold(k)
                for name, al in NAMES.items():
                    if f in al and name not in col and v != "":
                        col[name] = v
                        if name == "time" and f.endswith("utc"):
                            utc = True
            has_contract_col = any(fold(h) in NAMES["contract"] for h in header)
            h = col.get("hash")
            h = h.lower().removeprefix("0x") if h else None
            if "time" in col:
                t = parse_time(col["time"], utc)
            else:
                t = tx_time[h]
            if h:
                tx_time.setdefault(h, t)
            txk = h if h else "row%d" % rowid
            a_from = norm(col["from"]) if "from" in col else frm
            a_to = norm(col.get("to") or col.get("created") or "") or None
            contract = col.get("contract")
            if not contract and "asset" in col and not has_contract_col and \
                    col["asset"].lower() not in (nsym.lower(), "native"):
                contract = col["asset"]
            asset = norm(contract) if contract else nsym
            if "amount" in col:
                text, base = col["amount"], False
            else:
                text = col["value"]
                base = not any(c in text for c in ".eE")
            if contract:
                if asset not in asset_dec:
                    d = int(col["decimals"]) if "decimals" in col else \
                        KNOWN.get(asset) if chain == "eth" else None
                    if d is None and not base:
                        d = 18  # assumed
                    asset_dec[asset] = d
                dec = asset_dec[asset]
            else:
                dec = ndec
            amount = int(D(text)) if base else to_base(text, dec)
            failed = col.get("status") == "0" or col.get("iserror") == "1"
            if not failed:
                bump(a_from, asset, "sent", amount, t, txk)
                if a_to:
                    bump(a_to, asset, "received", amount, t, txk)
            else:
                # recorded, counted in tx_count and first/last, moving nothing
                for a in (a_from, a_to):
                    if a:
                        e = acc.setdefault((a, asset), {"received": 0, "sent": 0, "fees": 0,
                                                        "in": 0, "out": 0, "first": t, "last": t})
                        e["first"] = min(e["first"], t)
                        e["last"] = max(e["last"], t)
                        txs.setdefault(a, set()).add(txk)
            fee = None
            if "fee" in col:
                fee = to_base(col["fee"], ndec)
            elif "gasused" in col and ("effprice" in col or "gasprice" in col):
                fee = int(col["gasused"]) * int(col.get("effprice") or col["gasprice"])
            if fee is not None:
                e = acc.setdefault((a_from, nsym), {"received": 0, "sent": 0, "fees": 0, "in": 0,
                                                    "out": 0, "first": t, "last": t})
                e["fees"] += fee
                e["first"] = min(e["first"], t)
                e["last"] = max(e["last"], t)
                txs.setdefault(a_from, set()).add(txk)
    out = {}
    for (addr, asset), e in acc.items():
        dec = ndec if asset == nsym else asset_dec.get(asset)
        o = out.setdefault(addr, {"assets": {}, "tx_count": len(txs.get(addr, ()))})
        o["assets"][asset] = {
            "decimals": dec,
            "received": render(e["received"], dec),
            "sent": render(e["sent"], dec),
            "fees": render(e["fees"], dec),
            "balance": render(e["received"] - e["sent"] - e["fees"], dec),
            "transfers_in": e["in"],
            "transfers_out": e["out"],
            "first_seen": iso(e["first"]),
            "last_seen": iso(e["last"]),
        }
    json.dump(out, sys.stdout, indent=1, sort_keys=True)


def iso(t):
    return datetime.fromtimestamp(t, tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def render(v, dec):
    if dec is None or dec == 0:
        return str(v)
    s = "-" if v < 0 else ""
    v = abs(v)
    return "%s%d.%0*d" % (s, v // 10 ** dec, dec, v % 10 ** dec)


def compare(argv):
    exp = json.load(open(argv[0]))
    cli, db = argv[1], argv[2]
    sample = int(argv[4]) if len(argv) > 4 and argv[3] == "--sample" else 0
    addrs = sorted(exp)
    if sample and len(addrs) > sample:
        random.seed(7)
        addrs = random.sample(addrs, sample)
    bad = 0
    for a in addrs:
        r = subprocess.run([cli, "--db", db, "address", a, "--json", "--limit", "0"],
                           capture_output=True, text=True)
        if r.returncode != 0:
            print("MISMATCH %s: cointrail exit %d: %s" % (a, r.returncode, r.stderr.strip()))
            bad += 1
            continue
        got = json.loads(r.stdout)
        want = exp[a]
        if got["tx_count"] != want["tx_count"]:
            print("MISMATCH %s: tx_count %s != %s" % (a, got["tx_count"], want["tx_count"]))
            bad += 1
        gassets = {x["asset"]: x for x in got["assets"]}
        if set(gassets) != set(want["assets"]):
            print("MISMATCH %s: assets %s != %s" % (a, sorted(gassets), sorted(want["assets"])))
            bad += 1
            continue
        for asset, w in want["assets"].items():
            g = gassets[asset]
            for k in ("decimals", "received", "sent", "fees", "balance", "transfers_in",
                      "transfers_out", "first_seen", "last_seen"):
                if g[k] != w[k]:
                    print("MISMATCH %s %s %s: cointrail %r, reference %r" % (a, asset, k, g[k],
                                                                            w[k]))
                    bad += 1
    print("compared %d addresses, %d mismatches" % (len(addrs), bad))
    return 1 if bad else 0


if __name__ == "__main__":
    if sys.argv[1] == "--compare":
        sys.exit(compare(sys.argv[2:]))
    main(sys.argv[1:])

#!/usr/bin/python3
# badproxy.py - a JSON-RPC proxy for tests/cases/eth_rpc.sh that forwards to
# the hardhat node and corrupts its answers about the node's newest block
# (so that earlier batches of a run are good and the run must roll them
# back): badproxy.py PORT UPSTREAM MODE. Modes: value-overflow, bad-hex,
# no-hash, hashes-only, not-json, status-2, log-bad-topic; and
# block-receipts (serves eth_getBlockReceipts, which hardhat lacks, from
# the node's per-tx receipts: no corruption) and block-receipts-short (one
# receipt missing from the newest block's list), and logs-range (refuses
# eth_getLogs over more than 2 blocks, as hosted providers cap ranges).
import json
import sys
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PORT, UP, MODE = int(sys.argv[1]), sys.argv[2], sys.argv[3]


def forward(body):
    req = urllib.request.Request(UP, data=body, headers={"content-type": "application/json"})
    with urllib.request.urlopen(req, timeout=30) as r:
        return r.read()


TIP = int(json.loads(forward(json.dumps(
    {"jsonrpc": "2.0", "id": 1, "method": "eth_blockNumber", "params": []}).encode()))["result"], 16)


def corrupt(req, ans):
    """Corrupt one answer (in place); True if the whole reply must be junk."""
    m, p, r = req.get("method"), req.get("params", []), ans.get("result")
    if m == "eth_getBlockByNumber" and p[1] is True and r and int(r["number"], 16) == TIP:
        tx = r["transactions"]
        if MODE == "value-overflow":
            tx[0]["value"] = "0x1" + "0" * 64
        elif MODE == "bad-hex":
            tx[0]["from"] = "0x" + "zz" * 20
        elif MODE == "no-hash":
            del r["hash"]
        elif MODE == "hashes-only":
            r["transactions"] = [t["hash"] for t in tx]
        elif MODE == "not-json":
            return True
    if m == "eth_getTransactionReceipt" and r and int(r["blockNumber"], 16) == TIP and MODE == "status-2":
        r["status"] = "0x2"
    if m == "eth_getLogs" and isinstance(r, list) and MODE == "log-bad-topic":
        for lg in r:
            if int(lg["blockNumber"], 16) == TIP:
                lg["topics"][1] = "0x12"
    return False


def call(method, params):
    return json.loads(forward(json.dumps(
        {"jsonrpc": "2.0", "id": 1, "method": method, "params": params}).encode()))["result"]


def block_receipts(req):
    """Answer eth_getBlockReceipts(n) the way nodes that serve it do."""
    print("served eth_getBlockReceipts", req["params"][0], file=sys.stderr, flush=True)
    b = call("eth_getBlockByNumber", [req["params"][0], False])
    if b is None:
        return {"jsonrpc": "2.0", "id": req["id"], "result": None}
    rs = [call("eth_getTransactionReceipt", [h]) for h in b["transactions"]]
    if MODE == "block-receipts-short" and int(b["number"], 16) == TIP and rs:
        rs.pop()
    return {"jsonrpc": "2.0", "id": req["id"], "result": rs}


def answer(body):
    req = json.loads(body)
    if MODE == "logs-range":
        reqs = req if isinstance(req, list) else [req]
        ans = json.loads(forward(body))
        ans = ans if isinstance(ans, list) else [ans]
        byid = {a["id"]: a for a in ans}
        for q in reqs:
            if q.get("method") == "eth_getLogs":
                f = q["params"][0]
                if int(f["toBlock"], 16) - int(f["fromBlock"], 16) + 1 > 2:
                    print("refused eth_getLogs", f["fromBlock"], f["toBlock"], file=sys.stderr, flush=True)
                    a = byid[q["id"]]
                    a.pop("result", None)
                    a["error"] = {"code": -32005, "message": "query returns more than 10000 results"}
        return req, ans if isinstance(req, list) else ans[0]
    if not MODE.startswith("block-receipts"):
        return req, json.loads(forward(body))
    reqs = req if isinstance(req, list) else [req]
    fwd = [q for q in reqs if q.get("method") != "eth_getBlockReceipts"]
    ans = json.loads(forward(json.dumps(fwd).encode())) if fwd else []
    ans += [block_receipts(q) for q in reqs if q.get("method") == "eth_getBlockReceipts"]
    return req, ans if isinstance(req, list) else ans[0]


class H(BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers["content-length"]))
        req, ans = answer(body)
        junk = False
        if isinstance(req, list):
            byid = {a["id"]: a for a in ans}
            for q in req:
                junk |= corrupt(q, byid[q["id"]])
        else:
            junk = corrupt(req, ans)
        out = b"<html>proxy error</html>" if junk else json.dumps(ans).encode()
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(out)))
        self.end_headers()
        self.wfile.write(out)

    def log_message(self, *a):
        pass


ThreadingHTTPServer(("127.0.0.1", PORT), H).serve_forever()

#!/usr/bin/python3
# badproxy.py - a JSON-RPC proxy for tests/cases/eth_rpc.sh that forwards to
# the hardhat node and corrupts its answers about the node's newest block
# (so that earlier batches of a run are good and the run must roll them
# back): badproxy.py PORT UPSTREAM MODE. Modes: value-overflow, bad-hex,
# no-hash, hashes-only, not-json, status-2, log-bad-topic.
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


class H(BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers["content-length"]))
        req = json.loads(body)
        ans = json.loads(forward(body))
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

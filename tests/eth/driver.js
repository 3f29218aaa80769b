#!/usr/bin/env node
// driver.js - drives the local Ethereum node for tests/cases/eth_rpc.sh:
// compiles tests/eth/Tok.sol with solc-js, deploys it, sends real ETH and
// token transfers (including failed txs and look-alike logs), takes and
// reverts snapshots, and writes what cointrail must find: every value
// transfer (from, to, asset, exact amount, tx hash, block) and every fee,
// taken from what the driver sent and the node's receipts.
//
//   node driver.js freeport
//   node driver.js setup URL STATE          deploy the token (state file created)
//   node driver.js round URL STATE K        one round of transfers (K varies them)
//   node driver.js mine URL N               N empty blocks
//   node driver.js load URL STATE N TXS     N blocks of TXS txs each (benchmarks)
//   node driver.js snapshot URL STATE       evm_snapshot, remembered in STATE
//   node driver.js revert URL STATE         evm_revert to it; forget what it removed
//   node driver.js balances URL STATE OUT   node balances now and at block 0
"use strict";
const fs = require("fs");
const net = require("net");
const path = require("path");

let rpcId = 0;
async function rpc(url, method, params = []) {
	const res = await fetch(url, {
		method: "POST",
		headers: { "content-type": "application/json" },
		body: JSON.stringify({ jsonrpc: "2.0", id: ++rpcId, method, params }),
	});
	const j = await res.json();
	if (j.error) throw new Error(`${method}: ${JSON.stringify(j.error)}`);
	return j.result;
}

const hex = (n) => "0x" + BigInt(n).toString(16);
const pad32 = (h) => h.replace(/^0x/, "").padStart(64, "0");
const lc = (a) => (a === null ? null : a.toLowerCase());

function selector(sig) {
	// keccak-256 is not in node's crypto; hardhat ships ethereum-cryptography
	const { keccak256 } = require("ethereum-cryptography/keccak");
	const h = Buffer.from(keccak256(Buffer.from(sig))).toString("hex");
	return h.slice(0, 8);
}

function compile() {
	const solc = require("solc");
	const src = fs.readFileSync(path.join(__dirname, "Tok.sol"), "utf8");
	const input = {
		language: "Solidity",
		sources: { "Tok.sol": { content: src } },
		settings: { evmVersion: "paris", outputSelection: { "*": { "*": ["evm.bytecode.object"] } } },
	};
	const out = JSON.parse(solc.compile(JSON.stringify(input)));
	const errs = (out.errors || []).filter((e) => e.severity === "error");
	if (errs.length) throw new Error(errs.map((e) => e.formattedMessage).join("\n"));
	return "0x" + out.contracts["Tok.sol"].Tok.evm.bytecode.object;
}

function load(file) {
	return JSON.parse(fs.readFileSync(file, "utf8"));
}
function save(file, st) {
	fs.writeFileSync(file, JSON.stringify(st, null, 1));
}

// Send txs (each {from, to, value, data, gas, expect(receipt) -> transfers}),
// mine one block, and record the transfers each tx must produce.
async function block(url, st, txs) {
	const hashes = [];
	for (const t of txs) {
		const p = { from: t.from, gas: hex(t.gas || 100000) };
		if (t.to !== undefined) p.to = t.to;
		if (t.value) p.value = hex(t.value);
		if (t.data) p.data = t.data;
		hashes.push(await rpc(url, "eth_sendTransaction", [p]));
	}
	await rpc(url, "evm_mine", []);
	for (let i = 0; i < txs.length; i++) {
		const r = await rpc(url, "eth_getTransactionReceipt", [hashes[i]]);
		if (!r) throw new Error(`tx ${hashes[i]} was not mined`);
		const bn = Number(BigInt(r.blockNumber));
		const ok = r.status === "0x1";
		if (ok !== !txs[i].fails) throw new Error(`tx ${i} status ${r.status}, expected ${txs[i].fails ? "failure" : "success"}`);
		const fee = BigInt(r.gasUsed) * BigInt(r.effectiveGasPrice);
		const base = { tx: lc(hashes[i]), block: bn };
		// every tx pays its fee; a failed tx's value transfer is recorded
		// as failed (it moved nothing); a zero value is no transfer
		st.expected.push({ ...base, kind: "fee", from: lc(txs[i].from), to: null, asset: "eth", amount: fee.toString(), failed: false });
		if (txs[i].value && BigInt(txs[i].value) > 0n) {
			const to = txs[i].to === undefined ? lc(r.contractAddress) : lc(txs[i].to);
			st.expected.push({ ...base, kind: "eth", from: lc(txs[i].from), to, asset: "eth", amount: BigInt(txs[i].value).toString(), failed: !ok });
		}
		if (ok)
			for (const [from, to, v] of txs[i].tokens || [])
				st.expected.push({ ...base, kind: "token", from: lc(from), to: lc(to), asset: lc(st.token || r.contractAddress), amount: BigInt(v).toString(), failed: false });
		if (txs[i].to === undefined) st.token = lc(r.contractAddress);
		st.txs.push({ ...base, block_hash: lc(r.blockHash), status: ok ? 1 : 0 });
	}
}

const callTransfer = (to, v) => "0x" + selector("transfer(address,uint256)") + pad32(to) + pad32(hex(v));
function callBatch(tos, vs) {
	// batch(address[],uint256[]): two dynamic arrays, heads then tails
	const n = tos.length;
	const off1 = 64n, off2 = 64n + 32n * BigInt(n + 1);
	let d = selector("batch(address[],uint256[])") + pad32(hex(off1)) + pad32(hex(off2));
	d += pad32(hex(n)) + tos.map(pad32).join("");
	d += pad32(hex(n)) + vs.map((v) => pad32(hex(v))).join("");
	return "0x" + d;
}
const callOdd = (to, v) => "0x" + selector("oddLogs(address,uint256)") + pad32(to) + pad32(hex(v));

async function main() {
	const [cmd, url, file, arg] = process.argv.slice(2);
	if (cmd === "freeport") {
		const s = net.createServer();
		s.listen(0, "127.0.0.1", () => {
			console.log(s.address().port);
			s.close();
		});
		return;
	}
	if (cmd === "mine") {
		for (let i = 0; i < Number(file); i++) await rpc(url, "evm_mine", []);
		return;
	}
	if (cmd === "setup") {
		const accounts = (await rpc(url, "eth_accounts")).map(lc);
		const st = { accounts, expected: [], txs: [], snapshots: [] };
		// supply above 2^255: token amounts need all 256 bits
		const supply = (1n << 255n) + 123456789n;
		const code = compile() + pad32(hex(supply));
		await block(url, st, [{ from: accounts[0], data: code, gas: 3000000, tokens: [["0x" + "0".repeat(40), accounts[0], supply]] }]);
		save(file, st);
		return;
	}
	const st = load(file);
	const a = st.accounts;
	if (cmd === "round") {
		const k = BigInt(arg);
		// block 1: ETH above 2^64 wei, 1 wei, a zero-value tx; tokens above 2^128
		await block(url, st, [
			{ from: a[1], to: a[2], value: 1234567890123456789012n + k },
			{ from: a[2], to: a[3], value: 1n },
			{ from: a[3], to: a[4], value: 0n },
			{ from: a[0], to: st.token, data: callTransfer(a[1], (1n << 130n) + k), gas: 200000, tokens: [[a[0], a[1], (1n << 130n) + k]] },
			{ from: a[0], to: st.token, data: callBatch([a[2], a[3], a[4]], [1n, 10n ** 30n + k, 7n]), gas: 300000,
			  tokens: [[a[0], a[2], 1n], [a[0], a[3], 10n ** 30n + k], [a[0], a[4], 7n]] },
		]);
		// block 2: failed txs (token transfer without balance, ETH to a
		// contract that takes none), look-alike Transfer logs
		await block(url, st, [
			{ from: a[5], to: st.token, data: callTransfer(a[1], 1n << 200n), gas: 200000, fails: true },
			{ from: a[4], to: st.token, value: 5n * 10n ** 18n, fails: true },
			{ from: a[1], to: st.token, data: callOdd(a[2], 99n + k), gas: 200000 },
		]);
		// block 3: a self transfer and a token transfer back
		await block(url, st, [
			{ from: a[4], to: a[4], value: 7n * 10n ** 18n + k },
			{ from: a[3], to: st.token, data: callTransfer(a[5], 3n + k), gas: 200000, tokens: [[a[3], a[5], 3n + k]] },
		]);
		save(file, st);
		return;
	}
	if (cmd === "load") {
		// for bench/eth_rpc.sh: BLOCKS blocks of TXS txs each (ETH and token
		// transfers among the 20 accounts, sent in JSON-RPC batches), no
		// expectations recorded
		const [blocks, per] = [Number(arg), Number(process.argv[6] || 50)];
		const acc = (await rpc(url, "eth_accounts")).map(lc);
		for (let b = 0; b < blocks; b++) {
			const reqs = [];
			for (let i = 0; i < per; i++) {
				const from = acc[(b + i) % acc.length], to = acc[(b + 2 * i + 1) % acc.length];
				const p = i % 2 ? { from, to, value: hex(1000n + BigInt(i)), gas: hex(21000) }
					: { from: a[0], to: st.token, data: callTransfer(to, 1n + BigInt(i)), gas: hex(100000) };
				reqs.push({ jsonrpc: "2.0", id: ++rpcId, method: "eth_sendTransaction", params: [p] });
			}
			const res = await (await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(reqs) })).json();
			for (const r of res) if (r.error) throw new Error(`eth_sendTransaction: ${JSON.stringify(r.error)}`);
			await rpc(url, "evm_mine", []);
		}
		return;
	}
	if (cmd === "snapshot") {
		const id = await rpc(url, "evm_snapshot", []);
		const bn = Number(BigInt(await rpc(url, "eth_blockNumber", [])));
		st.snapshots.push({ id, block: bn });
		save(file, st);
		return;
	}
	if (cmd === "revert") {
		const s = st.snapshots.pop();
		if (!(await rpc(url, "evm_revert", [s.id]))) throw new Error("evm_revert refused");
		st.expected = st.expected.filter((e) => e.block <= s.block);
		st.txs = st.txs.filter((e) => e.block <= s.block);
		save(file, st);
		return;
	}
	if (cmd === "balances") {
		const out = {};
		const bal = selector("balanceOf(address)");
		for (const acc of a.slice(0, 6)) {
			const now = BigInt(await rpc(url, "eth_getBalance", [acc, "latest"]));
			const then = BigInt(await rpc(url, "eth_getBalance", [acc, "0x0"]));
			const tok = BigInt(await rpc(url, "eth_call", [{ to: st.token, data: "0x" + bal + pad32(acc) }, "latest"]));
			out[acc] = { eth_delta: (now - then).toString(), token: tok.toString() };
		}
		fs.writeFileSync(arg, JSON.stringify(out, null, 1));
		return;
	}
	throw new Error(`unknown command ${cmd}`);
}

main().catch((e) => {
	console.error("driver:", e.message);
	process.exit(1);
});

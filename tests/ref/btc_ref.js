#!/usr/bin/env node
// btc_ref.js - second independent reference decoder for cointrail's Bitcoin tests.
//
// Setup once:  (cd tests/ref && npm ci)        # bitcoinjs-lib 7 + tiny-secp256k1, pinned
// Usage:       node tests/ref/btc_ref.js [--network mainnet|testnet|testnet4|regtest|signet]
//                                        [--quiet] FILE... > ref-js.jsonl
//
// Same inputs, output and exit status as btc_ref.py (see the top of that file): FILE is a
// Bitcoin Core blk file (magic + LE length records, zero padding ends it, xor.dat beside
// it is applied; raw zero padding ends it), a raw block, or a hex text file of one block; one JSON line per tx:
//   {"block","txid","n_in","outputs":[{"value","address"}],"prevouts":[[txid,n],...]}
// The JSON text is byte-identical to btc_ref.py's except that btc_ref.py leaves witness
// v1+ outputs as {"address":null,"needs_js":true}; here every address is rendered.
// compare_btc.py --cross-check diffs the two outputs; compare_btc.py merges them.
//
// Parsing (blocks, txs, segwit, txids, block hash) is bitcoinjs-lib's Block.fromBuffer.
// Addresses: the script template is chosen by the same Core Solver() rules as btc_ref.py
// (raw-byte templates; P2PK only with a well-sized key: 33 bytes 02/03, 65 bytes
// 04/06/07, rendered as the P2PKH address of HASH160(key); bare multisig, OP_RETURN and
// nonstandard scripts -> null). The address string itself comes from bitcoinjs-lib:
// address.fromOutputScript for P2PKH, P2SH, P2WPKH, P2WSH, P2TR and v2..16 programs.
// fromOutputScript refuses two cases Core renders anyway: a v1 32-byte program that is
// not a valid x-only curve point, and v1 programs of other lengths (e.g. the P2A anchor
// 51024e73). For those, and for P2PK, bitcoinjs-lib's lower-level address.toBech32 /
// address.toBase58Check + crypto.hash160 are used.
'use strict';

const fs = require('fs');
const path = require('path');
const bitcoin = require('bitcoinjs-lib');
const ecc = require('tiny-secp256k1');

bitcoin.initEccLib(ecc);

const NETWORKS = {
  mainnet: { net: bitcoin.networks.bitcoin, magic: 'f9beb4d9' },
  testnet: { net: bitcoin.networks.testnet, magic: '0b110907' },
  testnet4: { net: bitcoin.networks.testnet, magic: '1c163f28' },
  signet: { net: bitcoin.networks.testnet, magic: '0a03cf40' },
  regtest: { net: bitcoin.networks.regtest, magic: 'fabfb5da' },
};
const MAGIC_NAMES = {};
for (const [name, v] of Object.entries(NETWORKS)) MAGIC_NAMES[v.magic] = name;

let warnings = 0;
let quiet = false;
function warn(msg) {
  warnings++;
  if (!quiet) process.stderr.write(`btc_ref: WARNING ${msg}\n`);
}

// Display-order hex of a 32-byte little-endian hash.
function revHex(buf) {
  return Buffer.from(buf).reverse().toString('hex');
}

// Core Solver() template choice; returns [kind, payload].
function classify(s) {
  const n = s.length;
  if (n === 23 && s[0] === 0xa9 && s[1] === 0x14 && s[22] === 0x87) return ['p2sh', null];
  if (n >= 4 && n <= 42 && (s[0] === 0 || (s[0] >= 0x51 && s[0] <= 0x60)) && s[1] + 2 === n) {
    const ver = s[0] === 0 ? 0 : s[0] - 0x50;
    const prog = s.subarray(2);
    if (ver === 0) {
      if (prog.length === 20) return ['p2wpkh', null];
      if (prog.length === 32) return ['p2wsh', null];
      return ['nonstandard', null];
    }
    return ['witness', [ver, prog]];
  }
  if (n >= 1 && s[0] === 0x6a) return ['op_return', null];
  if (n === 35 && s[0] === 33 && s[34] === 0xac && (s[1] === 2 || s[1] === 3)) {
    return ['p2pk', s.subarray(1, 34)];
  }
  if (n === 67 && s[0] === 65 && s[66] === 0xac && [4, 6, 7].includes(s[1])) {
    return ['p2pk', s.subarray(1, 66)];
  }
  if (n === 25 && s[0] === 0x76 && s[1] === 0xa9 && s[2] === 0x14 && s[23] === 0x88 &&
      s[24] === 0xac) {
    return ['p2pkh', null];
  }
  return ['other', null];
}

function render(script, net) {
  const [kind, payload] = classify(script);
  switch (kind) {
    case 'p2pkh':
    case 'p2sh':
    case 'p2wpkh':
    case 'p2wsh':
      return bitcoin.address.fromOutputScript(script, net);
    case 'p2pk':
      return bitcoin.address.toBase58Check(bitcoin.crypto.hash160(payload), net.pubKeyHash);
    case 'witness': {
      const [ver, prog] = payload;
      const warnFn = console.warn; // silence bitcoinjs' "future segwit version" notice
      console.warn = () => {};
      try {
        return bitcoin.address.fromOutputScript(script, net);
      } catch (e) {
        return bitcoin.address.toBech32(prog, ver, net.bech32);
      } finally {
        console.warn = warnFn;
      }
    }
    default:
      return null;
  }
}

function checkPow(block, where) {
  const bits = block.bits >>> 0;
  const exp = bits >>> 24;
  const mant = BigInt(bits & 0x007fffff);
  if ((bits & 0x00800000) !== 0 || mant === 0n) {
    warn(`${where}: nBits 0x${bits.toString(16).padStart(8, '0')} is negative or zero`);
    return;
  }
  const target = exp <= 3 ? mant >> BigInt(8 * (3 - exp)) : mant << BigInt(8 * (exp - 3));
  if (target >= (1n << 256n)) {
    warn(`${where}: nBits 0x${bits.toString(16)} overflows`);
    return;
  }
  const h = BigInt('0x' + revHex(block.getHash()));
  if (h > target) {
    warn(`${where}: block hash does not meet its own nBits 0x${bits.toString(16).padStart(8, '0')}`);
  }
}

function emitBlock(raw, where, net, out) {
  let block;
  try {
    block = bitcoin.Block.fromBuffer(raw);
  } catch (e) {
    warn(`${where}: block does not parse: ${e.message}`);
    return false;
  }
  if (!block.transactions || block.transactions.length === 0) {
    warn(`${where}: block has no transactions`);
    return false;
  }
  const used = block.byteLength(false, true);
  if (used !== raw.length) {
    if (used > raw.length) {
      warn(`${where}: block does not parse: needs ${used} bytes, has ${raw.length}`);
      return false;
    }
    warn(`${where}: ${raw.length - used} trailing bytes after the block`);
  }
  const bhash = block.getId();
  if (!block.checkTxRoots()) warn(`${where}: block ${bhash} merkle root (or witness commitment) mismatch`);
  checkPow(block, where);
  const lines = [];
  for (const tx of block.transactions) {
    const outputs = tx.outs.map((o) => ({
      value: Number(o.value),
      address: render(o.script, net),
    }));
    const prevouts = tx.ins.map((i) => [revHex(i.hash), i.index >>> 0]);
    lines.push(JSON.stringify({
      block: bhash, txid: tx.getId(), n_in: tx.ins.length, outputs, prevouts,
    }));
  }
  out.push(lines.join('\n') + '\n');
  return true;
}

function xorKeyFor(file) {
  const kpath = path.join(path.dirname(path.resolve(file)), 'xor.dat');
  if (!fs.existsSync(kpath)) return null;
  const key = fs.readFileSync(kpath);
  if (key.length !== 8) {
    warn(`${kpath}: xor.dat is ${key.length} bytes, expected 8; ignored`);
    return null;
  }
  return key.every((b) => b === 0) ? null : key;
}

// raw: the file before XOR decoding (or null); Core's preallocated zero padding is
// not obfuscated, so raw zeros at a record position also end the file.
function processBlk(data, file, magic, net, out, raw) {
  let pos = 0;
  const n = data.length;
  while (pos < n) {
    if (n - pos < 8) {
      if (data.subarray(pos).some((b) => b !== 0)) {
        warn(`${file}@${pos}: ${n - pos} stray bytes at end of file`);
      }
      break;
    }
    const m = data.subarray(pos, pos + 4).toString('hex');
    if (raw && raw.readUInt32LE(pos) === 0) {
      if (raw.subarray(pos).some((b) => b !== 0)) {
        warn(`${file}@${pos}: zero magic followed by non-zero data`);
      }
      break;
    }
    if (m === '00000000') {
      if (data.subarray(pos).some((b) => b !== 0)) {
        warn(`${file}@${pos}: zero magic followed by non-zero data`);
      }
      break;
    }
    if (m !== magic) {
      const what = MAGIC_NAMES[m] ? ` (${MAGIC_NAMES[m]})` : '';
      warn(`${file}@${pos}: bad magic ${m}${what}; stopping`);
      break;
    }
    const length = data.readUInt32LE(pos + 4);
    const start = pos + 8;
    if (length < 81) {
      warn(`${file}@${pos}: record length ${length} too small; stopping`);
      break;
    }
    if (start + length > n) {
      warn(`${file}@${pos}: truncated block record (length ${length}, ${n - start} bytes left)`);
      break;
    }
    emitBlock(data.subarray(start, start + length), `${file}@${pos}`, net, out);
    pos = start + length;
  }
}

const HEX_RE = /^[0-9a-fA-F\s]*$/;

function processFile(file, network, out) {
  let data = fs.readFileSync(file);
  const { net, magic } = NETWORKS[network];
  const key = xorKeyFor(file);
  let raw = null;
  if (key) {
    raw = data;
    data = Buffer.from(data);
    for (let i = 0; i < data.length; i++) data[i] ^= key[i % 8];
  }
  const head = data.subarray(0, 4).toString('hex');
  if (data.length >= 4 && MAGIC_NAMES[head]) {
    if (head !== magic) {
      warn(`${file}: blk magic ${head} is ${MAGIC_NAMES[head]}, not ${network}; ` +
           `rerun with --network ${MAGIC_NAMES[head]}`);
      return;
    }
    processBlk(data, file, magic, net, out, raw);
    return;
  }
  if (data.length > 0 && HEX_RE.test(data.toString('latin1'))) {
    const hex = data.toString('latin1').replace(/\s+/g, '');
    if (hex.length % 2 !== 0) {
      warn(`${file}: not valid hex: odd length`);
      return;
    }
    data = Buffer.from(hex, 'hex');
  }
  emitBlock(data, file, net, out);
}

function main() {
  const argv = process.argv.slice(2);
  let network = 'mainnet';
  const files = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--network') network = argv[++i];
    else if (a.startsWith('--network=')) network = a.slice(10);
    else if (a === '--quiet') quiet = true;
    else if (a === '-h' || a === '--help') {
      process.stdout.write('usage: btc_ref.js [--network mainnet|testnet|testnet4|regtest|signet] ' +
                           '[--quiet] FILE...\n');
      return 0;
    } else files.push(a);
  }
  if (!NETWORKS[network] || files.length === 0) {
    process.stderr.write('usage: btc_ref.js [--network mainnet|testnet|testnet4|regtest|signet] ' +
                         '[--quiet] FILE...\n');
    return 1;
  }
  for (const f of files) {
    const out = [];
    try {
      processFile(f, network, out);
    } catch (e) {
      process.stderr.write(`btc_ref: cannot read ${f}: ${e.message}\n`);
      return 1;
    }
    for (const chunk of out) process.stdout.write(chunk);
  }
  return warnings ? 2 : 0;
}

process.stdout.on('error', (e) => {
  if (e.code === 'EPIPE') process.exit(1); // e.g. piped into head
  throw e;
});
process.exitCode = main();

// hardhat.config.js - configuration of the local Ethereum node that the eth
// JSON-RPC ingest test (tests/cases/eth_rpc.sh) starts: a fixed chain id,
// no automatic mining (the driver mines blocks explicitly so that blocks
// hold several txs), and no artefacts (nothing is compiled by hardhat).
module.exports = {
	networks: {
		hardhat: {
			chainId: 31337,
			mining: { auto: false, interval: 0 },
			initialBaseFeePerGas: 1000000000,
			// a second node on another genesis (the wrong-node test)
			...(process.env.HARDHAT_INITIAL_DATE ? { initialDate: process.env.HARDHAT_INITIAL_DATE } : {}),
		},
	},
	paths: { cache: process.env.HARDHAT_CACHE || "/tmp/cointrail-hardhat-cache" },
};

// SPDX-License-Identifier: MIT
// Tok.sol - a minimal ERC-20-shaped token for cointrail's eth ingest test:
// symbol and decimals (6), balances, transfer (reverts without the balance), a batch transfer that
// emits several Transfer logs in one tx, and two look-alike events with the
// Transfer topic that an ERC-20 reader must skip (wrong topic count).
pragma solidity ^0.8.20;

contract Tok {
	string public constant symbol = "TOK";
	uint8 public constant decimals = 6;
	mapping(address => uint256) public balanceOf;
	event Transfer(address indexed from, address indexed to, uint256 value);

	constructor(uint256 supply) {
		balanceOf[msg.sender] = supply;
		emit Transfer(address(0), msg.sender, supply);
	}

	function transfer(address to, uint256 value) external returns (bool) {
		require(balanceOf[msg.sender] >= value, "balance");
		balanceOf[msg.sender] -= value;
		balanceOf[to] += value;
		emit Transfer(msg.sender, to, value);
		return true;
	}

	function batch(address[] calldata to, uint256[] calldata value) external {
		require(to.length == value.length, "length");
		for (uint256 i = 0; i < to.length; i++) {
			require(balanceOf[msg.sender] >= value[i], "balance");
			balanceOf[msg.sender] -= value[i];
			balanceOf[to[i]] += value[i];
			emit Transfer(msg.sender, to[i], value[i]);
		}
	}

	// Logs with the Transfer topic but not the ERC-20 shape: no indexed
	// arguments (1 topic, 96 bytes of data), and the ERC-721 shape
	// (4 topics, no data). Neither moves tokens.
	function oddLogs(address to, uint256 value) external {
		bytes32 t = keccak256("Transfer(address,address,uint256)");
		bytes memory d = abi.encode(msg.sender, to, value);
		assembly {
			log1(add(d, 32), mload(d), t)
			log4(0, 0, t, caller(), to, value)
		}
	}
}

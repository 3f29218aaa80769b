/*
 * blkfile.h - where Bitcoin blocks come from: Bitcoin Core's blocks
 * directory (blk*.dat, magic + length records, optionally XOR-obfuscated
 * with xor.dat), single blk files, raw serialized blocks and hex files.
 *
 * Scanning reads only the 8-byte record prefix and the 80-byte header of
 * each block; the block body is read later, once, in best-chain order.
 */
#ifndef CT_CHAIN_BLKFILE_H
#define CT_CHAIN_BLKFILE_H

#include "chain/btc/btc.h"

enum { CT_SRC_BLK = 1, CT_SRC_RAW = 2, CT_SRC_HEX = 3 };

typedef struct ct_blksrc {
	char *path;
	int kind;
	int fd;
	uint64_t size;
	uint8_t xor_key[8];
	int has_xor;
	uint8_t *mem; /* HEX: the decoded block */
	size_t mem_len;
} ct_blksrc;

/* One block found in a source. */
typedef struct ct_blkloc {
	uint32_t src;
	uint32_t len;
	uint64_t off; /* of the block itself (after magic+length) */
	uint8_t hash[32];
	uint8_t header[80];
} ct_blkloc;

typedef struct ct_blkset {
	ct_blksrc *srcs;
	size_t n_srcs, cap_srcs;
	ct_blkloc *locs;
	size_t n_locs, cap_locs;
	uint64_t total_bytes;
	const ct_btc_net *net; /* from magic, or the caller's choice */
	int net_from_magic;
} ct_blkset;

/* Add the inputs named by `path` (a directory of blk*.dat, or a file). */
int ct__blkset_add_path(ct_blkset *s, const char *path);
/* Scan every source for blocks: fills locs. `forced` (may be NULL) is the
 * network the caller asked for. Errors name file, offset and reason. */
int ct__blkset_scan(ct_blkset *s, ct_hasher *h, const ct_btc_net *forced);
/* Read block `i` into *buf (grown as needed). */
int ct__blkset_read(ct_blkset *s, size_t i, uint8_t **buf, size_t *cap);
void ct__blkset_free(ct_blkset *s);

#endif

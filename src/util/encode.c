/*
 * encode.c - hex, Base58Check and Bech32/Bech32m, written from the
 * specifications (Base58 alphabet of Bitcoin; BIP 173 and BIP 350).
 */
#include "util/encode.h"
#include "util/hash.h"

#include <ctype.h>
#include <string.h>

static const char HEX[] = "0123456789abcdef";

void ct__hex(char *out, const uint8_t *in, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		out[2 * i] = HEX[in[i] >> 4];
		out[2 * i + 1] = HEX[in[i] & 15];
	}
	out[2 * len] = '\0';
}

void ct__hex_rev(char *out, const uint8_t *in, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		uint8_t b = in[len - 1 - i];
		out[2 * i] = HEX[b >> 4];
		out[2 * i + 1] = HEX[b & 15];
	}
	out[2 * len] = '\0';
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int ct__unhex(uint8_t *out, const char *in, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		int hi = hexval(in[2 * i]), lo;
		if (hi < 0)
			return -1;
		lo = hexval(in[2 * i + 1]);
		if (lo < 0)
			return -1;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return 0;
}

int ct__unhex_rev(uint8_t *out, const char *in, size_t len)
{
	if (ct__unhex(out, in, len))
		return -1;
	for (size_t i = 0; i < len / 2; i++) {
		uint8_t t = out[i];
		out[i] = out[len - 1 - i];
		out[len - 1 - i] = t;
	}
	return 0;
}

/* ---- Base58 ------------------------------------------------------------ */

static const char B58[] =
	"123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

#define B58_MAX_BYTES 128

int ct__base58check_encode(ct_hasher *h, char *out, size_t cap,
                           const uint8_t *data, size_t len)
{
	uint8_t buf[B58_MAX_BYTES + 4], chk[32];
	uint8_t digits[B58_MAX_BYTES * 138 / 100 + 2];
	size_t n = len + 4, zeros = 0, nd = 0;
	if (len > B58_MAX_BYTES)
		return -1;
	memcpy(buf, data, len);
	ct__sha256d(h, chk, data, len);
	memcpy(buf + len, chk, 4);
	while (zeros < n && buf[zeros] == 0)
		zeros++;
	/* Repeated division of the big-endian number by 58, kept as base-58
	 * digits least significant first. */
	for (size_t i = zeros; i < n; i++) {
		unsigned carry = buf[i];
		for (size_t j = 0; j < nd; j++) {
			carry += (unsigned)digits[j] << 8;
			digits[j] = (uint8_t)(carry % 58);
			carry /= 58;
		}
		while (carry) {
			digits[nd++] = (uint8_t)(carry % 58);
			carry /= 58;
		}
	}
	if (zeros + nd + 1 > cap)
		return -1;
	size_t o = 0;
	for (size_t i = 0; i < zeros; i++)
		out[o++] = '1';
	for (size_t i = 0; i < nd; i++)
		out[o++] = B58[digits[nd - 1 - i]];
	out[o] = '\0';
	return (int)o;
}

int ct__base58check_decode(ct_hasher *h, uint8_t *out, size_t cap, const char *in)
{
	uint8_t bytes[B58_MAX_BYTES + 8];
	size_t nb = 0, zeros = 0, len = strlen(in);
	if (len == 0 || len > 180)
		return -1;
	while (in[zeros] == '1')
		zeros++;
	for (size_t i = zeros; i < len; i++) {
		const char *c = strchr(B58, in[i]);
		if (!c || !in[i])
			return -1;
		unsigned carry = (unsigned)(c - B58);
		for (size_t j = 0; j < nb; j++) {
			carry += (unsigned)bytes[j] * 58;
			bytes[j] = (uint8_t)carry;
			carry >>= 8;
		}
		while (carry) {
			if (nb >= sizeof(bytes))
				return -1;
			bytes[nb++] = (uint8_t)carry;
			carry >>= 8;
		}
	}
	size_t total = zeros + nb;
	uint8_t full[B58_MAX_BYTES + 8 + 64];
	if (total < 4 || total > sizeof(full))
		return -1;
	memset(full, 0, zeros);
	for (size_t i = 0; i < nb; i++)
		full[zeros + i] = bytes[nb - 1 - i];
	uint8_t chk[32];
	ct__sha256d(h, chk, full, total - 4);
	if (memcmp(chk, full + total - 4, 4) != 0)
		return -1;
	if (total - 4 > cap)
		return -1;
	memcpy(out, full, total - 4);
	return (int)(total - 4);
}

/* ---- Bech32 / Bech32m -------------------------------------------------- */

static const char B32[] = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";
#define BECH32M_CONST 0x2bc830a3u

static uint32_t polymod_step(uint32_t pre)
{
	uint8_t b = (uint8_t)(pre >> 25);
	return ((pre & 0x1ffffff) << 5) ^ (-((b >> 0) & 1) & 0x3b6a57b2UL) ^
	       (-((b >> 1) & 1) & 0x26508e6dUL) ^ (-((b >> 2) & 1) & 0x1ea119faUL) ^
	       (-((b >> 3) & 1) & 0x3d4233ddUL) ^ (-((b >> 4) & 1) & 0x2a1462b3UL);
}

static uint32_t hrp_polymod(const char *hrp)
{
	uint32_t chk = 1;
	for (const char *c = hrp; *c; c++)
		chk = polymod_step(chk) ^ ((unsigned char)*c >> 5);
	chk = polymod_step(chk);
	for (const char *c = hrp; *c; c++)
		chk = polymod_step(chk) ^ ((unsigned char)*c & 31);
	return chk;
}

/* Regroup bits: from `frombits`-bit groups to `tobits`-bit groups. */
static int convert_bits(uint8_t *out, size_t *outlen, size_t cap, int tobits,
                        const uint8_t *in, size_t inlen, int frombits, int pad)
{
	uint32_t val = 0;
	int bits = 0;
	uint32_t maxv = (1u << tobits) - 1;
	*outlen = 0;
	for (size_t i = 0; i < inlen; i++) {
		val = (val << frombits) | in[i];
		bits += frombits;
		while (bits >= tobits) {
			bits -= tobits;
			if (*outlen >= cap)
				return -1;
			out[(*outlen)++] = (uint8_t)((val >> bits) & maxv);
		}
	}
	if (pad) {
		if (bits) {
			if (*outlen >= cap)
				return -1;
			out[(*outlen)++] = (uint8_t)((val << (tobits - bits)) & maxv);
		}
	} else if (bits >= frombits || ((val << (tobits - bits)) & maxv)) {
		return -1;
	}
	return 0;
}

int ct__segwit_encode(char *out, size_t cap, const char *hrp, int ver,
                      const uint8_t *prog, size_t prog_len)
{
	uint8_t data[72];
	size_t dlen;
	size_t hrplen = strlen(hrp);
	if (ver < 0 || ver > 16 || prog_len < 2 || prog_len > 40)
		return -1;
	data[0] = (uint8_t)ver;
	if (convert_bits(data + 1, &dlen, sizeof(data) - 1, 5, prog, prog_len, 8, 1))
		return -1;
	dlen += 1;
	if (hrplen + 1 + dlen + 6 + 1 > cap)
		return -1;
	uint32_t chk = hrp_polymod(hrp);
	size_t o = 0;
	memcpy(out, hrp, hrplen);
	o = hrplen;
	out[o++] = '1';
	for (size_t i = 0; i < dlen; i++) {
		chk = polymod_step(chk) ^ data[i];
		out[o++] = B32[data[i]];
	}
	for (int i = 0; i < 6; i++)
		chk = polymod_step(chk);
	chk ^= ver == 0 ? 1u : BECH32M_CONST;
	for (int i = 0; i < 6; i++)
		out[o++] = B32[(chk >> ((5 - i) * 5)) & 31];
	out[o] = '\0';
	return 0;
}

int ct__segwit_decode(int *ver, uint8_t *prog, size_t cap, const char *hrp,
                      const char *addr)
{
	size_t len = strlen(addr), hrplen = strlen(hrp);
	int lower = 0, upper = 0;
	uint8_t data[90];
	if (len < 8 || len > 90 || len <= hrplen + 7)
		return -1;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)addr[i];
		if (c < 33 || c > 126)
			return -1;
		lower |= islower(c) != 0;
		upper |= isupper(c) != 0;
	}
	if (lower && upper)
		return -1;
	for (size_t i = 0; i < hrplen; i++)
		if (tolower((unsigned char)addr[i]) != hrp[i])
			return -1;
	if (addr[hrplen] != '1')
		return -1;
	uint32_t chk = hrp_polymod(hrp);
	size_t dlen = len - hrplen - 1;
	for (size_t i = 0; i < dlen; i++) {
		const char *c = strchr(B32, tolower((unsigned char)addr[hrplen + 1 + i]));
		if (!c || !*c)
			return -1;
		data[i] = (uint8_t)(c - B32);
		chk = polymod_step(chk) ^ data[i];
	}
	if (dlen < 7)
		return -1;
	int v = data[0];
	uint32_t want = v == 0 ? 1u : BECH32M_CONST;
	if (chk != want || v > 16)
		return -1;
	size_t plen;
	uint8_t tmp[64];
	if (convert_bits(tmp, &plen, sizeof(tmp), 8, data + 1, dlen - 7, 5, 0))
		return -1;
	if (plen < 2 || plen > 40 || plen > cap)
		return -1;
	if (v == 0 && plen != 20 && plen != 32)
		return -1;
	memcpy(prog, tmp, plen);
	*ver = v;
	return (int)plen;
}

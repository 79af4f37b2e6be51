/* sm.h: the Chinese commercial cryptography (商用密码) primitives fazhi uses,
 * through OpenSSL 3: SM3 digests, HMAC-SM3, and SM4-CTR with HMAC-SM3
 * (encrypt-then-MAC; OpenSSL 3.0 has no SM4-GCM). Also secure random bytes.
 * All functions are thread-safe and allocate nothing the caller must free
 * unless stated. */
#ifndef FZ_SM_H
#define FZ_SM_H

#include <stddef.h>
#include <stdint.h>

#define SM3_LEN 32
#define SM3_HEX_LEN 64
#define SM4_KEY_LEN 16
#define SM4_IV_LEN 16

typedef struct sm3_ctx sm3_ctx;

/* One-shot digest; returns 0 or FZ_ERR. */
int sm3(const void *data, size_t len, unsigned char out[SM3_LEN]);
/* Writes 64 hex digits and a NUL into out. */
void sm3_hex(const unsigned char d[SM3_LEN], char out[SM3_HEX_LEN + 1]);
/* Reads exactly 64 lower-case hex digits (then NUL) into out: FZ_OK or
 * FZ_INVALID. */
int sm3_unhex(const char *hex, unsigned char out[SM3_LEN]);

/* Streaming digest. sm3_new returns NULL on failure; sm3_final frees ctx. */
sm3_ctx *sm3_new(void);
int sm3_update(sm3_ctx *c, const void *data, size_t len);
int sm3_final(sm3_ctx *c, unsigned char out[SM3_LEN]);
void sm3_abort(sm3_ctx *c);
/* One whole digest of data on a context kept for many (not freed; end with
 * sm3_abort): cheaper than sm3() when hashing many small inputs. */
int sm3_digest(sm3_ctx *c, const void *data, size_t len, unsigned char out[SM3_LEN]);

/* Digest of a whole file; returns FZ_OK, FZ_NOTFOUND or FZ_ERR. */
int sm3_file(const char *path, unsigned char out[SM3_LEN], uint64_t *size);

int hmac_sm3(const void *key, size_t keylen, const void *data, size_t len,
             unsigned char out[SM3_LEN]);

/* Fills buf with cryptographically secure random bytes. */
int sm_random(void *buf, size_t n);

/* Sealed box for a field: iv(16) || SM4-CTR(ciphertext) || HMAC-SM3(iv||ct)(32).
 * enc_key and mac_key are distinct 16- and 32-byte keys. */
#define SM_SEAL_OVERHEAD (SM4_IV_LEN + SM3_LEN)
/* out must hold len + SM_SEAL_OVERHEAD bytes. */
int sm_seal(const unsigned char enc_key[SM4_KEY_LEN], const unsigned char mac_key[SM3_LEN],
            const void *plain, size_t len, unsigned char *out);
/* out must hold len - SM_SEAL_OVERHEAD bytes. Returns FZ_INVALID when the MAC
 * does not match (tampered or wrong key); nothing is decrypted then. */
int sm_open(const unsigned char enc_key[SM4_KEY_LEN], const unsigned char mac_key[SM3_LEN],
            const unsigned char *sealed, size_t len, void *out);

/* Raw SM4-CTR (exposed for tests against the GB/T 32907 vectors). */
int sm4_ctr(const unsigned char key[SM4_KEY_LEN], const unsigned char iv[SM4_IV_LEN],
            const void *in, size_t len, void *out);

#endif

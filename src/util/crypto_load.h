/*
 * libcrypto (OpenSSL), loaded when the first digest is computed (see
 * dl.h): migration checksums, the stat cache's file name, MySQL lock
 * names. Callers call strata__crypto.EVP_Digest(...) and so on.
 */
#ifndef STRATA_UTIL_CRYPTO_LOAD_H
#define STRATA_UTIL_CRYPTO_LOAD_H

/* SHA256_Init and its kin are deprecated in OpenSSL 3 but still there;
 * strata takes them only when the library exports them (below) */
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/evp.h>
#include <openssl/sha.h>

#include "dl.h"

/* Every libcrypto function strata calls. */
#define STRATA_CRYPTO_FUNCS(X) \
 X(EVP_Digest)                 \
 X(EVP_DigestFinal_ex)         \
 X(EVP_DigestInit_ex)          \
 X(EVP_DigestUpdate)           \
 X(EVP_MD_CTX_free)            \
 X(EVP_MD_CTX_new)             \
 X(EVP_MD_fetch)               \
 X(EVP_MD_free)                \
 X(EVP_sha256)

struct strata_crypto {
	STRATA_CRYPTO_FUNCS(STRATA_DL_MEMBER)
};

/*
 * SHA-256's own functions, NULL when libcrypto does not export them.
 * OpenSSL 3 sets up its provider machinery (algorithm names, method
 * stores: about 2 MB of memory, measured) on the first EVP fetch; these
 * hash with the same code without any of it. The EVP functions above
 * remain the way when a later OpenSSL drops them.
 */
#define STRATA_CRYPTO_SHA256_FUNCS(X) \
 X(SHA256_Init)                       \
 X(SHA256_Update)                     \
 X(SHA256_Final)

struct strata_crypto_sha256 {
	STRATA_CRYPTO_SHA256_FUNCS(STRATA_DL_MEMBER)
};

/* Filled by strata__crypto_load(); use only after it returned 0. */
extern struct strata_crypto strata__crypto;
extern struct strata_crypto_sha256 strata__crypto_sha256;

/* SHA-256 of data into md, libcrypto loaded. @return 0, or -1 */
int strata__sha256(const void *data, size_t len, unsigned char md[32]);

/* Load libcrypto once. @return 0, or STRATA_ENOTSUPP and *why */
int strata__crypto_load(const char **why);

#endif

/*
 * libcrypto (OpenSSL), loaded when the first digest is computed (see
 * dl.h): migration checksums, the stat cache's file name, MySQL lock
 * names. Callers call strata__crypto.EVP_Digest(...) and so on.
 */
#ifndef STRATA_UTIL_CRYPTO_LOAD_H
#define STRATA_UTIL_CRYPTO_LOAD_H

#include <openssl/evp.h>

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

/* Filled by strata__crypto_load(); use only after it returned 0. */
extern struct strata_crypto strata__crypto;

/* Load libcrypto once. @return 0, or STRATA_ENOTSUPP and *why */
int strata__crypto_load(const char **why);

#endif
